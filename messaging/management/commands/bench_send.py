"""Throughput of the outbox from claim to provider hand-off, every policy check on."""

import multiprocessing
import os
import resource
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand
from django.db import connection, connections, transaction
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone
from tqdm import tqdm

from audiences.models import Consent, Customer
from config.benchmarking import backend_cpu_seconds
from messaging.models import Message, SenderAddress, Suppression, Template, TemplateTranslation
from messaging.senders import PROVIDER_MERGE_FIELDS
from messaging.services.dispatch import outbox_dispatch
from messaging.services.outbox import MessageRequest, messages_enqueue

PREFIX = "BENCH-SEND-"
TARGET_PER_WORKER = 2_500  # messages/s from outbox to provider hand-off (issue #23)
HTML = (
    "<h1>Hello {{ customer.first_name }}</h1><p>Your code <b>{{ coupon.code }}</b> gives 15% off "
    "at {{ store.name|default:'our shops' }}.</p>"
    '<p><a href="https://shop.example.com/sale?utm_campaign=bench">Shop the sale</a></p>'
)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _quiet_window_elsewhere() -> str:
    """Quiet hours that are on, and checked for every message, but not now in UTC (the bench zone)."""
    start = (timezone.now() + timedelta(hours=3)).strftime("%H:%M")
    end = (timezone.now() + timedelta(hours=9)).strftime("%H:%M")
    return f"{start}-{end}"


@dataclass(frozen=True)
class WorkerRun:
    sent: int
    seconds: float
    cpu_seconds: float  # the worker process's own
    database_cpu_seconds: float | None  # its PostgreSQL backend's, None when it cannot be read
    peak_mib: float

    @property
    def per_cpu_second(self) -> float | None:
        """Messages per CPU second of the worker and its database backend together: what a quiet host
        would approach (the worker waits on its backend), unlike wall time on a shared, loaded one."""
        if self.database_cpu_seconds is None:
            return None
        return self.sent / (self.cpu_seconds + self.database_cpu_seconds)


def _dispatch_all(quiet_hours: str, merge_field: str, group: int) -> WorkerRun:
    """One worker: dispatch until nothing is due."""
    connections.close_all()
    sent = 0
    with override_settings(
        # anymail's test backend stands in for the provider; the merge field is the one chosen for it
        EMAIL_BACKEND="anymail.backends.test.EmailBackend",
        MESSAGING_QUIET_HOURS=quiet_hours,
        MESSAGING_RATE_LIMITS={},
        MESSAGING_EMAIL_MERGE_FIELD=merge_field,
        MESSAGING_HANDOFF_GROUP=group,
    ):
        database_cpu = backend_cpu_seconds()
        cpu, started = time.process_time(), time.perf_counter()
        while True:
            report = outbox_dispatch(max_batches=1)
            mail.outbox = []  # the test backend keeps what it was handed; a real provider does not
            if not report.batches:
                break
            sent += report.sent
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        database_cpu_after = backend_cpu_seconds()
    connections.close_all()
    if database_cpu is not None and database_cpu_after is not None:
        database_cpu = database_cpu_after - database_cpu
    return WorkerRun(sent, seconds, cpu, database_cpu, _peak_mib())


BENCH_POSTAL_ADDRESS = "bench_send, 1 Benchmark Road, Dhaka"


