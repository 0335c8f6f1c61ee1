import time

from django.core.management.base import BaseCommand

from audiences.clv.services import predictions_compute
from audiences.recommendations.services import recommendations_compute
from audiences.scoring import scores_recompute
from audiences.segments.services import segments_refresh_all


class Command(BaseCommand):
    help = (
        "Recompute every customer's scores and predicted lifetime value, then refresh every segment, then their "
        "recommendations (what the nightly tasks do)."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        scored = scores_recompute()
        self.stdout.write(f"Scores for {scored:,} customers in {time.perf_counter() - started:.1f} s.")
        predicted = predictions_compute()
        self.stdout.write(f"Predicted lifetime value and churn for {predicted.customers:,} customers.")
        for code, result in segments_refresh_all().items():
            changes = f"{result.entered:,} entered, {result.exited:,} exited"
            self.stdout.write(f"  {code}: {result.count:,} members ({changes})")
        recommended = recommendations_compute()
        self.stdout.write(f"Recommendations: {recommended.rows:,} for {recommended.customers:,} customers.")
        self.stdout.write(self.style.SUCCESS(f"Done in {time.perf_counter() - started:.1f} s."))
