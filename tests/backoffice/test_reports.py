"""The Reports page: charts drawn on the server as SVG, each with its numbers as CSV, for those who may see them."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from audiences.models import CustomerScore, Order, RfmMovement, SegmentMembership, SegmentMembershipChange
from audiences.segments.services import segment_create
from audiences.services.customers import customer_upsert
from campaigns.journeys.models import Enrollment, Journey
from messaging.models import Message, TrackingEvent
from messaging.services.templates import template_create
from promotions.models import Redemption
from promotions.services.definitions import promotion_create
from tests.backoffice.conftest import signed_in, staff_in

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def rows_of(client, key: str) -> list[list[str]]:
    response = client.get(f"/admin/reports/{key}.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def clock():
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield


@pytest.fixture
def activity(clock):
    now = timezone.now()
    alice, bob = (customer_upsert(external_id=c)[0] for c in ("C-1", "C-2"))
    template = template_create(code="hi", name="Hi", channel="email", kind="marketing",
                               translations=[{"language": "en", "subject": "Hi", "html": "<p>Hi</p>"}])  # fmt: skip
    for n, (customer, status) in enumerate([(alice, "delivered"), (bob, "bounced"), (alice, "sent"), (bob, "sent")]):
        message = Message.objects.create(
            idempotency_key=f"m{n}", customer=customer, template=template, channel="sms" if n == 3 else "email",
            kind="marketing", topic="marketing", status=status, scheduled_for=now, sent_at=now - timedelta(days=n),
        )  # fmt: skip
        if n == 0:
            TrackingEvent.objects.create(provider="esp", event_id="e1", event_type="complained", message=message,
                                         occurred_at=now)  # fmt: skip
    promotion = promotion_create(name="Ten", reward={"type": "percentage", "value": "10"})
    for n, amount in enumerate(["5.00", "7.50"]):
        order = Order.objects.create(external_id=f"O-{n}", customer=alice, currency="BDT", placed_at=now,
                                     subtotal=Decimal(100), total=Decimal(95))  # fmt: skip
        Redemption.objects.create(order=order, promotion=promotion, customer=alice, amount=Decimal(amount),
                                  currency="BDT")  # fmt: skip
    segment = segment_create(code="vip", name="VIP", rules={"all": [{"field": "city", "op": "eq", "value": "x"}]})
    SegmentMembership.objects.create(segment=segment, customer=alice, entered_at=now)
    SegmentMembership.objects.create(segment=segment, customer=bob, entered_at=now)
    SegmentMembershipChange.objects.create(segment=segment, customer=bob, kind="entered", changed_at=now)
    CustomerScore.objects.create(customer=alice, rfm_r=5, rfm_f=1, computed_at=now)
    CustomerScore.objects.create(customer=bob, rfm_r=5, rfm_f=1, computed_at=now)


def test_a_marketer_reads_every_chart_and_its_numbers(marketer_admin, activity):
    page = marketer_admin.get("/admin/reports/").content.decode()
    for key in ("messages-sent-today", "redemptions", "discount-given", "deliverability", "segment-sizes", "rfm-grid"):
        assert f'id="report-{key}"' in page and f'href="/admin/reports/{key}.csv"' in page
    # Those six, and campaign sends and journey entries per day (zero lines); no campaign, journey switched on,
    # loyalty program or second scoring (RFM movement): "Nothing to show yet".
    assert page.count('<svg class="chart"') == 8 and "<script" not in page.split('id="reports"')[1]
    assert page.count('<p class="empty">Nothing to show yet.</p>') == 4
    assert rows_of(marketer_admin, "rfm-movement") == [["before \\ now"]]

    assert rows_of(marketer_admin, "messages-sent-today")[:3] == [["channel", "sent today"], ["email", "1"],
                                                                   ["sms", "0"]]  # fmt: skip
    assert rows_of(marketer_admin, "deliverability") == [
        ["channel", "bounce rate %", "complaint rate %", "sent", "bounced", "complaints"],
        ["email", "33.33", "33.33", "3", "1", "1"],
        ["sms", "0.00", "0.00", "1", "0", "0"],
    ]
    discount = rows_of(marketer_admin, "discount-given")
    assert discount[0] == ["day", "redemptions", "discount BDT"] and len(discount) == 31
    assert discount[-1] == ["2026-03-10", "2", "12.50"] and discount[-2] == ["2026-03-09", "0", "0.00"]
    sizes = rows_of(marketer_admin, "segment-sizes")
    assert sizes[0][:2] == ["day", "vip"]  # the largest first
    assert sizes[-1][:2] == ["2026-03-10", "2"] and sizes[-2][:2] == ["2026-03-09", "1"]
    grid = rows_of(marketer_admin, "rfm-grid")
    assert grid[1] == ["R5", "2", "0", "0", "0", "0"] and grid[-1] == ["R1", "0", "0", "0", "0", "0"]


def test_rfm_movement_shows_the_latest_scoring_by_group_before_and_now(marketer_admin, clock):
    earlier, latest = NOW - timedelta(days=2), NOW - timedelta(days=1)
    RfmMovement.objects.create(computed_at=earlier, from_group="new", to_group="lost", customers=99)
    for before, after, n in [("champions", "champions", 40), ("champions", "loyal", 7), ("", "new", 3),
                             ("potential_loyalist", "champions", 1_250)]:  # fmt: skip
        RfmMovement.objects.create(computed_at=latest, from_group=before, to_group=after, customers=n)

    labels = ["Champions", "Loyal", "Potential loyalist", "New", "No orders"]  # the groups of the latest run only
    assert rows_of(marketer_admin, "rfm-movement") == [
        ["before \\ now", *labels],
        ["Champions", "40", "7", "0", "0", "0"],
        ["Loyal", "0", "0", "0", "0", "0"],
        ["Potential loyalist", "1250", "0", "0", "0", "0"],
        ["New", "0", "0", "0", "0", "0"],
        ["No orders", "0", "0", "0", "3", "0"],
    ]
    section = marketer_admin.get("/admin/reports/").content.decode().split('id="report-rfm-movement"')[1]
    section = section.split("</section>")[0]
    assert "Scored 2026-03-09 " in section and "1,250" in section and section.count("<rect") == 25
    assert all(f">{label}</text>" in section for label in labels)
    assert 'href="/admin/reports/rfm-movement.csv"' in section


def test_the_reports_are_in_the_navigation_for_those_who_may_see_them(marketer_admin, analyst_admin):
    assert 'href="/admin/reports/"' in marketer_admin.get("/admin/").content.decode()
    assert analyst_admin.get("/admin/reports/").status_code == 200
    nobody = signed_in(staff_in(None, "nobody"))
    assert 'href="/admin/reports/"' not in nobody.get("/admin/").content.decode()
    assert "No report is open to you." in nobody.get("/admin/reports/").content.decode()
    assert nobody.get("/admin/reports/rfm-grid.csv").status_code == 404
    assert marketer_admin.get("/admin/reports/nothing.csv").status_code == 404


def test_journeys_switched_on_show_their_entries_conversions_and_lift(marketer_admin, clock):
    journey = Journey.objects.get(code="welcome")
    Journey.objects.filter(pk=journey.pk).update(active=True)
    version = journey.versions.order_by("-number").first()
    now = timezone.now()
    for n in range(20):
        customer = customer_upsert(external_id=f"C-{n}")[0]
        held = n < 10
        converted = n in (0, 10, 11, 12, 13)  # 1 of 10 held out, 4 of 10 sent the journey
        Enrollment.objects.create(
            version=version, customer=customer, bucket=n, entered_at=now - timedelta(days=1),
            status="holdout" if held else "converted" if converted else "completed",
            converted_at=now if converted else None,
        )  # fmt: skip

    assert rows_of(marketer_admin, "journeys")[1] == [journey.name, "20", "4", "10", "30.00"]
    daily = {day: (entered, converted) for day, entered, converted in rows_of(marketer_admin, "journeys-daily")[1:]}
    assert daily[(now - timedelta(days=1)).date().isoformat()] == ("20", "0")
    assert daily[now.date().isoformat()] == ("0", "5")
