from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Max

from audiences.models import Order
from audiences.recommendations.backtest import backtest


class Command(BaseCommand):
    help = (
        "Time-split backtest of recommendations: fit on the orders before the cut-off (the last order's day less "
        "--holdout-days), print precision@k and recall@k against the popularity baseline, per currency."
    )

    def add_arguments(self, parser):
        parser.add_argument("--holdout-days", type=int, default=90)
        parser.add_argument("-k", type=int, default=10)

    def handle(self, *args, holdout_days, k, **options):
        last = Order.objects.aggregate(last=Max("placed_at"))["last"]
        if last is None:
            self.stdout.write("No orders: nothing to backtest.")
            return
        cutoff = last - timedelta(days=holdout_days)
        self.stdout.write(
            f"Fitted on orders before {cutoff:%Y-%m-%d %H:%M} UTC; scored on the {holdout_days} days after."
        )
        self.stdout.write(f"{'currency':<9}{'customers':>10}  {'':<12}{f'precision@{k}':>13}{f'recall@{k}':>11}")
        for result in backtest(cutoff=cutoff, k=k):
            lift = result.precision / result.baseline_precision - 1 if result.baseline_precision else float("nan")
            rows = (("co-purchase", result.precision, result.recall),
                    ("popularity", result.baseline_precision, result.baseline_recall))  # fmt: skip
            for label, precision, recall in rows:
                currency = result.currency if label == "co-purchase" else ""
                customers = f"{result.customers:,}" if label == "co-purchase" else ""
                self.stdout.write(f"{currency:<9}{customers:>10}  {label:<12}{precision:>13.4f}{recall:>11.4f}")
            self.stdout.write(f"{'':<21}precision@{k} over popularity: {lift:+.0%}")
