"""`python manage.py seed_demo`: a deterministic demo data set for a retailer in Bangladesh and Tanzania."""

import resource
import sys
import time
from datetime import UTC, date, datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, transaction
from tqdm import tqdm

from audiences.demo.purchases import TooManyOrders
from audiences.demo.seeding import DemoSize, demo_flush, demo_seed
from audiences.models import Customer
from audiences.signals import demo_flushing, demo_seeded


def _count(text: str) -> int:
    value = int(text.replace("_", "").replace(",", ""))
    if value < 0:
        raise ValueError(text)
    return value


def _day(text: str) -> datetime:
    return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Create demo stores, catalog, customers, orders, events and consents. The same --seed, sizes and "
        "--as-of give the same data. Streams with COPY on PostgreSQL and batched INSERTs on SQLite."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--customers", type=_count, default=5_000)
        parser.add_argument(
            "--orders",
            type=_count,
            default=50_000,
            help="About this many orders: the purchase process draws them (docs/seed_demo.md), so the total is "
            "within a few percent at thousands of customers, further off at a few hundred.",
        )
        parser.add_argument("--products", type=_count, default=400)
        parser.add_argument("--stores", type=_count, default=4)
        parser.add_argument(
            "--as-of",
            type=_day,
            default=None,
            help="The day the data ends (YYYY-MM-DD, midnight UTC); default today. Part of what makes runs repeatable.",
        )
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when customers already exist.")
        parser.add_argument("--flush", action="store_true", help="Delete all stores, catalog and customer data first.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (it is off when not a TTY).")

    def handle(self, *args, **options):
        if options["stores"] < 1 or options["products"] < 1:
            raise CommandError("--stores and --products must be at least 1.")
        if options["flush"]:
            try:
                with transaction.atomic():
                    demo_flushing.send(sender=self.__class__)
                    demo_flush()
            except IntegrityError as exc:
                raise CommandError(f"Cannot flush: other data still refers to customers or products ({exc}).") from exc
        if Customer.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Customers already exist; nothing seeded.")
                return
            raise CommandError("Customers already exist: use --flush to replace them or --if-empty to skip.")
        as_of = options["as_of"] or _day(datetime.now(UTC).date().isoformat())
        size = DemoSize(options["customers"], options["orders"], options["products"], options["stores"])
        started = time.monotonic()
        with tqdm(
            total=size.customers,
            unit=" customers",
            file=sys.stderr,
            disable=options["no_progress"] or not sys.stderr.isatty(),
        ) as bar:
            try:
                counts = demo_seed(seed=options["seed"], size=size, as_of=as_of, progress=bar.update)
            except TooManyOrders as exc:
                raise CommandError(f"--orders: {exc}") from exc
        demo_seeded.send(sender=self.__class__)
        seconds = time.monotonic() - started
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        summary = ", ".join(f"{count:,} {name.replace('_', ' ')}" for name, count in counts.items())
        self.stdout.write(
            f"Seeded {summary} into {connection.vendor} in {seconds:.1f} s "
            f"(seed {options['seed']}, as of {as_of.date()}); peak memory {peak_mib:.0f} MiB."
        )
