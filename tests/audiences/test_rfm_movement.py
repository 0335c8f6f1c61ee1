"""RFM movement: each scoring run counts, set-based, the customers who went from one group to another since the run
before (audiences/scoring.py), and keeps every run's counts."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from audiences.models import CustomerScore, RfmMovement
from audiences.scoring import scores_recompute
from audiences.selectors import rfm_movement_latest
from audiences.services.customers import customer_upsert
from audiences.services.orders import OrderLineInput, order_create

pytestmark = pytest.mark.django_db
FIRST = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
SECOND = FIRST + timedelta(days=10)


def order(external_id: str, customer, placed_at: datetime, amount: int) -> None:
    order_create(external_id=external_id, currency="BDT", placed_at=placed_at, customer=customer,
                 lines=[OrderLineInput(sku="X", quantity=1, unit_price=Decimal(amount))])  # fmt: skip


@pytest.fixture
def two_scorings():
    """Q-i (i = 1..10) placed i orders, the last (11-i)*10+5 days before FIRST and the others 20 days apart: at FIRST
    each quintile holds two of them (R = F = ceil(i / 2)), LAPSED's only order is out of the window and NEVER has
    none. NEVER orders between the runs and LATE signs up; at SECOND the eleven buyers split 3, 2, 2, 2, 2:

    Q-01, Q-02  lost -> lost           Q-07, Q-08  loyal -> loyal (R3 F4, R4 F4)
    Q-03, Q-04  hibernating -> same    Q-09        champions -> loyal (R4 F5)
    Q-05        needs attention -> at risk (R2 F3)   Q-10   champions -> champions
    Q-06        needs attention -> same (R3 F3)      NEVER  no orders -> new (R5 F1)
    LAPSED      lost -> lost           LATE        scored for the first time: not counted
    """
    for i in range(1, 11):
        customer = customer_upsert(external_id=f"Q-{i:02d}")[0]
        for k in range(i):
            order(f"O-{i}-{k}", customer, FIRST - timedelta(days=(11 - i) * 10 + 5 + 20 * k), 100 * i)
    order("O-OLD", customer_upsert(external_id="LAPSED")[0], FIRST - timedelta(days=500), 999)
    never = customer_upsert(external_id="NEVER")[0]
    assert scores_recompute(now=FIRST) == 12
    order("O-FIRST", never, SECOND - timedelta(days=5), 50)
    customer_upsert(external_id="LATE")
    assert scores_recompute(now=SECOND) == 13


def moved_at(computed_at: datetime) -> dict[tuple[str, str], int]:
    rows = RfmMovement.objects.filter(computed_at=computed_at)
    return {(row.from_group, row.to_group): row.customers for row in rows}


def test_a_run_counts_the_customers_moved_between_groups_since_the_run_before(two_scorings):
    groups = dict(CustomerScore.objects.values_list("customer__external_id", "rfm_segment"))
    assert [groups[f"Q-{i:02d}"] for i in (5, 9)] == ["at_risk", "loyal"] and groups["NEVER"] == "new"
    assert not RfmMovement.objects.filter(computed_at=FIRST).exists()  # nothing scored before the first run
    assert moved_at(SECOND) == {
        ("lost", "lost"): 3,
        ("hibernating", "hibernating"): 2,
        ("needs_attention", "at_risk"): 1,
        ("needs_attention", "needs_attention"): 1,
        ("loyal", "loyal"): 2,
        ("champions", "loyal"): 1,
        ("champions", "champions"): 1,
        ("", "new"): 1,
    }


def test_every_run_keeps_its_counts_and_the_latest_is_the_one_shown(two_scorings):
    assert rfm_movement_latest() == (SECOND, moved_at(SECOND))
    third = SECOND + timedelta(days=400)  # every order is out of the window: the buyers are all lost
    scores_recompute(now=third)
    assert moved_at(third) == {
        ("lost", "lost"): 3,
        ("hibernating", "lost"): 2,
        ("at_risk", "lost"): 1,
        ("needs_attention", "lost"): 1,
        ("loyal", "lost"): 3,
        ("champions", "lost"): 1,
        ("new", "lost"): 1,
        ("", ""): 1,
    }
    assert sum(moved_at(SECOND).values()) == 12 and rfm_movement_latest()[0] == third


def test_before_any_second_scoring_there_is_no_movement(db):
    customer_upsert(external_id="ONLY")
    scores_recompute(now=FIRST)
    assert rfm_movement_latest() == (None, {})
