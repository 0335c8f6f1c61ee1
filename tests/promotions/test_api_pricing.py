"""carts/evaluate through HTTP: targeting, stacking, rounding, currencies (each reward type: rewards/)."""

import pytest

from tests.promotions.conftest import create_promotion, evaluate, hdmi, rice, tv

pytestmark = pytest.mark.django_db


def discounts(result):
    return [line["discount"] for line in result["lines"]]


def test_percentage_with_cap_on_a_category_and_its_descendants(storefront, marketer, catalog):
    create_promotion(
        marketer,
        name="Electronics 15%",
        target={"categories": ["electronics"], "exclude_skus": ["HDMI-2"]},
        reward={"type": "percentage", "value": "15", "max_discount": "5000.00"},
    )
    result = evaluate(storefront, [tv(), hdmi(3), rice()], shipping_price="120.00")
    assert discounts(result) == ["5000.00", "0.00", "0.00"]
    assert result["subtotal"] == "55450.00"
    assert result["total"] == "50570.00"
    assert result["applied"][0]["name"] == "Electronics 15%"
    assert result["applied"][0]["reward"] == "percentage"


def test_unknown_sku_uses_the_lines_category(storefront, marketer, catalog):
    create_promotion(marketer, target={"categories": ["cables"]}, reward={"type": "fixed_price", "value": "99.00"})
    result = evaluate(storefront, [{"sku": "USB-C", "quantity": 2, "unit_price": "300.00", "category": "cables"}])
    assert result["total"] == "198.00"


def test_brand_targeting(storefront, marketer, catalog):
    create_promotion(
        marketer, target={"brands": ["Walton"]}, reward={"type": "fixed_amount", "value": "1000", "per": "item"}
    )
    result = evaluate(storefront, [tv(2), hdmi()])
    assert discounts(result) == ["2000.00", "0.00"]


def test_stacking_combinable_promotions_apply_in_priority_order(storefront, marketer, catalog):
    create_promotion(marketer, name="Low", priority=1, reward={"type": "fixed_amount", "value": "10", "per": "order"})
    create_promotion(marketer, name="High", priority=9, reward={"type": "percentage", "value": "50"})
    result = evaluate(storefront, [rice()])
    assert [a["name"] for a in result["applied"]] == ["High", "Low"]
    assert result["total"] == "40.00"


def test_exclusive_best_for_customer_wins_and_the_other_code_is_refused(storefront, marketer, catalog):
    create_promotion(marketer, name="Auto 5%", reward={"type": "percentage", "value": "5"})
    create_promotion(
        marketer, name="Ten off", trigger="code", code="TEN", reward={"type": "fixed_amount", "value": "10"}
    )
    create_promotion(marketer, name="Big", trigger="code", code="big40", stacking="exclusive",
                     reward={"type": "percentage", "value": "40"})  # fmt: skip
    result = evaluate(storefront, [rice()], codes=["ten", "BIG40"])
    assert [a["name"] for a in result["applied"]] == ["Big"]
    assert result["total"] == "60.00"
    assert result["codes"][0]["reason"] == "not_combinable"
    assert result["codes"][1] == {"code": "BIG40", "status": "applied"}
    # Without the exclusive code the combinable ones stack.
    assert evaluate(storefront, [rice()], codes=["TEN"])["total"] == "85.00"


def test_three_way_split_of_ten_cents(storefront, marketer, catalog):
    create_promotion(marketer, reward={"type": "fixed_amount", "value": "0.10", "per": "order"})
    lines = [{"sku": f"S{n}", "quantity": 1, "unit_price": "1.00"} for n in range(3)]
    result = evaluate(storefront, lines, currency="USD")
    assert discounts(result) == ["0.04", "0.03", "0.03"]
    assert result["discount_total"] == "0.10"
    assert result["total"] == "2.90"


def test_jpy_has_no_minor_unit_and_kwd_has_three(storefront, marketer, catalog):
    create_promotion(marketer, reward={"type": "percentage", "value": "12.5"})
    jpy = evaluate(storefront, [{"sku": "A", "quantity": 3, "unit_price": "333"}], currency="JPY")
    assert jpy["discount_total"] == "125" and jpy["total"] == "874"
    kwd = evaluate(storefront, [{"sku": "A", "quantity": 1, "unit_price": "1.005"}], currency="KWD")
    assert kwd["discount_total"] == "0.126" and kwd["total"] == "0.879"


