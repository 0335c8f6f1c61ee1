"""A real worker killed (SIGKILL) in the middle of a recheck batch: nothing of the batch is
written, no mark is lost, and the next worker enters every customer exactly once."""

import signal

import pytest

from audiences.models import Customer, MembershipRecheck, Segment, SegmentMembership, SegmentMembershipChange
from audiences.segments import recheck
from config.setup import periodic_tasks_install
from tests.support.processes import celery_command, running, subprocess_env, wait_until

CUSTOMERS = 2000  # with SEGMENTS, a batch of about 3 s: the kill at 0.5 s lands inside it
SEGMENTS = 20


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_no_mark_and_enters_nobody_twice(settings, tmp_path):
    settings.SEGMENT_RECHECK_INTERVAL_SECONDS = 1
    periodic_tasks_install()
    Segment.objects.bulk_create(
        Segment(
            code=f"s{number:02d}",
            name=f"S{number}",
            rules={"all": [{"field": "city", "op": "ne", "value": f"X{number}"}]},
        )
        for number in range(SEGMENTS)
    )
    customers = Customer.objects.bulk_create(Customer(external_id=f"K-{n}", city="Dhaka") for n in range(CUSTOMERS))
    recheck.customers_mark_changed(customer_ids=[customer.pk for customer in customers])
    env = subprocess_env(tmp_path, SEGMENT_RECHECK_INTERVAL_SECONDS="1", SEGMENT_RECHECK_BATCH_SIZE=str(CUSTOMERS))
    worker = celery_command("worker", "-l", "info", "--pool", "solo", "-Q", env["CELERY_TASK_DEFAULT_QUEUE"])
    beat = celery_command("beat", "-l", "info", "--max-interval", "1", "--pidfile=")
    log = tmp_path / "worker.log"

    with running({"beat": beat, "worker": worker}, env, tmp_path) as first:
        started = wait_until(
            lambda: log.exists() and "segment_memberships_recheck[" in log.read_text(), timeout=90, interval=0.05
        )
        wait_until(lambda: False, timeout=0.5)  # into the batch, well before its end
        first["worker"].send_signal(signal.SIGKILL)
        first["worker"].wait(timeout=10)
        assert started, log.read_text()[-2000:]
        assert MembershipRecheck.objects.count() == CUSTOMERS, "the batch finished before the kill"
        assert not SegmentMembership.objects.exists()

        with running({"worker-again": worker}, env, tmp_path):
            drained = wait_until(lambda: not MembershipRecheck.objects.exists(), timeout=120)
        assert drained, (tmp_path / "worker-again.log").read_text()[-2000:]

    assert SegmentMembership.objects.count() == CUSTOMERS * SEGMENTS
    assert SegmentMembershipChange.objects.filter(kind="entered").count() == CUSTOMERS * SEGMENTS
    assert not SegmentMembershipChange.objects.filter(kind="exited").exists()
