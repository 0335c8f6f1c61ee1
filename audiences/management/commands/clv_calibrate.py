from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max

from audiences.clv.calibration import MIDDLE_DECILES, TOLERANCE
from audiences.clv.services import clv_calibrate
from audiences.models import Order


class Command(BaseCommand):
    help = (
        "Holdout check of the lifetime-value model: fit on the orders before the cut-off (the last order's time "
        "less --cutoff-days), print predicted and actual orders after it per decile of predicted orders."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cutoff-days", type=int, default=180)

    def handle(self, *args, cutoff_days, **options):
        if cutoff_days < 1:
            raise CommandError("--cutoff-days must be at least 1.")
        end = Order.objects.aggregate(last=Max("placed_at"))["last"]
        if end is None:
            self.stdout.write("No orders: nothing to calibrate.")
            return
        cutoff = end - timedelta(days=cutoff_days)
        self.stdout.write(
            f"Fitted on orders before {cutoff:%Y-%m-%d %H:%M} UTC; compared over the {cutoff_days} days after."
        )
        middle = f"{MIDDLE_DECILES.start}-{MIDDLE_DECILES.stop - 1}"
        for result in clv_calibrate(cutoff=cutoff, end=end):
            self.stdout.write(f"\n{result.currency}: {result.customers:,} customers")
            self.stdout.write(f"{'decile':>6}{'customers':>11}{'predicted':>11}{'actual':>9}{'error':>9}")
            for row in result.rows:
                self.stdout.write(
                    f"{row.decile:>6}{row.customers:>11,}{row.predicted:>11.1f}{row.actual:>9,}{row.error:>+9.1%}"
                    + ("  *" if row.middle else "")
                )
            verdict = "within" if result.passed else "NOT within"
            self.stdout.write(f"Middle deciles (* {middle}) {verdict} ±{TOLERANCE:.0%}.")
