"""The load test's order, statement by statement: a returning member, four lines with categories, a shared code
beside automatic promotions, `on_unredeemable_code: drop`, committed with what runs on its commit
(docs/benchmarks.md, "The storefront's order: its commit's work in a worker, prebuilt claims")."""

from decimal import Decimal

import pytest
from django.db import connection

from promotions.models import Promotion, Redemption
from tests.promotions.conftest import create_promotion, evaluate, hdmi, place, rice, tv

pytestmark = pytest.mark.django_db


def _cart():
    return [
        {**tv(), "category": "tv"},
        {**hdmi(2), "category": "cables"},
        {**rice(3), "category": "grocery"},
        {**hdmi(), "category": "cables"},
    ]


def test_the_load_tests_order_takes_a_bounded_number_of_statements_with_its_commit(
    storefront,
    marketer,
    catalog,
    customer,
    program,
    queued,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    create_promotion(marketer, name="Site 5%", reward={"type": "percentage", "value": "5"})
    create_promotion(
        marketer, name="Shared", trigger="code", code="LOAD1", reward={"type": "fixed_amount", "value": "10"}
    )
    with django_capture_on_commit_callbacks(execute=True):  # a member already, their copies renewed on commit
        assert place(storefront, "O-1", _cart(), customer="C-1001", codes=["LOAD1"]).status_code == 201
    evaluate(storefront, _cart(), customer="C-1001", codes=["LOAD1"])  # the shopper's session: products cached
    # The versions with the repeat check; the code; the order with its lines, statistics and recheck mark; category
    # purchases; the member lock; the earn; the campaigns' assignments and touches; the promotions locked and
    # counted (one prebuilt statement), the code counted, the customer's uses, the redemptions; the answer; the
    # savepoint and its release standing in for BEGIN and COMMIT. On commit: the cache renewal (Redis) and one
    # message for the worker. It took 17 before (the order_placed receivers on commit, the claims through the ORM).
    with (
        django_assert_max_num_queries(15 if connection.vendor == "postgresql" else 24),
        django_capture_on_commit_callbacks(execute=True),
    ):
        order = place(
            storefront, "O-2", _cart(), customer="C-1001", codes=["LOAD1"], on_unredeemable_code="drop"
        )  # fmt: skip
    assert order.status_code == 201, order.json()
    body = order.json()
    assert (body["discount_total"], body["dropped_codes"], body["points_earned"]) == ("2792.50", [], 5285)
    redeemed = Redemption.objects.filter(order__external_id="O-2").values_list("amount", flat=True)
    assert sorted(redeemed) == [10, Decimal("2782.50")]
    assert sorted(Promotion.objects.values_list("used", flat=True)) == [2, 2]
