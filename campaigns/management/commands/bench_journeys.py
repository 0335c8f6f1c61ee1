"""Time journey entry and the tick on PostgreSQL at the issue's scale, then remove what it made.

Tick: `--enrollments` active enrollments of a send-then-wait journey, `--due` of them with their send due
(written in SQL), drained by `--workers` processes at once; each worker's claims are counted, so a step
claimed twice would show as more claims than due sends (each send's wait runs in its batch, unclaimed).
Lateness: how long after the tick began each due send finished. Entry: `--events` cart events of other
customers, processed a batch at a time as the events task does."""

import multiprocessing
import resource
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from audiences.models import Consent, Customer, Event
from campaigns.journeys import entry
from campaigns.journeys.execution import step_runs_due_drain
from campaigns.journeys.models import Enrollment, Journey, JourneyStep, JourneyStepTemplate, JourneyVersion, StepRun
from campaigns.journeys.services import journey_version_publish
from config.benchmarking import backend_cpu_seconds
from messaging.models import Message, Template, TemplateTranslation

PREFIX = "BENCH-J-"
CODE = "bench_journey"


class Command(BaseCommand):
    help = "Time journey entry (cart events) and a tick of due send steps among many active enrollments."

    def add_arguments(self, parser):
        parser.add_argument("--enrollments", type=int, default=1_000_000)
        parser.add_argument("--due", type=int, default=100_000)
        parser.add_argument("--events", type=int, default=100_000)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Leave what it made: for a throwaway database (deleting a million customers takes many minutes).",
        )

    def handle(self, *args, enrollments, due, events, workers, batch_size, keep, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_journeys measures PostgreSQL (DATABASE_URL=postgres://...).")
        if not 0 < due <= enrollments:
            raise CommandError("--due must be between 1 and --enrollments.")
        template, version = self._journey()
        try:
            started = time.perf_counter()
            self._enrollments(version, enrollments, due)
            self.stdout.write(
                f"set-up: {enrollments:,} enrollments, {due:,} due in {time.perf_counter() - started:.0f} s"
            )
            self._tick(version, due, workers, batch_size)
            if events:
                self._entry(version, events)
        finally:
            if not keep:
                self._remove(template, version.journey)

    def _tick(self, version: JourneyVersion, due: int, workers: int, batch_size: int) -> None:
        tick_started = timezone.now()
        started = time.perf_counter()
        if workers == 1:
            results = [_drained(batch_size)]
        else:
            connection.close()  # each worker opens its own connection
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.map(_drain, [batch_size] * workers)
        seconds = time.perf_counter() - started
        claims = [claimed for claimed, _, _ in results]
        worker_cpu, database_cpu = sum(cpu for _, cpu, _ in results), sum(cpu for _, _, cpu in results)
        done = StepRun.objects.filter(enrollment__version=version, position=1, status=StepRun.Status.DONE)
        lateness = sorted(
            (finished - tick_started).total_seconds() for finished in done.values_list("finished_at", flat=True)
        )
        p95 = statistics.quantiles(lateness, n=20)[-1] if len(lateness) > 1 else 0.0
        queued = Message.objects.filter(journey=CODE).count()
        peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        # Steps run: the claimed ones and the waits run in the same batch as the send before them.
        total = StepRun.objects.filter(enrollment__version=version, finished_at__gte=tick_started).count()
        self.stdout.write(
            f"tick: {total:,} steps run (sends + waits) of {due:,} due sends, claims {sum(claims):,} "
            f"({' + '.join(f'{c:,}' for c in claims)} by {workers} worker(s)), {queued:,} messages queued, "
            f"in {seconds:.1f} s: {total / seconds:,.0f} steps/s, "
            f"{total / seconds / workers:,.0f} per worker; p95 lateness {p95:.1f} s, max {lateness[-1]:.1f} s; "
            f"peak memory {peak / 1024:.0f} MiB per process; CPU per 1,000 steps: {worker_cpu / total * 1000:.2f} s "
            f"in the worker(s), {database_cpu / total * 1000:.2f} s in their PostgreSQL backends"
        )

    def _entry(self, version: JourneyVersion, events: int) -> None:
        entry._tick_soon = lambda: None  # no worker listens: the wake-up each entry sends would pile up
        _insert_select(
            Customer,
            {"external_id": f"'{PREFIX}E-' || n", "phone": "'+2558' || lpad(n::text, 8, '0')"},
            f"generate_series(1, {int(events)}) AS n",
        )
        _insert_select(
            Event,
            {"customer_id": "c.id", "type": "'bench_cart'", "occurred_at": "now()",
             "properties": "jsonb_build_object('cart_id', 'E' || c.id)"},
            f"audiences_customer c WHERE c.external_id LIKE '{PREFIX}E-%%'",
        )  # fmt: skip
        event_ids = list(Event.objects.filter(type="bench_cart").order_by("id").values_list("pk", flat=True))
        started, cpu_started, database_started = time.perf_counter(), time.process_time(), _backend_cpu()
        entry.events_process(event_ids=event_ids)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        database_cpu = _backend_cpu() - database_started
        entered = Enrollment.objects.filter(version=version, trigger_key__startswith="E").count()
        self.stdout.write(
            f"entry: {entered:,} of {events:,} events entered in {seconds:.1f} s ({events / seconds:,.0f} events/s), "
            f"in batches of {entry.BATCH_SIZE}; CPU {cpu:.1f} s in this process, {database_cpu:.1f} s in its "
            "PostgreSQL backend"
        )

    def _journey(self) -> tuple[Template, JourneyVersion]:
        template = Template.objects.create(code=CODE, name="bench", channel="sms")
        TemplateTranslation.objects.create(template=template, language="en", body="Your cart is waiting.")
        journey = Journey.objects.create(code=CODE, name="bench", holdout_percent=Decimal(0), active=True)
        version = JourneyVersion.objects.create(
            journey=journey, event_type="bench_cart", key_property="cart_id", reentry="per_key"
        )
        step = JourneyStep.objects.create(version=version, position=1, kind="send")
        JourneyStepTemplate.objects.create(step=step, template=template, order=1)
        JourneyStep.objects.create(version=version, position=2, kind="wait", wait=timedelta(days=1))
        return template, journey_version_publish(version=version)

    def _enrollments(self, version: JourneyVersion, count: int, due: int) -> None:
        """`count` consenting customers enrolled with their send pending, the first `due` of them due now."""
        with transaction.atomic():
            _insert_select(
                Customer,
                {"external_id": f"'{PREFIX}' || n", "phone": "'+2557' || lpad(n::text, 8, '0')",
                 "timezone": "'Africa/Dar_es_Salaam'"},
                f"generate_series(1, {int(count)}) AS n",
            )  # fmt: skip
            bench = f"audiences_customer c WHERE c.external_id LIKE '{PREFIX}%%'"
            _insert_select(
                Consent,
                {"customer_id": "c.id", "channel": "'sms'", "status": "'opted_in'", "source": "'bench'",
                 "recorded_at": "now()"},
                bench,
            )  # fmt: skip
            _insert_select(
                Enrollment,
                {"version_id": str(version.pk), "customer_id": "c.id", "trigger_key": "'C' || c.id",
                 "status": "'active'", "bucket": "50", "entered_at": "now()"},
                bench,
            )  # fmt: skip
            first = Enrollment.objects.filter(version=version).order_by("id").values_list("pk", flat=True).first()
            _insert_select(
                StepRun,
                {"enrollment_id": "e.id", "position": "1", "attempt": "1",
                 "run_at": f"CASE WHEN e.id < {first + due} THEN now() ELSE now() + interval '1 day' END"},
                f"{Enrollment._meta.db_table} e WHERE e.version_id = {version.pk}",
            )  # fmt: skip
        with connection.cursor() as cursor:
            for model in (Customer, Consent, Enrollment, StepRun):
                cursor.execute(f"ANALYZE {model._meta.db_table}")

    def _remove(self, template: Template, journey: Journey) -> None:
        """In SQL: the ORM would load a million rows to cascade their deletion."""
        tables = {model.__name__: model._meta.db_table for model in (StepRun, Enrollment, JourneyVersion, Message)}
        enrollments = (
            "SELECT id FROM {Enrollment} WHERE version_id IN (SELECT id FROM {JourneyVersion} WHERE journey_id = %s)"
        )
        customers = "SELECT id FROM audiences_customer WHERE external_id LIKE %s"
        statements = [
            ("DELETE FROM {StepRun} WHERE enrollment_id IN (" + enrollments + ")", [journey.pk]),  # noqa: S608 - table names from the models
            ("DELETE FROM {Enrollment} WHERE id IN (" + enrollments + ")", [journey.pk]),  # noqa: S608
            ("DELETE FROM {Message} WHERE template_id = %s", [template.pk]),
            *(
                (f"DELETE FROM {model._meta.db_table} WHERE customer_id IN ({customers})", [f"{PREFIX}%"])  # noqa: S608
                for model in (Event, Consent)
            ),
            ("DELETE FROM audiences_customer WHERE external_id LIKE %s", [f"{PREFIX}%"]),
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            for statement, params in statements:
                cursor.execute(statement.format(**tables), params)
        journey.delete()
        template.delete()


def _drain(batch_size: int) -> tuple[int, float, float]:
    try:
        return _drained(batch_size)
    finally:
        connection.close()


def _drained(batch_size: int) -> tuple[int, float, float]:
    """Drain the due steps: how many this process claimed, and the CPU seconds it and its backend spent on it
    (CPU, unlike wall time, means the same on a busy shared host)."""
    worker, database = time.process_time(), _backend_cpu()
    claimed = step_runs_due_drain(batch_size=batch_size)
    return claimed, time.process_time() - worker, _backend_cpu() - database


def _backend_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend (the server runs on this host); 0 if not."""
    return backend_cpu_seconds() or 0.0


def _insert_select(model, expressions: dict[str, str], source: str) -> int:
    """INSERT one row of `model` per row of `source`: the given SQL expressions, model defaults elsewhere."""
    now = timezone.now()
    fixed = [f for f in model._meta.concrete_fields if not f.primary_key and f.column not in expressions]
    values = [
        now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_db_prep_save(f.get_default(), connection)
        for f in fixed
    ]
    columns = ", ".join([*expressions, *(f.column for f in fixed)])
    selected = ", ".join([*expressions.values(), *(["%s"] * len(fixed))])
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({columns}) SELECT {selected} FROM {source}", values)  # noqa: S608
        return cursor.rowcount
