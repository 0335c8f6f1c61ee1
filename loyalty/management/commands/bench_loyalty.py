import json
import multiprocessing
import os
import resource
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework_api_key.models import APIKey

from audiences import pricing_inputs
from audiences.models import Customer, Store
from config.benchmarking import backend_cpu_seconds
from loyalty.models import Allocation, LedgerEntry, Lot, Member, Program
from loyalty.services.drift import ledger_drift_check
from loyalty.services.lots import EXPIRY_CONNECTIONS, lots_expire

LOTS_PER_MEMBER = 10
SECTIONS = ("expiry", "earn", "drift")
EXPIRY_SECONDS, EARN_PER_SECOND, PEAK_MIB = 60, 500, 250
BENCH_STORE, BENCH_KEY = "BENCH-LOYALTY", "bench_loyalty"


class _RolledBack(Exception):
    """Raised to undo everything a section wrote."""


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = (
        "Loyalty at scale, on PostgreSQL: the expiry job over --lots due lots (half of each already spent), "
        "committed and run as the periodic task runs it, then deleted; in a transaction rolled back at the end, "
        "earning on --orders orders through POST /api/v1/orders "
        "in-process (Django's test client: key check, pricing, the order's transaction, the loyalty hook), and the "
        "nightly drift check over --members members. Peak memory is the process's (ru_maxrss): run one section "
        "with --only to read it alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--lots", type=int, default=1_000_000)
        parser.add_argument("--orders", type=int, default=3_000)
        parser.add_argument("--members", type=int, default=1_000_000)
        parser.add_argument("--only", choices=SECTIONS, action="append", help="Run only these sections.")
        parser.add_argument(
            "--processes", type=int, default=1,
            help="Also earn on --orders orders split among this many processes at once, each with its own "
            "connection and its own customers (their rows committed for the run, then deleted).",
        )  # fmt: skip

    def handle(self, *args, lots, orders, members, only, processes, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark writes its rows with generate_series: run it on PostgreSQL.")
        runs = {"expiry": lambda: self._expiry(lots), "earn": lambda: self._earn(orders),
                "drift": lambda: self._drift(members)}  # fmt: skip
        for section in only or SECTIONS:
            if section == "expiry":  # committed, as the periodic job sees it, and removed afterwards
                self._expiry(lots)
                continue
            _rolled_back(runs[section])
            if section == "earn" and processes > 1:  # after the one-process figure, with committed customers
                self._earn_in_processes(orders, processes)

    def _expiry(self, lots: int) -> None:
        """Committed rows, expired outside any transaction as the periodic task does (on
        EXPIRY_CONNECTIONS connections at once), then deleted."""
        now = timezone.now()
        started = time.perf_counter()
        program = _members(max(1, lots // LOTS_PER_MEMBER), now)
        try:
            _ledger(program, now - timedelta(days=1), LOTS_PER_MEMBER, remaining=50, allocations=False, expires_at=now)
            written = time.perf_counter() - started
            started = time.perf_counter()
            expired = lots_expire(now=now)
            seconds = time.perf_counter() - started
        finally:
            removed = _remove(program)
        self.stdout.write(
            f"expiry: {expired:,} lots expired in {seconds:.1f} s ({expired / seconds:,.0f} lots/s; goal ≤ "
            f"{EXPIRY_SECONDS} s; {EXPIRY_CONNECTIONS} connections), peak memory {_peak_mib():.0f} MiB (goal ≤ "
            f"{PEAK_MIB}; rows written in {written:.1f} s, removed in {removed:.1f} s)"
        )

    def _earn(self, orders: int) -> None:
        client, bodies = _earn_setup(orders + 50, customers=max(1, orders // 3))
        for warm in bodies[:50]:
            _post(client, warm)
        backend_started = _backend_cpu()
        started, cpu_started = time.perf_counter(), time.process_time()
        earned = sum(_post(client, b)["points_earned"] for b in bodies[50:-1])
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        backend = _backend_cpu() - backend_started
        with CaptureQueriesContext(connection) as one_more:  # a member's order, not timed: capturing costs
            _post(client, bodies[-1])
        statements = sum(1 for query in one_more.captured_queries if "SAVEPOINT" not in query["sql"])
        cores = os.cpu_count() or 1
        # Every order's CPU, its process's and its backend's, has to fit on this host's cores: the most it can do.
        ceiling = cores / ((cpu + backend) / orders)
        self.stdout.write(
            f"earn on order: {orders:,} orders through POST /api/v1/orders in {seconds:.1f} s "
            f"({orders / seconds:,.0f} orders/s; goal ≥ {EARN_PER_SECOND}), {cpu / orders * 1000:.2f} ms of this "
            f"process's CPU per order and {backend / orders * 1000:.2f} ms of its PostgreSQL backend's, "
            f"{earned:,} points earned, "
            f"{statements} SQL statements for a member's order (its transaction aside); each order a savepoint of "
            "the rolled-back transaction: no commit flush, and of what runs on commit only the storefront cache's "
            "renewal"
        )
        self.stdout.write(
            f"earn on order, this host's ceiling at that cost: {cores} cores / "
            f"{(cpu + backend) / orders * 1000:.2f} ms of CPU per order = {ceiling:,.0f} orders/s with every core "
            f"busy (the goal needs ≤ {cores / EARN_PER_SECOND * 1000:.1f} ms per order here)"
        )

    def _earn_in_processes(self, orders: int, processes: int) -> None:
        """--orders orders, order n placed by process n % processes for customer n % customers: no two processes
        share a customer, so none waits for another's member lock. Each process warms up with 50 orders of its
        own, then all start together; each runs in its own rolled-back transaction as the one-process run does."""
        customers = max(processes, orders // 3 // processes * processes)
        with transaction.atomic():
            _, bodies = _earn_setup(orders + 50 * processes, customers=customers)
        context = multiprocessing.get_context("fork")
        start, results = context.Barrier(processes + 1), context.Queue()
        connections.close_all()  # each process opens its own
        workers = [
            context.Process(target=_earn_worker, args=(bodies[:-1][index::processes], start, results))
            for index in range(processes)
        ]
        try:
            for worker in workers:
                worker.start()
            start.wait(timeout=600)
            started = time.perf_counter()
            outcomes = [results.get(timeout=3600) for _ in workers]
            seconds = time.perf_counter() - started
            for worker in workers:
                worker.join()
        finally:
            _earn_remove()
        if any(isinstance(outcome, str) for outcome in outcomes):
            raise CommandError(next(outcome for outcome in outcomes if isinstance(outcome, str)))
        placed, cpu, earned = (sum(values) for values in zip(*outcomes, strict=True))
        self.stdout.write(
            f"earn on order, {processes} processes at once: {placed:,} orders in {seconds:.1f} s "
            f"({placed / seconds:,.0f} orders/s; goal ≥ {EARN_PER_SECOND}), {cpu / placed * 1000:.2f} ms of the "
            f"processes' CPU per order, {earned:,} points earned"
        )

    def _drift(self, members: int) -> None:
        now = timezone.now()
        started = time.perf_counter()
        program = _members(members, now)
        _ledger(program, now - timedelta(days=1), 1, remaining=100, allocations=True, expires_at=None)
        written = time.perf_counter() - started
        started = time.perf_counter()
        drift = ledger_drift_check()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"drift check: {members:,} members and {members:,} lots checked in {seconds:.1f} s, "
            f"{drift.members} members and {drift.lots} lots drifting, peak memory {_peak_mib():.0f} MiB "
            f"(rows written in {written:.1f} s)"
        )


def _backend_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend so far (0 when the server runs on another host)."""
    return backend_cpu_seconds() or 0.0


def _rolled_back(run) -> None:
    try:
        with transaction.atomic():
            run()
            raise _RolledBack
    except _RolledBack:
        pass


def _earn_setup(orders: int, *, customers: int) -> tuple[Client, list[str]]:
    """The bench program, store and customers, an API key, and the bodies of `orders` + 1 orders (the last one's
    statements are counted)."""
    Program.objects.create(name="bench", currency="BDT", points_per_unit="0.1", expiry="days", expiry_n=365)
    store = Store.objects.create(code=BENCH_STORE, name="Bench", currency="BDT")
    people = list(
        Customer.objects.bulk_create(Customer(external_id=f"BENCH-L-{n}", currency="BDT") for n in range(customers))
    )
    _, key = APIKey.objects.create_key(name=BENCH_KEY)
    placed_at = timezone.now().isoformat()

    def body(n: int) -> str:
        return json.dumps(
            {"external_id": f"BENCH-L-O{n}", "customer": people[n % len(people)].external_id,
             "store": store.code, "currency": "BDT", "placed_at": placed_at,
             "lines": [{"sku": f"SKU-{n % 7}", "quantity": 1 + n % 3, "unit_price": "450.00"},
                       {"sku": "RICE", "quantity": 2, "unit_price": "100.00"}]}
        )  # fmt: skip

    return Client(HTTP_AUTHORIZATION=f"Api-Key {key}"), [body(n) for n in range(orders + 1)]


def _post(client: Client, body: str) -> dict:
    registered = len(connection.run_on_commit)
    response = client.post("/api/v1/orders", body, content_type="application/json", secure=True)
    if response.status_code != 201:
        raise CommandError(f"POST /orders answered {response.status_code}: {response.content[:300]!r}")
    _cache_renewals_run(registered)
    return response.json()


def _cache_renewals_run(registered: int) -> None:
    """Run what the order's commit would do to the storefront cache (its customer's token and copies renewed,
    audiences/pricing_inputs.py), so that the customer's next order reads the cache as it would in production.
    The rolled-back run commits nothing: everything else the order registered on commit (the order_placed
    signal and what it queues) is left unrun, as before."""
    pending = connection.run_on_commit
    added = pending[registered:]
    pending[registered:] = [callback for callback in added if not _is_cache_renewal(callback[1])]
    for _, renew, _ in added:
        if _is_cache_renewal(renew):
            renew()


CACHE_RENEWALS = {pricing_inputs._renew_with_copies, pricing_inputs._renew_tokens}


def _is_cache_renewal(callback) -> bool:
    return getattr(callback, "func", callback) in CACHE_RENEWALS


def _earn_worker(bodies: list[str], start, results) -> None:
    """One process of `--processes`: 50 warm-up orders, then the rest once every process is ready, in its own
    rolled-back transaction; puts (orders, CPU seconds, points earned), or what went wrong, on `results`."""
    try:
        _, key = APIKey.objects.create_key(name=BENCH_KEY)
        client = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")

        def run():
            for warm in bodies[:50]:
                _post(client, warm)
            start.wait(timeout=600)
            cpu_started = time.process_time()
            earned = sum(_post(client, body)["points_earned"] for body in bodies[50:])
            results.put((len(bodies) - 50, time.process_time() - cpu_started, earned))

        _rolled_back(run)
    except Exception as error:  # noqa: BLE001 (reported by the parent)
        results.put(f"a process failed: {error!r}")
    finally:
        connections.close_all()


def _earn_remove() -> None:
    with transaction.atomic():
        APIKey.objects.filter(name=BENCH_KEY).delete()
        Customer.objects.filter(external_id__startswith="BENCH-L-").delete()
        Store.objects.filter(code=BENCH_STORE).delete()
        Program.objects.filter(name="bench", currency="BDT").delete()


def _members(count: int, now) -> Program:
    program = Program.objects.create(name="bench", currency="KWD", points_per_unit=1, expiry="days", expiry_n=1)
    tables = {m: m._meta.db_table for m in (Customer, Member)}
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {tables[Customer]} (external_id, email, phone, first_name, last_name, language, timezone,"  # noqa: S608
            " city, attributes, currency, total_spent, orders_count, created_at, updated_at, postcode, location_source)"
            " SELECT 'BENCH-' || n, '', '', '', '', 'en', '', '', '{}', '', 0, 0, %s, %s, '', ''"
            " FROM generate_series(1, %s) n",
            [now, now, count],
        )
        cursor.execute(
            f"INSERT INTO {tables[Member]} (customer_id, program_id, debt, order_points_earned, joined_at)"  # noqa: S608
            f" SELECT id, %s, 0, 0, %s FROM {tables[Customer]} WHERE external_id LIKE 'BENCH-%%'",
            [program.pk, now],
        )
    return program


def _remove(program: Program) -> float:
    """Delete the benchmark's program, members, their customers and everything on their ledger; seconds taken."""
    started = time.perf_counter()
    tables = {m: m._meta.db_table for m in (Customer, Member, LedgerEntry, Lot, Allocation)}
    members = f"SELECT id FROM {tables[Member]} WHERE program_id = %s"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        for table in (Allocation, Lot, LedgerEntry):
            column = f"entry_id IN (SELECT id FROM {tables[LedgerEntry]} WHERE member_id IN ({members}))"  # noqa: S608
            where = column if table is Allocation else f"member_id IN ({members})"
            cursor.execute(f"DELETE FROM {tables[table]} WHERE {where}", [program.pk])  # noqa: S608
        cursor.execute(f"DELETE FROM {tables[Member]} WHERE program_id = %s", [program.pk])  # noqa: S608
        cursor.execute(f"DELETE FROM {tables[Customer]} WHERE external_id LIKE 'BENCH-%%'")  # noqa: S608
        program.delete()
    return time.perf_counter() - started


def _ledger(program: Program, earned_at, per_member: int, *, remaining: int, allocations: bool, expires_at) -> None:
    """`per_member` earn entries of 100 points per member, each with its lot (`remaining` left), and their
    allocations when `allocations` (without them the lots stand for spending the benchmark does not replay)."""
    tables = {m: m._meta.db_table for m in (Member, LedgerEntry, Lot, Allocation)}
    statements = [
        (f"INSERT INTO {tables[LedgerEntry]} (member_id, kind, points, debt_change, written_off, source_type,"  # noqa: S608
         " source_id, rule, reason, occurred_at)"
         f" SELECT m.id, 'earn', {remaining}, 0, 0, 'bench', m.id || '-' || n, 'earn', '', %s"
         f" FROM {tables[Member]} m CROSS JOIN generate_series(1, %s) n WHERE m.program_id = %s",
         [earned_at, per_member, program.pk]),
        (f"INSERT INTO {tables[Lot]} (member_id, entry_id, amount, remaining, status, qualifying, activates_at,"  # noqa: S608
         " expires_at, created_at)"
         f" SELECT member_id, id, 100, {remaining}, 'active', true, %s, %s, %s FROM {tables[LedgerEntry]}"
         " WHERE source_type = 'bench'", [earned_at, expires_at, earned_at]),
    ]  # fmt: skip
    if allocations:
        statements.append(
            (f"INSERT INTO {tables[Allocation]} (entry_id, lot_id, points)"  # noqa: S608
             f" SELECT entry_id, id, remaining FROM {tables[Lot]} WHERE member_id IN"
             f" (SELECT id FROM {tables[Member]} WHERE program_id = %s)", [program.pk])
        )  # fmt: skip
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
