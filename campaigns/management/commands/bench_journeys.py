"""Time journey entry and the tick on the configured database, then remove what it made.

Entry: `--customers` cart events of distinct customers, each evaluated as the event task does. Tick: every
enrollment's send step made due at once, drained by this one worker; lateness is how long after its `run_at`
each step finished."""

import resource
import statistics
import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from audiences.models import Consent, Customer, Event
from campaigns.journeys.entry import event_process
from campaigns.journeys.execution import step_runs_due_drain
from campaigns.journeys.models import Enrollment, Journey, JourneyStep, JourneyStepTemplate, JourneyVersion, StepRun
from campaigns.journeys.services import journey_version_publish
from messaging.models import Message, Template, TemplateTranslation

PREFIX = "BENCH-J-"


class Command(BaseCommand):
    help = "Time journey entry (one cart event per customer) and a tick draining every due send step."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=10_000)

    def handle(self, *args, customers, **options):
        template, journey = self._journey()
        try:
            people = self._customers(customers)
            events = Event.objects.bulk_create(
                Event(customer=c, type="bench_cart", occurred_at=timezone.now(), properties={"cart_id": str(c.pk)})
                for c in people
            )
            started = time.perf_counter()
            for event in events:
                event_process(event_id=event.pk)
            entry_seconds = time.perf_counter() - started
            entered = Enrollment.objects.filter(version__journey=journey).count()
            started = time.perf_counter()
            steps = step_runs_due_drain()
            tick_seconds = time.perf_counter() - started
            lateness = sorted(
                (finished - due).total_seconds()
                for due, finished in StepRun.objects.filter(
                    enrollment__version__journey=journey, status="done"
                ).values_list("run_at", "finished_at")
            )
            p95 = statistics.quantiles(lateness, n=20)[-1] if len(lateness) > 1 else 0.0
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            self.stdout.write(
                f"{connection.vendor}: entry {entered:,} of {customers:,} events in {entry_seconds:.1f} s "
                f"({entered / entry_seconds:,.0f}/s); tick {steps:,} due steps in {tick_seconds:.1f} s "
                f"({steps / tick_seconds:,.0f} steps/s, one worker), p95 lateness {p95:.1f} s, "
                f"peak memory {peak:.0f} MiB"
            )
        finally:
            self._remove(template, journey)

    def _journey(self) -> tuple[Template, Journey]:
        template = Template.objects.create(code="bench_journey", name="bench", channel="sms")
        TemplateTranslation.objects.create(template=template, language="en", body="Your cart is waiting.")
        journey = Journey.objects.create(code="bench_journey", name="bench", holdout_percent=Decimal(0), active=True)
        version = JourneyVersion.objects.create(
            journey=journey, event_type="bench_cart", key_property="cart_id", reentry="per_key"
        )
        step = JourneyStep.objects.create(version=version, position=1, kind="send")
        JourneyStepTemplate.objects.create(step=step, template=template, order=1)
        journey_version_publish(version=version)
        return template, journey

    def _customers(self, count: int) -> list[Customer]:
        people = Customer.objects.bulk_create(
            Customer(external_id=f"{PREFIX}{n}", phone=f"+2557{n:08d}", timezone="Africa/Dar_es_Salaam")
            for n in range(count)
        )
        Consent.objects.bulk_create(
            Consent(customer=c, channel="sms", status="opted_in", source="bench", recorded_at=timezone.now())
            for c in people
        )
        return people

    def _remove(self, template: Template, journey: Journey) -> None:
        StepRun.objects.filter(enrollment__version__journey=journey).delete()
        Enrollment.objects.filter(version__journey=journey).delete()
        Message.objects.filter(template=template).delete()
        journey.delete()
        template.delete()
        Customer.objects.filter(external_id__startswith=PREFIX).delete()