class Command(BaseCommand):
    help = "Queue --recipients emails and time the outbox handing them to anymail's test backend."

    def add_arguments(self, parser):
        parser.add_argument("--recipients", type=int, default=100_000)
        parser.add_argument("--workers", type=int, default=1, help="Worker processes dispatching at once.")
        parser.add_argument(
            "--provider",
            default="mailgun",
            choices=[*sorted(backend.split(".")[2] for backend in PROVIDER_MERGE_FIELDS), "other"],
            help="The provider a production install sends through: the merge field its settings default to "
            "(other: one provider call per email). Default: mailgun.",
        )
        parser.add_argument(
            "--merge-field",
            default=None,
            help="MESSAGING_EMAIL_MERGE_FIELD for the run instead of the provider's default; '' sends one email "
            "per provider call.",
        )
        parser.add_argument(
            "--group", type=int, default=None, help="MESSAGING_HANDOFF_GROUP for the run (default: the setting's)."
        )

    def handle(self, *args, recipients, workers, provider, merge_field, group, **options):
        if merge_field is None:
            merge_field = PROVIDER_MERGE_FIELDS.get(f"anymail.backends.{provider}.EmailBackend", "")
        if group is None:
            group = settings.MESSAGING_HANDOFF_GROUP
        self._clean()
        template = self._prepare(recipients)
        try:
            enqueue_started = time.perf_counter()
            customer_ids = Customer.objects.filter(external_id__startswith=PREFIX).values_list("pk", flat=True)
            queued = messages_enqueue(
                requests=(
                    MessageRequest(
                        customer_id=customer_id,
                        template=template,
                        idempotency_key=f"bench:{customer_id}",
                        context={"coupon": {"code": f"SAVE-{customer_id:07d}"}},
                    )
                    for customer_id in customer_ids.iterator(chunk_size=5000)
                )
            )
            enqueue_seconds = time.perf_counter() - enqueue_started
            self.stdout.write(f"queued {queued:,} messages in {enqueue_seconds:.1f} s")

            if connection.vendor == "postgresql":
                # What autovacuum does in production (this machine's server runs with it off): the
                # queue's partial index and the customer tables would otherwise drag earlier runs' dead rows along.
                with connection.cursor() as cursor:
                    for model in (Message, Customer, Consent, Suppression):
                        cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
            quiet = _quiet_window_elsewhere()
            connections.close_all()
            if workers == 1:
                results = [_dispatch_all(quiet, merge_field, group)]
            else:
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    results = pool.starmap(_dispatch_all, [(quiet, merge_field, group)] * workers)
            counts = dict(
                Message.objects.filter(customer__external_id__startswith=PREFIX)
                .values_list("status")
                .annotate(count=Count("id"))
                .order_by()
            )
            total_sent = sum(run.sent for run in results)
            wall = max(run.seconds for run in results)
            self.stdout.write(
                f"{connection.vendor}: {total_sent:,} sent by {workers} worker(s) in {wall:.1f} s = "
                f"{total_sent / wall:,.0f} messages/s, {total_sent / wall / workers:,.0f} per worker "
                f"({'batch sends' if merge_field else 'one call per email'}, hand-off group {group}); "
                f"statuses {counts}"
            )
            for number, run in enumerate(results, 1):
                cpu = f"CPU {run.cpu_seconds:.1f} s"
                if run.per_cpu_second is not None:
                    cpu += f" + database {run.database_cpu_seconds:.1f} s = {run.per_cpu_second:,.0f} per CPU second"
                self.stdout.write(
                    f"  worker {number}: {run.sent:,} in {run.seconds:.1f} s ({cpu}), "
                    f"peak memory {run.peak_mib:.0f} MiB"
                )
            per_worker = total_sent / wall / workers
            verdict = "met" if per_worker >= TARGET_PER_WORKER else "NOT met"
            self.stdout.write(
                f"per worker: {per_worker:,.0f} messages/s against >= {TARGET_PER_WORKER:,} ({verdict}; "
                f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
            )
        finally:
            self._clean()

    def _prepare(self, recipients: int) -> Template:
        now = timezone.now()
        with transaction.atomic():
            template = Template.objects.create(code="bench-send", name="Bench send", channel="email", kind="marketing")
            # Marketing emails need a sender postal address; the bench brings one unless there is a default.
            SenderAddress.objects.get_or_create(store=None, defaults={"postal_address": BENCH_POSTAL_ADDRESS})
            TemplateTranslation.objects.create(
                template=template, language="en", subject="{{ customer.first_name }}, 15% off today", html=HTML
            )
        progress = tqdm(total=recipients, desc="customers", unit="", disable=None)
        for start in range(0, recipients, 5000):
            numbers = range(start, min(start + 5000, recipients))
            customers = Customer.objects.bulk_create(
                Customer(
                    external_id=f"{PREFIX}{n}",
                    email=f"bench{n}@example.com",
                    phone=f"+8801{n:09d}",
                    first_name=f"Karim{n}",
                    timezone="UTC",
                )
                for n in numbers
            )
            # 97% opted in, 2% opted out, 1% suppressed: every check has work to do
            Consent.objects.bulk_create(
                Consent(
                    customer=customer,
                    channel="email",
                    topic="marketing",
                    status="opted_out" if n % 50 == 7 else "opted_in",
                    source="bench",
                    recorded_at=now,
                )
                for n, customer in zip(numbers, customers, strict=True)
            )
            Suppression.objects.bulk_create(
                Suppression(channel="email", address=f"bench{n}@example.com", reason="hard_bounce", source=PREFIX)
                for n in numbers
                if n % 100 == 3
            )
            progress.update(len(numbers))
        progress.close()
        return template

    def _clean(self) -> None:
        with connection.cursor() as cursor:
            customers = Customer._meta.db_table
            for model in (Message, Consent):
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE customer_id IN "  # noqa: S608 - table names only
                    f"(SELECT id FROM {customers} WHERE external_id LIKE %s)",
                    [PREFIX + "%"],
                )
            cursor.execute(f"DELETE FROM {customers} WHERE external_id LIKE %s", [PREFIX + "%"])  # noqa: S608
        Suppression.objects.filter(source=PREFIX).delete()
        TemplateTranslation.objects.filter(template__code="bench-send").delete()
        Template.objects.filter(code="bench-send").delete()
        SenderAddress.objects.filter(store=None, postal_address=BENCH_POSTAL_ADDRESS).delete()
