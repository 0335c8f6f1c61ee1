"""Item 4: a promotion's money thresholds (`min_subtotal`, tier thresholds) read one subtotal,
taken as its stage starts: the whole cart's (`subtotal_basis: cart`, the default) or only its
targeted lines' (`targeted`). Carts here mix targeted (tv) and untargeted (grocery) lines."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from hypothesis import given, settings
from hypothesis import strategies as st

from promotions.engine.definition import parse_eligibility
from promotions.engine.parsing import DefinitionError
from tests.promotions.conftest import create_promotion, evaluate, rice, tv
from tests.promotions.engine_helpers import line, price, rule

D = Decimal
TV_ONLY = {"categories": ["tv"]}
TEN_PERCENT = {"type": "percentage", "value": "10"}
TIERS = {"type": "tiered", "tiers": [{"min_subtotal": "100.00", "amount": "10.00"},
                                     {"min_subtotal": "200.00", "amount": "30.00"}]}  # fmt: skip


def mixed_cart(tv_price="80.00", grocery_price="150.00"):
    return [line("TV", 1, tv_price, ["tv"]), line("RICE", 1, grocery_price, ["grocery"])]


def test_min_subtotal_on_the_cart_counts_untargeted_lines():
    promotion = rule(1, TEN_PERCENT, target=TV_ONLY, eligibility={"min_subtotal": "200.00"})
    result = price(mixed_cart(), [promotion])  # 80 + 150 = 230 >= 200
    assert [item.discount for item in result.lines] == [D("8.00"), D("0.00")]


def test_min_subtotal_on_targeted_lines_ignores_the_rest():
    promotion = rule(1, TEN_PERCENT, target=TV_ONLY,
                     eligibility={"min_subtotal": "200.00", "subtotal_basis": "targeted"})  # fmt: skip
    assert price(mixed_cart(), [promotion]).discount_total == D(0)  # the TV alone is 80
    assert price(mixed_cart(tv_price="200.00"), [promotion]).discount_total == D("20.00")


def test_tier_thresholds_follow_the_same_basis():
    on_cart = rule(1, TIERS, target=TV_ONLY)
    on_targeted = rule(1, TIERS, target=TV_ONLY, eligibility={"subtotal_basis": "targeted"})
    # 230 in the cart reaches the 30.00 tier; the TV alone (80) reaches none. The discount is
    # taken off the targeted line either way.
    assert [item.discount for item in price(mixed_cart(), [on_cart]).lines] == [D("30.00"), D("0.00")]
    assert price(mixed_cart(), [on_targeted]).discount_total == D(0)
    assert price(mixed_cart(tv_price="120.00"), [on_targeted]).discount_total == D("10.00")


def test_tier_threshold_is_read_as_the_stage_starts_like_min_subtotal():
    # Both order-level: the 50.00 off comes first (higher priority) yet the tier is chosen on the
    # 230 the cart had when the order stage started, as min_subtotal is.
    first = rule(1, {"type": "fixed_amount", "value": "50.00"}, priority=5)
    tiered = rule(2, TIERS)
    result = price(mixed_cart(), [first, tiered])
    assert sorted((a.name, a.amount) for a in result.applied) == [("promotion 1", D("50.00")),
                                                                  ("promotion 2", D("30.00"))]  # fmt: skip


def test_an_unknown_basis_names_the_field():
    with pytest.raises(DefinitionError) as error:
        parse_eligibility({"subtotal_basis": "lines"})
    assert error.value.field == "eligibility.subtotal_basis"


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 50_000), st.lists(st.integers(0, 50_000), max_size=4), st.integers(0, 60_000))
def test_a_targeted_basis_does_not_see_untargeted_lines(tv_cents, other_cents, threshold_cents):
    promotion = rule(1, TEN_PERCENT, target=TV_ONLY, eligibility={
        "min_subtotal": str(D(threshold_cents) / 100), "subtotal_basis": "targeted"})  # fmt: skip
    alone = price([line("TV", 1, D(tv_cents) / 100, ["tv"])], [promotion])
    others = [line(f"G{n}", 1, D(cents) / 100, ["grocery"]) for n, cents in enumerate(other_cents)]
    mixed = price([line("TV", 1, D(tv_cents) / 100, ["tv"]), *others], [promotion])
    assert mixed.discount_total == alone.discount_total
    assert (alone.discount_total > 0) == (tv_cents >= threshold_cents and tv_cents >= 5)


@pytest.mark.django_db
def test_through_the_api_both_bases_on_a_tv_and_rice_cart(storefront, marketer, catalog):
    create_promotion(marketer, name="Cart", target={"categories": ["tv"]},
                     eligibility={"min_subtotal": "54050.00"})  # fmt: skip
    create_promotion(marketer, name="Targeted", target={"categories": ["tv"]},
                     eligibility={"min_subtotal": "54050.00", "subtotal_basis": "targeted"})  # fmt: skip
    result = evaluate(storefront, [tv(), rice()])  # 54,000 of TV and 100 of rice
    assert [applied["name"] for applied in result["applied"]] == ["Cart"]
    create_promotion(marketer, trigger="code", code="TVSPEND", target={"categories": ["tv"]},
                     eligibility={"min_subtotal": "54050.00", "subtotal_basis": "targeted"})  # fmt: skip
    refused = evaluate(storefront, [tv(), rice()], codes=["TVSPEND"])["codes"][0]
    assert (refused["reason"], refused["message"]) == (
        "min_subtotal_not_met",
        "Spend at least 54050.00 BDT on the items this code covers to use it.",
    )
    body = marketer.post("/api/v1/promotions", {"name": "Bad", "reward": TEN_PERCENT,
                                                "eligibility": {"subtotal_basis": "whole"}}, format="json")  # fmt: skip
    assert body.status_code == 400 and "eligibility.subtotal_basis" in body.json()["fields"]


@pytest.mark.django_db
def test_migration_keeps_targeted_tiered_promotions_on_their_lines(marketer, catalog):
    targeted = create_promotion(marketer, name="Tiered TV", target=TV_ONLY, reward=TIERS)
    whole = create_promotion(marketer, name="Tiered cart", reward=TIERS)
    Promotion = django_apps.get_model("promotions", "Promotion")
    Promotion.objects.filter(pk=targeted["id"]).update(eligibility={})  # as stored before the basis existed
    migration = importlib.import_module("promotions.migrations.0003_tiered_thresholds_on_targeted_lines")
    migration.keep_targeted_basis(django_apps, None)
    assert Promotion.objects.get(pk=targeted["id"]).eligibility == {"subtotal_basis": "targeted"}
    assert Promotion.objects.get(pk=whole["id"]).eligibility == {}


@pytest.mark.django_db
def test_migration_keeps_whole_cart_tiered_promotions_with_exclusions_off_the_excluded_lines(marketer, catalog):
    no_gift_cards = {"exclude_skus": ["GIFTCARD"]}
    excluding = create_promotion(marketer, name="Tiered, no gift cards", target=no_gift_cards, reward=TIERS)
    Promotion = django_apps.get_model("promotions", "Promotion")
    Promotion.objects.filter(pk=excluding["id"]).update(eligibility={})  # as stored before the basis existed
    migration = importlib.import_module("promotions.migrations.0003_tiered_thresholds_on_targeted_lines")
    migration.keep_targeted_basis(django_apps, None)
    migrated = Promotion.objects.get(pk=excluding["id"]).eligibility
    assert migrated == {"subtotal_basis": "targeted"}
    # 40 of shirt and 150 of gift card: before the basis existed the tiers read 40 and gave nothing.
    cart = [line("SHIRT", 1, "40.00", ["apparel"]), line("GIFTCARD", 1, "150.00", ["cards"])]
    assert price(cart, [rule(1, TIERS, target=no_gift_cards, eligibility=migrated)]).discount_total == D("0.00")
