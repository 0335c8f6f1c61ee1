"""A real beat starts a scheduled campaign; the worker running its launch is killed (SIGKILL) in the
middle; the beat's next tick resumes it on a new worker. Everyone is frozen once and sent once."""

import json
import signal
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from campaigns.models import Assignment, Campaign
from campaigns.services import campaign_create, campaign_launch
from config.setup import periodic_tasks_install
from messaging.models import Message
from tests.campaigns.conftest import people, segment_of
from tests.support.processes import celery_command, running, subprocess_env, wait_until

AUDIENCE = 2000


def _sent_phones(path) -> list[str]:
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [line["to"] for line in lines if not line.get("duplicate")]


def _tick_every_second() -> None:
    """The declared schedule is each minute; the same tasks every second keep the test short."""
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(name__in=["campaigns.advance_lifecycle", "messaging.outbox_dispatch"]).update(
        interval=every_second, crontab=None
    )


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_beat_starts_it_and_a_worker_killed_mid_launch_sends_nobody_twice(sms_template, tmp_path):
    periodic_tasks_install()
    _tick_every_second()
    members = people(AUDIENCE)
    campaign = campaign_create(
        name="Flash sale",
        include_segments=[segment_of("everyone", members)],
        holdout_percent=Decimal(10),
        starts_at=timezone.now() + timedelta(seconds=3),
        ends_at=timezone.now() + timedelta(days=1),
        variants=[{"name": "A", "template": sms_template}],
    )
    assert campaign_launch(campaign=campaign).status == "scheduled"
    sms_log = tmp_path / "sms.jsonl"
    env = subprocess_env(
        tmp_path,
        SMS_BACKEND="messaging.backends.sms.FileSMSBackend",
        SMS_FILE_PATH=str(sms_log),
        MESSAGING_QUIET_HOURS="",
        CAMPAIGN_LAUNCH_BATCH_SIZE="20",
        CAMPAIGN_LAUNCH_STALE_SECONDS="3",
    )
    worker = celery_command("worker", "-l", "info", "--pool", "solo", "-Q", env["CELERY_TASK_DEFAULT_QUEUE"])
    beat = celery_command("beat", "-l", "info", "--max-interval", "1", "--pidfile=")

    def launch_state() -> Campaign:
        return Campaign.objects.get(pk=campaign.pk)

    with running({"beat": beat, "worker": worker}, env, tmp_path) as first:
        mid_launch = wait_until(
            lambda: 0 < launch_state().frozen < AUDIENCE // 2 and launch_state().launch_finished_at is None,
            timeout=90,
            interval=0.05,
        )
        first["worker"].send_signal(signal.SIGKILL)
        first["worker"].wait(timeout=10)
        killed_at = launch_state()
        logs = (tmp_path / "worker.log").read_text()[-3000:]
        assert mid_launch and killed_at.status == "running", logs
        assert killed_at.launch_finished_at is None, f"the launch finished before the kill: {killed_at.frozen}"

        with running({"worker-again": worker}, env, tmp_path):
            finished = wait_until(
                lambda: (
                    launch_state().launch_finished_at is not None
                    and Message.objects.filter(campaign_id=campaign.pk, status="sent").count() == launch_state().queued
                ),
                timeout=150,
            )
        assert finished, (tmp_path / "worker-again.log").read_text()[-3000:]

    done = launch_state()
    assignments = dict(Assignment.objects.filter(campaign=campaign).values_list("customer_id", "status"))
    assert len(assignments) == done.frozen == AUDIENCE
    treated = {c.phone for c in members if assignments[c.pk] != "holdout"}
    assert done.held_out == AUDIENCE - len(treated) > 0
    assert (
        Counter(Message.objects.filter(campaign_id=campaign.pk).values_list("customer_id", flat=True)).most_common(1)[
            0
        ][1]
        == 1
    )
    phones = _sent_phones(sms_log)
    assert Counter(phones).most_common(1)[0][1] == 1  # nobody twice
    assert set(phones) == treated  # everyone treated, nobody in the holdout
