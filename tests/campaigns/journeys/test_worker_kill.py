"""A real process killed (SIGKILL) in the middle of a tick: the batch it was running writes nothing, and the
tick run again sends every step exactly once and loses no enrollment."""

import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.journeys import entry
from campaigns.journeys.entry import journey_enter
from campaigns.journeys.execution import step_runs_due_drain
from campaigns.journeys.models import StepRun
from messaging.models import Message
from tests.campaigns.conftest import people
from tests.campaigns.journeys.conftest import journey_of
from tests.support.processes import PROJECT_DIR, subprocess_env, wait_until

# The second batch's messages are queued in its open transaction, then the process hangs until killed.
TICK_KILLED_IN_ITS_SECOND_BATCH = """
import time
import django
django.setup()
from campaigns.journeys import batch, execution
real_enqueue, batches = batch.messages_enqueue, []
def enqueue(*, requests, **options):
    created = real_enqueue(requests=requests, **options)
    batches.append(created)
    if len(batches) == 2:
        print("second batch queued", flush=True)
        time.sleep(600)
    return created
batch.messages_enqueue = enqueue
execution.step_runs_due_drain(batch_size=50)
"""


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_a_tick_killed_mid_batch_sends_nothing_twice_and_loses_no_enrollment(sms_template, tmp_path, monkeypatch):
    monkeypatch.setattr(entry, "_tick_soon", lambda: None)  # only the processes below run steps
    version = journey_of(
        "killed",
        [("send", {}, [sms_template]), ("wait", {"wait": timedelta(hours=1)}, []), ("send", {}, [sms_template])],
    )
    customers = people(100)
    for customer in customers:
        journey_enter(version=version, customer_id=customer.pk, now=timezone.now())

    env = subprocess_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings")
    log = tmp_path / "tick.log"
    with open(log, "wb") as output:
        tick = subprocess.Popen(
            [sys.executable, "-c", TICK_KILLED_IN_ITS_SECOND_BATCH],
            cwd=PROJECT_DIR,
            env=env,
            stdout=output,
            stderr=output,
        )
        try:
            inside = wait_until(lambda: "second batch queued" in log.read_text(), timeout=120, interval=0.1)
        finally:
            tick.send_signal(signal.SIGKILL)
            tick.wait(timeout=10)
    assert inside, log.read_text()[-2000:]
    # The first batch committed; the second, killed before its commit, left nothing behind.
    assert Message.objects.count() == 50
    assert StepRun.objects.filter(position=1, status="pending").count() == 50

    # The database aborts the killed transaction when it sees the connection gone; until then SKIP LOCKED
    # passes those steps by, so the restarted tick drains until they are free.
    assert wait_until(lambda: step_runs_due_drain() >= 0 and Message.objects.count() == 100, timeout=60)
    keys = list(Message.objects.values_list("customer_id", "idempotency_key"))
    assert sorted(customer for customer, _ in keys) == sorted(customer.pk for customer in customers)
    assert all(key.endswith(":step:1") for _, key in keys)
    # Every enrollment goes on: its last send is pending, once, an hour later.
    assert StepRun.objects.filter(position=3, status="pending").count() == 100
    assert not StepRun.objects.exclude(status__in=["done", "pending"]).exists()
