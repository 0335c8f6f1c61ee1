"""Redis, the broker, crashes while messages are being sent and comes back empty: the worker and beat reconnect
on their own, and every recipient gets the message exactly once (the outbox is in the database; the broker only
carries the nudges, which beat sends again)."""

import json
import time

import pytest
from django.utils import timezone

from audiences.models import Consent, Customer
from config.setup import periodic_tasks_install
from messaging.models import Message, Template, TemplateTranslation
from tests.support.processes import celery_command, running, subprocess_env, wait_until
from tests.support.servers import redis_server

RECIPIENTS = 150


def _sent(path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_a_redis_crash_mid_send_loses_nobody_and_sends_nobody_twice(settings, tmp_path):
    settings.MESSAGING_DISPATCH_INTERVAL_SECONDS = 1
    periodic_tasks_install()
    template = Template.objects.create(code="flash", name="Flash sale", channel="sms", kind="marketing")
    TemplateTranslation.objects.create(template=template, language="en", body="Flash sale {{ customer.first_name }}")
    customers = Customer.objects.bulk_create(
        Customer(external_id=f"R-{n}", phone=f"+8801800{n:06d}", first_name=f"R{n}") for n in range(RECIPIENTS)
    )
    now = timezone.now()
    Consent.objects.bulk_create(
        Consent(customer=c, channel="sms", topic="marketing", status="opted_in", source="test", recorded_at=now)
        for c in customers
    )
    Message.objects.bulk_create(
        Message(idempotency_key=f"flash:{c.pk}", customer=c, template=template, channel="sms", kind="marketing",
                topic="marketing", scheduled_for=now)
        for c in customers
    )  # fmt: skip
    sms_log = tmp_path / "sms.jsonl"
    with redis_server(tmp_path) as redis:
        env = subprocess_env(
            tmp_path,
            CELERY_BROKER_URL=redis.url,
            SMS_BACKEND="messaging.backends.sms.FileSMSBackend",
            SMS_FILE_PATH=str(sms_log),
            MESSAGING_RATE_LIMITS="sms=30",  # slow enough for the crash to land mid-send
            MESSAGING_BATCH_SIZE="20",
            MESSAGING_LEASE_SECONDS="3",
            MESSAGING_QUIET_HOURS="",
            MESSAGING_DISPATCH_INTERVAL_SECONDS="1",
        )
        worker = celery_command("worker", "-l", "info", "--pool", "solo", "-Q", env["CELERY_TASK_DEFAULT_QUEUE"])
        beat = celery_command("beat", "-l", "info", "--max-interval", "1", "--pidfile=")
        with running({"beat": beat, "worker": worker}, env, tmp_path) as processes:
            started = wait_until(lambda: len(_sent(sms_log)) >= 30, timeout=90, interval=0.05)
            assert started, (tmp_path / "worker.log").read_text()[-3000:]
            redis.kill()
            handed_off_at_crash = len(_sent(sms_log))
            time.sleep(3)  # down for a while: the worker and beat see it gone
            redis.start()

            finished = wait_until(lambda: Message.objects.filter(status="sent").count() == RECIPIENTS, timeout=150)
            assert finished, (
                f"{Message.objects.filter(status='sent').count()} of {RECIPIENTS} sent\n"
                + (tmp_path / "worker.log").read_text()[-3000:]
                + (tmp_path / "beat.log").read_text()[-2000:]
            )
            assert all(process.poll() is None for process in processes.values()), "a process gave up"

    assert handed_off_at_crash < RECIPIENTS, "the crash came after the last send: it proved nothing"
    delivered = [line["to"] for line in _sent(sms_log) if not line.get("duplicate")]
    assert sorted(delivered) == sorted(c.phone for c in customers)  # each exactly once