def test_amount_finer_than_the_currency_is_a_400_naming_the_line(storefront, catalog):
    response = storefront.post(
        "/api/v1/carts/evaluate",
        {"currency": "JPY", "lines": [{"sku": "A", "quantity": 1, "unit_price": "10.5"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["lines"]["0"]["unit_price"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"currency": "XXX", "lines": [{"sku": "A", "quantity": 1, "unit_price": "1"}]}, "currency"),
        ({"currency": "BDT", "lines": []}, "lines"),
        ({"currency": "BDT", "lines": [{"sku": "A", "quantity": 0, "unit_price": "1"}]}, "lines"),
        ({"currency": "BDT", "lines": [{"sku": "A", "quantity": 1, "unit_price": "-1"}]}, "lines"),
        ({"currency": "BDT", "store": "NOPE", "lines": [{"sku": "A", "quantity": 1, "unit_price": "1"}]}, "store"),
        ({"currency": "BDT", "lines": [{"sku": "A", "quantity": 1, "unit_price": "9999999999999.999"}]}, "lines"),
        ({"currency": "BDT", "lines": [{"sku": "A", "quantity": 1000, "unit_price": "10000000000.00"}]}, "lines"),
        (
            {"currency": "BDT", "lines": [{"sku": "A", "quantity": 1, "unit_price": "1"}], "shipping_price": "1e13"},
            "shipping_price",
        ),
    ],
)
def test_bad_carts_are_400_naming_the_field(storefront, catalog, body, field):
    response = storefront.post("/api/v1/carts/evaluate", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_unknown_customer_is_404_and_no_key_is_refused(storefront, api_client_anonymous, catalog):
    response = storefront.post("/api/v1/carts/evaluate", {"customer": "C-404", "currency": "BDT", "lines": [rice()]},
                               format="json")  # fmt: skip
    assert response.status_code == 404
    anonymous = api_client_anonymous.post(
        "/api/v1/carts/evaluate", {"currency": "BDT", "lines": [rice()]}, format="json"
    )
    assert anonymous.status_code in (401, 403)


def test_evaluation_never_writes(storefront, marketer, catalog, customer):
    from promotions.models import CustomerPromotionUsage, Promotion, Redemption

    create_promotion(marketer, trigger="code", code="ONCE", usage_limit=1, usage_limit_per_customer=1)
    for _ in range(3):
        result = evaluate(storefront, [rice()], codes=["ONCE"], customer="C-1001")
        assert result["codes"][0]["status"] == "applied"
    assert Promotion.objects.get().used == 0
    assert not Redemption.objects.exists() and not CustomerPromotionUsage.objects.exists()


def test_changes_reach_the_cached_index_at_once(storefront, marketer, catalog):
    promotion = create_promotion(marketer, reward={"type": "percentage", "value": "10"})
    assert evaluate(storefront, [rice()])["discount_total"] == "10.00"
    marketer.patch(
        f"/api/v1/promotions/{promotion['id']}", {"reward": {"type": "percentage", "value": "20"}}, format="json"
    )
    assert evaluate(storefront, [rice()])["discount_total"] == "20.00"
    marketer.patch(f"/api/v1/promotions/{promotion['id']}", {"status": "paused"}, format="json")
    assert evaluate(storefront, [rice()])["discount_total"] == "0.00"


def test_a_promotion_whose_reward_type_is_no_longer_registered_is_left_out_and_the_rest_still_price(
    storefront, marketer, catalog, monkeypatch
):
    from promotions import rules
    from promotions.models import Promotion
    from promotions.services.definitions import index_version_bump

    logged = []
    monkeypatch.setattr(rules.logger, "error", lambda message, *args: logged.append(message % args))

    create_promotion(marketer, name="Still here", reward={"type": "percentage", "value": "10"})
    gone = create_promotion(marketer, name="Plugin gone", trigger="code", code="GONE",
                            reward={"type": "percentage", "value": "50"})  # fmt: skip
    auto_gone = create_promotion(marketer, name="Auto plugin gone", reward={"type": "percentage", "value": "50"})
    # A plugin's reward type stored while it was installed, read after it was removed.
    Promotion.objects.filter(pk__in=[gone["id"], auto_gone["id"]]).update(reward={"type": "retired_plugin"})
    index_version_bump()

    result = evaluate(storefront, [rice()], codes=["GONE"])

    assert [a["name"] for a in result["applied"]] == ["Still here"]
    assert result["total"] == "90.00"
    assert result["codes"][0]["status"] == "rejected"
    assert any("Auto plugin gone" in line and "left out of pricing" in line for line in logged)
