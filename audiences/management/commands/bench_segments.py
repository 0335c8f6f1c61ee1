import resource
import time

from django.core.management.base import BaseCommand
from django.db import connection

from audiences.models import Customer, Segment
from audiences.scoring import scores_recompute
from audiences.segments import services as segments
from audiences.segments.selectors import matching_customers

THREE_CONDITIONS = {
    "all": [
        {"field": "city", "op": "in", "value": ["Dhaka", "Dar es Salaam"]},
        {"field": "total_spent", "op": "gte", "value": "10000"},
        {"field": "last_order_at", "op": "older_than_days", "value": 90},
    ]
}


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = (
        "Time segment counting, materialisation and score computation on the current database "
        "(meant for seed_demo --customers 1000000 --orders 10000000 on PostgreSQL). Writes a "
        "benchmark segment `bench_half` and the scores."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=500_000, help="Size of the segment to materialise.")
        parser.add_argument("--repeat", type=int, default=3, help="Runs of the count query (the best is kept).")

    def handle(self, *args, members, repeat, **options):
        customers = Customer.objects.count()
        self.stdout.write(f"database: {connection.vendor}, {customers:,} customers")

        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            count = matching_customers(THREE_CONDITIONS).count()
            timings.append(time.perf_counter() - started)
        self.stdout.write(
            f"count of a 3-condition segment: {count:,} customers, best {min(timings):.2f} s "
            f"(runs: {', '.join(f'{t:.2f}' for t in timings)}), peak {peak_mib():.0f} MiB"
        )

        threshold = (
            Customer.objects.order_by("-total_spent", "pk").values_list("total_spent", flat=True)[members - 1]
            if customers >= members
            else 0
        )
        rules = {"all": [{"field": "total_spent", "op": "gte", "value": str(threshold)}]}
        segment, _ = Segment.objects.update_or_create(
            code="bench_half", defaults={"name": "Benchmark: top spenders", "rules": rules}
        )
        segment.memberships.all().delete()
        segment.changes.all().delete()
        started = time.perf_counter()
        first = segments.segment_refresh(segment=segment)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = segments.segment_refresh(segment=segment)
        again_seconds = time.perf_counter() - started
        self.stdout.write(
            f"materialise a {first.count:,}-member segment from empty: {first_seconds:.2f} s "
            f"({first.entered:,} entered); refresh with no change: {again_seconds:.2f} s "
            f"({again.entered} entered, {again.exited} exited); peak {peak_mib():.0f} MiB"
        )

        started = time.perf_counter()
        scored = scores_recompute()
        self.stdout.write(
            f"RFM and scores for {scored:,} customers: {time.perf_counter() - started:.2f} s; peak {peak_mib():.0f} MiB"
        )
        self.stdout.write(f"peak memory of this process throughout: {peak_mib():.0f} MiB")
