"""Rechecks, a full refresh and customers changing, all at once on separate connections: the
history stays consistent (entered and exited alternate, nobody enters twice) and, once the marks
are drained, membership is exactly what the rules say."""

import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from audiences import signals
from audiences.models import MembershipRecheck, Segment, SegmentMembership, SegmentMembershipChange
from audiences.segments import recheck
from audiences.segments import services as segments
from audiences.services.customers import customer_upsert

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMERS = 40
ROUNDS = 3


def test_concurrent_rechecks_refreshes_and_changes_keep_history_consistent():
    segments.segment_create(
        code="dhaka", name="Dhaka", rules={"all": [{"field": "city", "op": "eq", "value": "Dhaka"}]}
    )
    for number in range(CUSTOMERS):
        customer_upsert(external_id=f"C-{number}", city="Dhaka" if number % 2 else "Sylhet")
    sent = []
    receiver = lambda sender, segment, entered, exited, **kwargs: sent.append((entered, exited))  # noqa: E731
    signals.segment_membership_changed.connect(receiver)
    start = threading.Barrier(4)

    def rechecker(_):
        start.wait(timeout=30)
        for _ in range(ROUNDS * 4):
            recheck.memberships_recheck(batch_size=7)

    def refresher(_):
        start.wait(timeout=30)
        for _ in range(ROUNDS):
            segments.segment_refresh(segment=Segment.objects.get(code="dhaka"))

    def changer(_):
        start.wait(timeout=30)
        for round_number in range(ROUNDS):
            for number in range(CUSTOMERS):
                city = "Dhaka" if (number + round_number) % 3 == 0 else "Sylhet"
                customer_upsert(external_id=f"C-{number}", city=city)

    def run(job):
        try:
            job(None)
        finally:
            connections.close_all()

    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            for future in [pool.submit(run, job) for job in (rechecker, rechecker, refresher, changer)]:
                future.result(timeout=300)
        recheck.memberships_recheck()
    finally:
        signals.segment_membership_changed.disconnect(receiver)

    assert not MembershipRecheck.objects.exists()
    expected = {f"C-{n}" for n in range(CUSTOMERS) if (n + ROUNDS - 1) % 3 == 0}
    members = set(SegmentMembership.objects.values_list("customer__external_id", flat=True))
    assert members == expected
    assert Segment.objects.get(code="dhaka").member_count == len(expected)
    kinds = defaultdict(list)
    for external_id, kind in SegmentMembershipChange.objects.order_by("changed_at", "pk").values_list(
        "customer__external_id", "kind"
    ):
        kinds[external_id].append(kind)
    for external_id, sequence in kinds.items():
        assert sequence == ["entered", "exited"] * (len(sequence) // 2) + ["entered"] * (len(sequence) % 2), external_id
        assert (sequence[-1] == "entered") == (external_id in expected), external_id
    assert sum(entered for entered, _ in sent) == sum(sequence.count("entered") for sequence in kinds.values())
    assert sum(exited for _, exited in sent) == sum(sequence.count("exited") for sequence in kinds.values())
