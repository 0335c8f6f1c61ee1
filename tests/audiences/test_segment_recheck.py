"""Live segment membership: a customer's data changes, the recheck moves them in or out of every
segment and writes the history the full refresh writes."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from audiences import signals, tasks
from audiences.communications import LogRow
from audiences.log_import import communications_log_import
from audiences.models import MembershipRecheck, Segment, SegmentMembership, SegmentMembershipChange
from audiences.segments import recheck
from audiences.segments import services as segments
from audiences.services.catalog import store_upsert
from audiences.services.consent import consent_record
from audiences.services.customers import customer_upsert
from audiences.services.events import EventInput, events_record
from audiences.services.orders import OrderLineInput, order_cancel, order_create
from config.setup import periodic_tasks_install

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(db):
    return store_upsert(code="DHK-01", name="Gulshan", timezone="Asia/Dhaka", currency="BDT")[0]


@pytest.fixture
def membership_signals():
    sent = []

    def receiver(sender, segment, entered, exited, changed_at, **kwargs):
        sent.append((segment.code, entered, exited))

    signals.segment_membership_changed.connect(receiver)
    yield sent
    signals.segment_membership_changed.disconnect(receiver)


def history(code: str) -> list[tuple[str, str]]:
    return list(
        SegmentMembershipChange.objects.filter(segment__code=code)
        .order_by("changed_at", "pk")
        .values_list("customer__external_id", "kind")
    )


def city_segment(code: str, city: str) -> Segment:
    return segments.segment_create(code=code, name=city, rules={"all": [{"field": "city", "op": "eq", "value": city}]})


def settled():
    """A sign-up date that puts a customer in no predefined segment: not new_30d, not inactive_90d."""
    return timezone.now() - timedelta(days=60)


def member_count(code: str) -> int:
    return Segment.objects.get(code=code).member_count


def test_a_customer_whose_complaint_is_resolved_shows_the_segment_after_the_recheck(storefront):
    storefront.put("/api/v1/customers/C-1", {"first_name": "Asha"}, format="json")
    complaint = {"customer": "C-1", "type": "complaint_opened"}
    assert storefront.post("/api/v1/events", complaint, format="json").status_code == 201
    tasks.segment_memberships_recheck()
    assert "complaint" not in storefront.get("/api/v1/customers/C-1").json()["segments"]  # still open

    resolution = {"customer": "C-1", "type": "complaint_resolved"}
    assert storefront.post("/api/v1/events", resolution, format="json").status_code == 201
    assert "complaint" not in storefront.get("/api/v1/customers/C-1").json()["segments"]

    assert tasks.segment_memberships_recheck() == 1

    assert "complaint" in storefront.get("/api/v1/customers/C-1").json()["segments"]
    assert history("complaint") == [("C-1", "entered")]
    assert member_count("complaint") == 1
    assert not MembershipRecheck.objects.exists()


def test_entries_and_exits_are_recorded_with_counts_and_one_signal_per_change(
    store, membership_signals, django_capture_on_commit_callbacks
):
    city_segment("dhaka", "Dhaka")
    for external_id in ("A", "B"):
        customer_upsert(external_id=external_id, city="Dhaka", signed_up_at=settled())
    with django_capture_on_commit_callbacks(execute=True):
        first = recheck.memberships_recheck()
    assert (first.entered, first.exited) == (2, 0)
    assert ("dhaka", 2, 0) in membership_signals

    customer_upsert(external_id="A", city="Sylhet")
    membership_signals.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = recheck.memberships_recheck()
    assert (second.customers, second.entered, second.exited) == (1, 0, 1)
    assert membership_signals == [("dhaka", 0, 1)]
    assert history("dhaka") == [("A", "entered"), ("B", "entered"), ("A", "exited")]
    assert member_count("dhaka") == 1 == SegmentMembership.objects.filter(segment__code="dhaka").count()

    customer_upsert(external_id="B", first_name="Bina")  # changed, but still in Dhaka
    membership_signals.clear()
    with django_capture_on_commit_callbacks(execute=True):
        third = recheck.memberships_recheck()
    assert (third.customers, third.entered, third.exited) == (1, 0, 0)
    assert membership_signals == []
    assert len(history("dhaka")) == 3


def test_every_kind_of_change_marks_the_customer(store):
    customer = customer_upsert(external_id="C-1")[0]
    marked = lambda: MembershipRecheck.objects.filter(customer=customer).count()  # noqa: E731
    assert marked() == 1
    consent_record(customer=customer, channel="sms", status="opted_in", source="test")
    assert marked() == 2
    events_record(events=[EventInput(customer=customer, type="product_viewed")] * 2)
    assert marked() == 3  # one mark per customer and call, not per event
    order = order_create(
        external_id="O-1",
        currency="BDT",
        placed_at=timezone.now(),
        customer=customer,
        lines=[OrderLineInput(sku="RICE", quantity=1, unit_price=Decimal("100.00"))],
    )
    assert marked() == 4
    order_cancel(order=order)
    assert marked() == 5
    order_cancel(order=order)  # already cancelled: nothing changed
    consent_record(
        customer=customer,
        channel="sms",
        status="opted_out",
        source="test",
        recorded_at=timezone.now() - timedelta(days=9),
    )  # older than the statement in force: nothing changed
    assert marked() == 5
    communications_log_import(
        rows=[LogRow(phone="+8801712345678", occurred_at=timezone.now(), text="hi", amount=Decimal(0), name="Rahim")],
        currency="BDT",
    )
    assert MembershipRecheck.objects.filter(customer__external_id="+8801712345678").count() == 1


def test_an_order_moves_a_customer_into_a_spend_segment_and_cancelling_moves_them_out(store, storefront):
    segments.segment_create(
        code="buyers", name="Buyers", rules={"all": [{"field": "orders_count", "op": "gte", "value": 1}]}
    )
    customer = customer_upsert(external_id="C-1", signed_up_at=settled())[0]
    order = order_create(
        external_id="O-1",
        currency="BDT",
        placed_at=timezone.now(),
        customer=customer,
        lines=[OrderLineInput(sku="RICE", quantity=2, unit_price=Decimal("100.00"))],
    )
    recheck.memberships_recheck()
    assert storefront.get("/api/v1/customers/C-1").json()["segments"] == ["buyers"]
    order_cancel(order=order)
    recheck.memberships_recheck()
    assert storefront.get("/api/v1/customers/C-1").json()["segments"] == []
    assert history("buyers") == [("C-1", "entered"), ("C-1", "exited")]


def test_running_twice_or_after_the_full_refresh_writes_nothing_more(store, membership_signals):
    city_segment("dhaka", "Dhaka")
    customer_upsert(external_id="A", city="Dhaka")
    segments.segment_refresh(segment=Segment.objects.get(code="dhaka"))  # the nightly refresh got there first
    marks = list(MembershipRecheck.objects.values_list("pk", flat=True))
    recheck.memberships_recheck()
    # The same marks evaluated again, as a redelivered task would.
    MembershipRecheck.objects.bulk_create(MembershipRecheck(customer_id=c, marked_at=timezone.now()) for c in
                                          SegmentMembership.objects.values_list("customer_id", flat=True))  # fmt: skip
    result = recheck.memberships_recheck()
    assert marks and (result.customers, result.entered, result.exited) == (1, 0, 0)
    assert history("dhaka") == [("A", "entered")]
    assert member_count("dhaka") == 1


def test_a_full_refresh_at_the_same_instant_as_a_recheck_writes_one_entered_row(store):
    city_segment("dhaka", "Dhaka")
    customer_upsert(external_id="A", city="Dhaka")
    customer_upsert(external_id="B", city="Dhaka")
    frozen = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=frozen):
        MembershipRecheck.objects.filter(customer__external_id="B").delete()  # B waits for the refresh
        recheck.memberships_recheck()
        result = segments.segment_refresh(segment=Segment.objects.get(code="dhaka"))
    assert (result.count, result.entered, result.exited) == (2, 1, 0)
    assert sorted(history("dhaka")) == [("A", "entered"), ("B", "entered")]


def test_a_batch_that_fails_halfway_writes_nothing_and_keeps_its_marks(store):
    segments.segment_create(code="a_city", name="A", rules={"all": [{"field": "city", "op": "eq", "value": "Dhaka"}]})
    segments.segment_create(code="b_city", name="B", rules={"all": [{"field": "city", "op": "ne", "value": "Arusha"}]})
    customer_upsert(external_id="A", city="Dhaka", signed_up_at=settled())
    real_apply = recheck._apply

    def die_on_second_segment(segment, **changes):
        if segment.code == "b_city":
            raise RuntimeError("worker killed")
        return real_apply(segment, **changes)

    with mock.patch.object(recheck, "_apply", die_on_second_segment), pytest.raises(RuntimeError):
        recheck.memberships_recheck()
    assert not SegmentMembershipChange.objects.exists()
    assert MembershipRecheck.objects.count() == 1

    result = recheck.memberships_recheck()
    assert (result.customers, result.entered) == (1, 2)
    assert not MembershipRecheck.objects.exists()


def test_batches_drain_a_backlog_and_a_broken_segment_does_not_hold_up_the_others(store):
    city_segment("dhaka", "Dhaka")
    segments.segment_create(code="nested", name="Nested", rules={"all": [{"segment": "dhaka"}]})
    Segment.objects.filter(code="nested").update(rules={"all": [{"segment": "gone"}]})
    for number in range(7):
        customer_upsert(external_id=f"C-{number}", city="Dhaka", signed_up_at=settled())
    result = recheck.memberships_recheck(batch_size=3)
    assert (result.customers, result.entered) == (7, 7)
    assert member_count("dhaka") == 7
    assert not SegmentMembership.objects.filter(segment__code="nested").exists()
    assert not MembershipRecheck.objects.exists()


def test_time_based_rules_are_evaluated_at_the_recheck_but_move_by_themselves_only_at_the_refresh(store):
    customer = customer_upsert(external_id="C-1")[0]
    events_record(events=[EventInput(customer=customer, type="complaint_opened", occurred_at=timezone.now())])
    events_record(events=[EventInput(customer=customer, type="complaint_resolved", occurred_at=timezone.now())])
    recheck.memberships_recheck()
    assert history("complaint") == [("C-1", "entered")]  # resolved within the last day, none open
    later = timezone.now() + timedelta(days=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert recheck.memberships_recheck().customers == 0  # nothing changed: no mark, no move
        assert history("complaint") == [("C-1", "entered")]
        segments.segment_refresh(segment=Segment.objects.get(code="complaint"))
    assert history("complaint") == [("C-1", "entered"), ("C-1", "exited")]


def test_the_recheck_runs_every_second_from_beat_and_stale_runs_do_not_pile_up():
    periodic_tasks_install()
    task = PeriodicTask.objects.get(task="audiences.segment_memberships_recheck")
    assert (task.interval.every, task.interval.period, task.expire_seconds) == (1, "seconds", 10)
    assert PeriodicTask.objects.get(task="audiences.segments_refresh_all").expire_seconds is None


def test_a_customer_edited_in_the_admin_is_rechecked(admin_client, store):
    city_segment("dhaka", "Dhaka")
    customer = customer_upsert(external_id="C-1", city="Sylhet", language="en")[0]
    recheck.memberships_recheck()
    form = admin_client.get(f"/admin/audiences/customer/{customer.pk}/change/").context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "attributes"}
    inlines = {f"{prefix}-{count}_FORMS": 0 for prefix in ("consents", "vehicles") for count in ("TOTAL", "INITIAL")}
    data.update(city="Dhaka", attributes="{}", **inlines)
    response = admin_client.post(f"/admin/audiences/customer/{customer.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    recheck.memberships_recheck()
    assert history("dhaka") == [("C-1", "entered")]


def test_the_refresh_history_is_found_by_its_time_as_the_recheck_history_is(store):
    city_segment("dhaka", "Dhaka")
    customer_upsert(external_id="A", city="Dhaka")
    refreshed = segments.segment_refresh(segment=Segment.objects.get(code="dhaka")).refreshed_at
    customer_upsert(external_id="A", city="Sylhet")
    recheck.memberships_recheck()
    at_refresh = SegmentMembershipChange.objects.filter(segment__code="dhaka", changed_at=refreshed)
    assert list(at_refresh.values_list("customer__external_id", "kind")) == [("A", "entered")]
    assert history("dhaka") == [("A", "entered"), ("A", "exited")]
