import resource
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from audiences.models import Customer
from loyalty.models import Allocation, LedgerEntry, Lot, Member, Program
from loyalty.services.lots import lots_expire

LOTS_PER_MEMBER = 10


class Command(BaseCommand):
    help = (
        "Time the expiry job over --lots due lots (default 1,000,000; half of each lot already spent), on "
        "PostgreSQL, in a transaction rolled back at the end."
    )

    def add_arguments(self, parser):
        parser.add_argument("--lots", type=int, default=1_000_000)

    def handle(self, *args, lots, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark writes its rows with generate_series: run it on PostgreSQL.")
        with transaction.atomic():
            now = timezone.now()
            started = time.perf_counter()
            self._write(lots, now)
            written = time.perf_counter() - started
            started = time.perf_counter()
            expired = lots_expire(now=now)
            seconds = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            self.stdout.write(
                f"expiry: {expired:,} lots expired in {seconds:.1f} s ({expired / seconds:,.0f} lots/s), "
                f"peak memory {peak:.0f} MiB (rows written in {written:.1f} s)"
            )
            transaction.set_rollback(True)

    def _write(self, lots: int, now) -> None:
        members = max(1, lots // LOTS_PER_MEMBER)
        program = Program.objects.create(name="bench", currency="KWD", points_per_unit=1, expiry="days", expiry_n=1)
        tables = {m: m._meta.db_table for m in (Customer, Member, LedgerEntry, Lot, Allocation)}
        past = now - timedelta(days=1)
        statements = [
            (f"INSERT INTO {tables[Customer]} (external_id, email, phone, first_name, last_name, language, timezone,"  # noqa: S608
             " city, attributes, currency, total_spent, orders_count, created_at, updated_at)"
             " SELECT 'BENCH-' || n, '', '', '', '', 'en', '', '', '{}', '', 0, 0, %s, %s"
             " FROM generate_series(1, %s) n", [now, now, members]),
            (f"INSERT INTO {tables[Member]} (customer_id, program_id, debt, joined_at)"  # noqa: S608
             f" SELECT id, %s, 0, %s FROM {tables[Customer]} WHERE external_id LIKE 'BENCH-%%'",
             [program.pk, now]),
            (f"INSERT INTO {tables[LedgerEntry]} (member_id, kind, points, debt_change, written_off, source_type,"  # noqa: S608
             " source_id, rule, reason, occurred_at)"
             f" SELECT m.id, 'earn', 100, 0, 0, 'bench', m.id || '-' || n, 'earn', '', %s"
             f" FROM {tables[Member]} m CROSS JOIN generate_series(1, %s) n WHERE m.program_id = %s",
             [past, LOTS_PER_MEMBER, program.pk]),
            (f"INSERT INTO {tables[Lot]} (member_id, entry_id, amount, remaining, status, qualifying, activates_at,"  # noqa: S608
             " expires_at, created_at)"
             f" SELECT member_id, id, 100, 50, 'active', true, %s, %s, %s FROM {tables[LedgerEntry]}"
             " WHERE source_type = 'bench'", [past, now, past]),
        ]  # fmt: skip
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
