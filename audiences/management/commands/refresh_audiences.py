import time

from django.core.management.base import BaseCommand

from audiences.scoring import scores_recompute
from audiences.segments.services import segments_refresh_all


class Command(BaseCommand):
    help = "Recompute every customer's scores, then refresh every segment (what the nightly tasks do)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        scored = scores_recompute()
        self.stdout.write(f"Scores for {scored:,} customers in {time.perf_counter() - started:.1f} s.")
        for code, result in segments_refresh_all().items():
            changes = f"{result.entered:,} entered, {result.exited:,} exited"
            self.stdout.write(f"  {code}: {result.count:,} members ({changes})")
        self.stdout.write(self.style.SUCCESS(f"Done in {time.perf_counter() - started:.1f} s."))
