from django.core.management.base import BaseCommand

from audiences.clv.services import predictions_compute


class Command(BaseCommand):
    help = "Fit the lifetime-value model per currency and replace every buying customer's prediction now."

    def handle(self, *args, **options):
        def progress(customers: int, currency: str) -> None:
            self.stdout.write(f"{customers:,} customers done ({currency})")

        run = predictions_compute(progress=progress)
        self.stdout.write(f"Predicted {run.customers:,} customers in {run.currencies} currencies.")
