"""A real Celery worker killed mid-batch (SIGKILL) and started again: every recipient gets the
message exactly once, nobody is lost."""

import json
import signal

import pytest
from django.utils import timezone

from audiences.models import Consent, Customer
from config.setup import periodic_tasks_install
from messaging.models import Message, Template, TemplateTranslation
from tests.support.processes import celery_command, running, subprocess_env, wait_until

RECIPIENTS = 200
HANDOFF_GROUP = 5


def _sent_lines(path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_sends_nobody_twice_and_loses_nobody(settings, tmp_path):
    settings.MESSAGING_DISPATCH_INTERVAL_SECONDS = 1
    periodic_tasks_install()
    template = Template.objects.create(code="flash", name="Flash sale", channel="sms", kind="marketing")
    TemplateTranslation.objects.create(template=template, language="en", body="Flash sale {{ customer.first_name }}")
    customers = Customer.objects.bulk_create(
        Customer(external_id=f"K-{n}", phone=f"+8801900{n:06d}", first_name=f"K{n}") for n in range(RECIPIENTS)
    )
    now = timezone.now()
    Consent.objects.bulk_create(
        Consent(customer=c, channel="sms", topic="marketing", status="opted_in", source="test", recorded_at=now)
        for c in customers
    )
    Message.objects.bulk_create(
        Message(
            idempotency_key=f"flash:{c.pk}",
            customer=c,
            template=template,
            channel="sms",
            kind="marketing",
            topic="marketing",
            scheduled_for=now,
        )
        for c in customers
    )
    sms_log = tmp_path / "sms.jsonl"
    env = subprocess_env(
        tmp_path,
        SMS_BACKEND="messaging.backends.sms.FileSMSBackend",
        SMS_FILE_PATH=str(sms_log),
        MESSAGING_RATE_LIMITS="sms=50",  # slow enough to be killed in the middle of a batch
        MESSAGING_BATCH_SIZE="40",
        MESSAGING_HANDOFF_GROUP=str(HANDOFF_GROUP),
        MESSAGING_LEASE_SECONDS="3",
        MESSAGING_QUIET_HOURS="",
        MESSAGING_DISPATCH_INTERVAL_SECONDS="1",
    )
    queue = env["CELERY_TASK_DEFAULT_QUEUE"]
    worker = celery_command("worker", "-l", "info", "--pool", "solo", "-Q", queue)
    beat = celery_command("beat", "-l", "info", "--max-interval", "1", "--pidfile=")

    with running({"beat": beat, "worker": worker}, env, tmp_path) as first:
        mid_batch = wait_until(
            lambda: len(_sent_lines(sms_log)) >= 60 and Message.objects.filter(status="sending").exists(),
            timeout=90,
            interval=0.05,
        )
        first["worker"].send_signal(signal.SIGKILL)
        first["worker"].wait(timeout=10)
        in_flight = Message.objects.filter(status="sending").count()
        unsent = Message.objects.exclude(status="sent").count()
        assert mid_batch and in_flight > 0, (
            f"not killed mid-batch: {len(_sent_lines(sms_log))} handed off, {in_flight} in flight, "
            f"{unsent} unsent\n" + (tmp_path / "worker.log").read_text()[-3000:]
        )
        assert unsent > in_flight

        with running({"worker-again": worker}, env, tmp_path):
            finished = wait_until(lambda: Message.objects.filter(status="sent").count() == RECIPIENTS, timeout=120)
        assert finished, (tmp_path / "worker-again.log").read_text()[-3000:]

    lines = _sent_lines(sms_log)
    delivered = [line["to"] for line in lines if not line.get("duplicate")]
    assert sorted(delivered) == sorted(c.phone for c in customers)  # each exactly once
    # Only the unconfirmed group of the moment of the kill can be handed off twice; the provider's
    # idempotency keys absorb it.
    assert sum(1 for line in lines if line.get("duplicate")) <= HANDOFF_GROUP
