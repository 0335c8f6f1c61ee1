from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from audiences.models import CustomerScore, RfmGroup, Segment
from audiences.rfm import rfm_group
from audiences.scoring import scores_recompute
from audiences.segments import services as segments
from audiences.segments.selectors import matching_customers
from audiences.services.catalog import store_upsert
from audiences.services.customers import customer_upsert
from audiences.services.events import EventInput, events_record
from audiences.services.orders import OrderLineInput, order_create


@pytest.mark.parametrize(
    ("r", "f", "group"),
    [
        (5, 5, "champions"),
        (5, 4, "champions"),
        (4, 5, "loyal"),
        (3, 4, "loyal"),
        (5, 2, "potential_loyalist"),
        (5, 1, "new"),
        (4, 1, "promising"),
        (3, 2, "needs_attention"),
        (2, 5, "cant_lose"),
        (1, 3, "at_risk"),
        (2, 1, "hibernating"),
        (1, 1, "lost"),
        (None, None, "lost"),
    ],
)
def test_rfm_group_table(r, f, group):
    assert rfm_group(r, f) == group


def test_every_rf_pair_has_exactly_one_of_the_ten_groups():
    groups = {rfm_group(r, f) for r in range(1, 6) for f in range(1, 6)}
    assert groups == set(RfmGroup.values)


@pytest.fixture
def ten_buyers(db):
    """Customer Q-i (i = 1..10) placed i orders of 100*i each, the last (11-i)*10+5 days ago,
    the others 20 days apart before it: recency, frequency and spend all rise with i, so each
    quintile holds exactly two customers: R = F = M = ceil(i / 2)."""
    now = timezone.now()
    for i in range(1, 11):
        customer = customer_upsert(external_id=f"Q-{i:02d}")[0]
        for k in range(i):
            order_create(
                external_id=f"O-{i}-{k}",
                currency="BDT",
                placed_at=now - timedelta(days=(11 - i) * 10 + 5 + 20 * k),
                customer=customer,
                lines=[OrderLineInput(sku="X", quantity=1, unit_price=Decimal(100 * i))],
            )
    lapsed = customer_upsert(external_id="LAPSED")[0]
    order_create(
        external_id="O-OLD",
        currency="BDT",
        placed_at=now - timedelta(days=500),
        customer=lapsed,
        lines=[OrderLineInput(sku="X", quantity=1, unit_price=Decimal(999))],
    )
    customer_upsert(external_id="NEVER")
    top = customer_upsert(external_id="Q-10")[0]
    clicks = [EventInput(customer=top, type="message_clicked", occurred_at=now - timedelta(days=3))] * 4
    events_record(events=[*clicks, EventInput(customer=top, type="signed_up")])
    nine = customer_upsert(external_id="Q-09")[0]
    events_record(events=[EventInput(customer=nine, type="message_replied", occurred_at=now - timedelta(days=1))] * 30)
    return now


@pytest.mark.django_db
def test_rfm_quintiles_groups_and_scores(ten_buyers):
    assert scores_recompute(now=ten_buyers) == 12
    scores = {s.customer.external_id: s for s in CustomerScore.objects.select_related("customer")}
    for i in range(1, 11):
        score = scores[f"Q-{i:02d}"]
        quintile = (i + 1) // 2
        assert (score.rfm_r, score.rfm_f, score.rfm_m) == (quintile, quintile, quintile), i
        assert score.loyalty_score == (3 * quintile - 3) * 100 // 12
    assert [scores[f"Q-{i:02d}"].rfm_segment for i in (1, 3, 5, 7, 9)] == [
        "lost",
        "hibernating",
        "needs_attention",
        "loyal",
        "champions",
    ]
    assert scores["LAPSED"].rfm_segment == "lost"
    assert scores["LAPSED"].rfm_r is None
    assert scores["LAPSED"].lifetime_value == Decimal("999.000")
    assert scores["NEVER"].rfm_segment == ""
    assert scores["NEVER"].avg_order_value is None

    top = scores["Q-10"]
    assert top.window_orders == 10
    assert top.lifetime_value == Decimal("10000.000")
    assert top.avg_order_value == Decimal("1000.000")
    assert top.engagement_score == 60  # 4 clicks x 3 points x 5; signed_up does not count
    assert scores["Q-09"].engagement_score == 100  # capped
    # 4 orders in the last 90 days against 6 in the 275 days before them.
    assert top.frequency_trend == Decimal(str(round((4 / 90) / (6 / 275) - 1, 3)))
    assert top.spend_trend == Decimal("0.000")


@pytest.mark.django_db
def test_score_fields_in_segments_and_the_loyal_segment(ten_buyers):
    scores_recompute(now=ten_buyers)
    rules = {"all": [{"field": "rfm_segment", "op": "in", "value": ["champions", "loyal"]}]}
    assert set(matching_customers(rules).values_list("external_id", flat=True)) == {
        "Q-07",
        "Q-08",
        "Q-09",
        "Q-10",
    }
    never_ordered = {"all": [{"field": "rfm_segment", "op": "exists", "value": False}]}
    assert set(matching_customers(never_ordered).values_list("external_id", flat=True)) == {"NEVER"}
    loyal = Segment.objects.get(code="loyal")
    assert set(matching_customers(loyal.rules).values_list("external_id", flat=True)) == {"Q-09", "Q-10"}
    assert segments.segment_refresh(segment=loyal).count == 2


@pytest.mark.django_db
def test_recompute_replaces_previous_scores(ten_buyers):
    scores_recompute(now=ten_buyers)
    scores_recompute(now=ten_buyers + timedelta(days=400))
    assert CustomerScore.objects.count() == 12
    assert set(CustomerScore.objects.values_list("rfm_segment", flat=True)) == {"lost", ""}


@pytest.mark.django_db
def test_money_is_ranked_within_each_currency():
    """Five BDT and five TZS customers: TZS amounts are 40x larger, yet each currency has its own
    top spender (rfm_m 5) and a BDT customer's TZS order is not added to their BDT spend."""
    store_upsert(code="DHK", name="Dhaka", timezone="Asia/Dhaka", currency="BDT")
    store_upsert(code="DAR", name="Dar", timezone="Africa/Dar_es_Salaam", currency="TZS")
    now = timezone.now()
    for store, currency, scale in (("DHK", "BDT", 100), ("DAR", "TZS", 4000)):
        for i in range(1, 6):
            customer = customer_upsert(external_id=f"{currency}-{i}", store=store)[0]
            order_create(
                external_id=f"O-{currency}-{i}",
                currency=currency,
                placed_at=now - timedelta(days=10 * i),
                customer=customer,
                lines=[OrderLineInput(sku="X", quantity=1, unit_price=Decimal(scale * i))],
            )
    order_create(
        external_id="O-BDT-1-TRIP",
        currency="TZS",
        placed_at=now - timedelta(days=3),
        customer=customer_upsert(external_id="BDT-1")[0],
        lines=[OrderLineInput(sku="X", quantity=1, unit_price=Decimal(1_000_000))],
    )
    scores_recompute(now=now)
    monetary = dict(CustomerScore.objects.values_list("customer__external_id", "rfm_m"))
    assert [monetary[f"BDT-{i}"] for i in range(1, 6)] == [1, 2, 3, 4, 5]
    assert [monetary[f"TZS-{i}"] for i in range(1, 6)] == [1, 2, 3, 4, 5]
    trip = CustomerScore.objects.get(customer__external_id="BDT-1")
    assert (trip.window_spend, trip.lifetime_value, trip.window_orders) == (Decimal(100), Decimal(100), 2)
