import csv

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audiences import resources
from audiences.communications import communications_log_rows, log_options_error
from audiences.log_import import communications_log_import
from audiences.services.orders import orders_import

NOTHING_IMPORTED = "{count} bad row(s): nothing imported (use --skip-bad-rows to import the rest)."
RESOURCES = {
    "customers": resources.CustomerResource,
    "products": resources.ProductResource,
    "consents": resources.ConsentRecordResource,
    "vehicles": resources.VehicleResource,
    "postcode_areas": resources.PostcodeAreaResource,
}


class Command(BaseCommand):
    help = (
        "Import a CSV file: customers, products, consents, vehicles (by VIN), postcode_areas (code, name, latitude, "
        "longitude), orders (one line per row: order, customer, store, channel, currency, placed_at, sku, "
        "quantity, unit_price, discount?, shipping_price?) or a communications "
        "log (phone, date, message, amount, name?; --currency and --region say what the log does not). A file "
        "with a bad row imports nothing unless --skip-bad-rows is given; --dry-run only reports."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[*RESOURCES, "orders", "communications"])
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report; write nothing.")
        parser.add_argument("--skip-bad-rows", action="store_true", help="Import the good rows, report the bad.")
        parser.add_argument(
            "--currency",
            default=None,
            help="communications: the currency of the log's amounts (e.g. TZS); default settings.DEFAULT_CURRENCY.",
        )
        parser.add_argument(
            "--region",
            default=None,
            help="communications: the country of national phone numbers such as 0755... (e.g. TZ); "
            "default settings.DEFAULT_PHONE_REGION.",
        )

    def handle(self, *args, kind, path, dry_run, skip_bad_rows, **options):
        try:
            with open(path, newline="", encoding="utf-8-sig") as handle:
                text = handle.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None
        if kind == "communications":
            currency = (options["currency"] or settings.DEFAULT_CURRENCY).upper()
            region = (options["region"] or settings.DEFAULT_PHONE_REGION).upper()
            return self._communications(text, dry_run, skip_bad_rows, currency=currency, region=region)
        if kind == "orders":
            return self._orders(text, dry_run, skip_bad_rows)
        dataset = tablib.Dataset().load(text, format="csv")
        resource = RESOURCES[kind]()
        self.stderr.write(f"Checking {len(dataset):,} rows ...")
        result = resource.import_data(dataset, dry_run=True, raise_errors=False, collect_failed_rows=True)
        bad = self._report(result)
        if bad and not skip_bad_rows:
            raise CommandError(NOTHING_IMPORTED.format(count=len(bad)))
        if dry_run:
            self.stdout.write(f"Dry run: {len(dataset) - len(bad):,} row(s) would be imported, {len(bad)} rejected.")
            return
        # A fresh copy: import-export may add columns to the dataset it checked.
        fresh = tablib.Dataset().load(text, format="csv")
        good = tablib.Dataset(headers=fresh.headers)
        for number, row in enumerate(fresh, start=1):
            if number not in bad:
                good.append(row)
        self.stderr.write(f"Importing {len(good):,} rows ...")
        result = resource.import_data(good, dry_run=False, raise_errors=True)
        totals = result.totals
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {kind}: {totals.get('new', 0):,} new, {totals.get('update', 0):,} updated, "
                f"{totals.get('skip', 0):,} unchanged, {len(bad)} rejected."
            )
        )

    def _report(self, result) -> set[int]:
        bad: set[int] = set()
        for invalid in result.invalid_rows:
            bad.add(invalid.number)
            messages = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in invalid.error_dict.items())
            self.stdout.write(f"row {invalid.number + 1}: {messages}")
        for number, errors in result.row_errors():
            bad.add(number)
            self.stdout.write(f"row {number + 1}: {errors[0].error}")
        return bad

    def _reject(self, rejected: list[tuple[int, str]], skip_bad_rows: bool) -> None:
        for number, reason in rejected:
            self.stdout.write(f"row {number}: {reason}")
        if rejected and not skip_bad_rows:
            raise CommandError(NOTHING_IMPORTED.format(count=len(rejected)))

    def _communications(self, text: str, dry_run: bool, skip_bad_rows: bool, *, currency: str, region: str):
        if errors := log_options_error(currency=currency, region=region):
            raise CommandError(" ".join(f"--{option}: {message}" for option, message in errors.items()))
        used = f"amounts in {currency}, national phone numbers in region {region}"
        rows, rejected = communications_log_rows(csv.DictReader(text.splitlines()), currency=currency, region=region)
        self._reject(rejected, skip_bad_rows)
        if dry_run:
            self.stdout.write(
                f"Dry run ({used}): {len(rows):,} message(s) would be imported, {len(rejected)} rejected."
            )
            return
        try:
            result = communications_log_import(rows=rows, currency=currency)
        except ValidationError as exc:
            raise CommandError(f"Nothing imported: {exc.message_dict}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported the log ({used}): {result.customers_created:,} new customer(s), {result.messages:,} "
                f"message(s), {result.complaints:,} complaint(s), {result.purchases:,} purchase(s); "
                f"{result.duplicates:,} already imported, {len(rejected)} rejected."
            )
        )

    def _orders(self, text: str, dry_run: bool, skip_bad_rows: bool):
        orders, rejected = resources.order_lines_rows(csv.DictReader(text.splitlines()))
        self._reject(rejected, skip_bad_rows)
        try:
            with transaction.atomic():
                recorded, skipped = orders_import(orders=orders)
                if dry_run:
                    transaction.set_rollback(True)
        except ValidationError as exc:
            raise CommandError(f"Nothing imported: {exc.message_dict}") from None
        verb = "would be recorded" if dry_run else "recorded"
        self.stdout.write(
            self.style.SUCCESS(f"{recorded:,} order(s) {verb}, {skipped:,} already known, {len(rejected)} rejected.")
        )
