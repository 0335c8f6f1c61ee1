"""The promotion form without JSON: the reward registry's fields, pickers, eligibility, errors on the field
that is wrong, and the JSON view that round-trips."""

import json

import pytest

from promotions.engine.definition import parse_eligibility, parse_reward
from promotions.engine.parsing import parse_target
from promotions.models import Promotion
from promotions.services.definitions import promotion_create
from tests.promotions.conftest import segment
from tests.promotions.rewards.test_registry import SpendAndSave, registered

pytestmark = pytest.mark.django_db
ADD = "/admin/promotions/promotion/add/"
INLINE = {"redemptions-TOTAL_FORMS": "0", "redemptions-INITIAL_FORMS": "0",
          "redemptions-MIN_NUM_FORMS": "0", "redemptions-MAX_NUM_FORMS": "0"}  # fmt: skip


def filled(**fields):
    data = {"name": "Eid sale", "status": "active", "trigger": "automatic", "priority": "0",
            "stacking": "combinable", "currency": "", "reward_kind": "percentage", **INLINE}  # fmt: skip
    return {**data, **fields}


def as_posted(form) -> dict:
    """What the browser sends back for a form shown with its initial values."""
    data = dict(INLINE)
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False or value in ("", []):
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list):
            data[name] = [str(item) for item in value]
        elif name in ("starts_at", "ends_at"):
            continue
        else:
            data[name] = str(form[name].widget.format_value(value) if hasattr(value, "as_tuple") else value)
    return data


def test_a_marketer_creates_a_promotion_from_fields_alone(admin_client, catalog):
    segment("vip")
    response = admin_client.post(ADD, filled(
        currency="BDT", reward_kind="percentage", reward__percentage__value="15", **{
            "reward__percentage__max_discount": "500", "target__categories": ["electronics"],
            "target__exclude_skus": ["HDMI-2"], "stores": ["DHK-01"], "channels": "web, app",
            "eligibility__min_subtotal": "1000.50", "eligibility__segments": ["vip"],
            "eligibility__first_order_only": "on", "eligibility__payment_methods": ["bkash", "card"],
        }))  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    promotion = Promotion.objects.get(name="Eid sale")
    assert promotion.reward == {"type": "percentage", "value": "15", "max_discount": "500"}
    assert promotion.target == {"categories": ["electronics"], "exclude_skus": ["HDMI-2"]}
    assert promotion.stores == ["DHK-01"] and promotion.channels == ["web", "app"]
    assert promotion.eligibility == {"min_subtotal": "1000.50", "segments": ["vip"], "first_order_only": True,
                                     "payment_methods": ["bkash", "card"]}  # fmt: skip


def test_each_reward_type_shows_its_own_fields_with_the_currency_beside_amounts(admin_client):
    page = admin_client.get(ADD).content.decode()
    shown = ["reward__percentage__value", "reward__tiered__tiers__0__min_subtotal", "reward__gift__sku",
             "reward__buy_x_get_y__get_target__skus", "reward__fixed_amount__per"]  # fmt: skip
    for field in shown:
        assert f'name="{field}"' in page
    assert "reward-options-tiered" in page
    assert "in the cart&#x27;s currency" in page
    promotion = promotion_create(name="Taka", currency="BDT", reward={"type": "fixed_price", "value": "99"})
    page = admin_client.get(f"/admin/promotions/promotion/{promotion.pk}/change/").content.decode()
    assert '<span class="unit promotion-currency">BDT</span>' in page


def test_a_type_registered_later_gets_its_fields_without_a_form_edit(admin_client):
    with registered(SpendAndSave):
        page = admin_client.get(ADD).content.decode()
        assert 'name="reward__spend_and_save__spend"' in page
        created = admin_client.post(ADD, filled(reward_kind="spend_and_save", **{
            "reward__spend_and_save__spend": "500", "reward__spend_and_save__off": "50"}))  # fmt: skip
        assert created.status_code == 302
        assert Promotion.objects.get().reward == {"type": "spend_and_save", "spend": "500", "off": "50"}
    assert 'name="reward__spend_and_save__spend"' not in admin_client.get(ADD).content.decode()


@pytest.mark.parametrize(
    "fields, wrong, message",
    [
        ({"reward__percentage__value": ""}, "reward__percentage__value", "Expected a decimal number"),
        ({"reward__percentage__value": "150"}, "reward__percentage__value", "less than or equal to 100"),
        ({"reward_kind": "tiered", "reward__tiered__tiers__0__min_subtotal": "100",
          "reward__tiered__tiers__0__amount": "5", "reward__tiered__tiers__0__percent": "5"},
         "reward__tiered__tiers__0__min_subtotal", "exactly one of 'amount' or 'percent'"),
        ({"reward_kind": "tiered"}, "reward__tiered__tiers__0__min_subtotal", "at least one tier"),
        ({"reward_kind": "fixed_amount", "reward__fixed_amount__value": "10", "reward__fixed_amount__per": "day"},
         "reward__fixed_amount__per", "Select a valid choice"),
        ({"reward__percentage__value": "10", "eligibility__segments": ["nobody"]}, "eligibility__segments",
         "Unknown segment(s): nobody"),
        ({"reward__percentage__value": "10", "stores": ["NOWHERE"]}, "stores", "Unknown store(s): NOWHERE"),
    ],
)  # fmt: skip
def test_a_definition_error_is_shown_on_the_field_that_is_wrong(admin_client, fields, wrong, message):
    response = admin_client.post(ADD, filled(**fields))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors.get(wrong, [])), errors
    assert not Promotion.objects.exists()


DEFINITIONS = [
    ({"type": "percentage", "value": "12.5", "max_units": 2}, {"skus": ["TV-55"], "brands": ["Walton"]}, {}),
    ({"type": "tiered", "tiers": [{"min_subtotal": "1000", "amount": "50"}, {"min_subtotal": "5000", "percent": "5"}]},
     {}, {"min_subtotal": "100", "subtotal_basis": "targeted", "min_quantity": 2}),
    ({"type": "bundle", "items": [{"sku": "TV-55", "quantity": 1}, {"category": "cables", "quantity": 2}],
      "price": "54000"}, {}, {"first_order_only": True, "payment_methods": ["nagad"]}),
    ({"type": "buy_x_get_y", "buy": 2, "get": 1, "get_target": {"categories": ["cables"]}, "percent_off": "50"},
     {"exclude_categories": ["grocery"]}, {"segments": ["vip"]}),
    ({"type": "fixed_amount", "value": "20", "per": "item"}, {}, {}),
    ({"type": "free_shipping", "max_amount": "60"}, {}, {}),
    ({"type": "gift", "sku": "HDMI-2", "quantity": 1}, {}, {}),
]  # fmt: skip


@pytest.mark.parametrize("reward, target, eligibility", DEFINITIONS, ids=[d[0]["type"] for d in DEFINITIONS])
def test_the_fields_hold_every_reward_type_and_save_it_back_unchanged(admin_client, catalog, reward, target,
                                                                      eligibility):  # fmt: skip
    segment("vip")
    promotion = promotion_create(name="Saved", currency="BDT", reward=reward, target=target, eligibility=eligibility)
    url = f"/admin/promotions/promotion/{promotion.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    assert not form.initial.get("advanced")  # the fields hold it all
    response = admin_client.post(url, as_posted(form))
    assert response.status_code == 302, response.context["adminform"].form.errors
    promotion.refresh_from_db()
    assert parse_reward(promotion.reward) == parse_reward(reward)
    assert parse_target(promotion.target) == parse_target(target)
    assert parse_eligibility(promotion.eligibility) == parse_eligibility(eligibility)


def test_the_json_view_round_trips_and_can_be_edited(admin_client, catalog):
    promotion = promotion_create(name="Saved", reward={"type": "percentage", "value": "10"})
    url = f"/admin/promotions/promotion/{promotion.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    assert json.loads(form["reward"].value()) == {"type": "percentage", "value": "10"}
    edited = {**as_posted(form), "advanced": "on", "reward": '{"type": "fixed_price", "value": "99"}'}
    assert admin_client.post(url, edited).status_code == 302
    promotion.refresh_from_db()
    assert promotion.reward == {"type": "fixed_price", "value": "99"} and promotion.reward_type == "fixed_price"

    broken = admin_client.post(url, {**edited, "reward": '{"type": "percentage", "value": "x"}'})
    assert "reward.value" not in broken.context["adminform"].form.errors
    assert broken.context["adminform"].form.errors["reward"]


def test_a_definition_the_fields_cannot_hold_opens_as_json_and_is_kept(admin_client):
    many = [{"min_subtotal": str(100 * n), "amount": str(n)} for n in range(1, 8)]  # more tiers than rows
    promotion = promotion_create(name="Many tiers", reward={"type": "tiered", "tiers": many})
    url = f"/admin/promotions/promotion/{promotion.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    assert form.initial["advanced"] is True
    assert admin_client.post(url, {**as_posted(form), "name": "Renamed"}).status_code == 302
    promotion.refresh_from_db()
    assert promotion.name == "Renamed" and promotion.reward == {"type": "tiered", "tiers": many}


def test_pickers_find_products_categories_with_their_tree_brands_and_stores(admin_client, catalog):
    def pick(kind, term):
        answer = admin_client.get(f"/admin/promotions/promotion/pick/{kind}/", {"term": term}).json()
        return [(item["id"], item["text"]) for item in answer["results"]]

    assert pick("categories", "tv") == [("tv", "Electronics › TV")]
    assert pick("products", "hdmi") == [("HDMI-2", "HDMI-2 · HDMI")]
    assert pick("brands", "wal") == [("Walton", "Walton")]
    assert pick("stores", "arusha") == [("ARU-01", "ARU-01 · Arusha")]
    assert admin_client.get("/admin/promotions/promotion/pick/users/").status_code == 404
    promotion = promotion_create(name="Cables", reward={"type": "percentage", "value": "5"},
                                 target={"categories": ["cables"]})  # fmt: skip
    page = admin_client.get(f"/admin/promotions/promotion/{promotion.pk}/change/").content.decode()
    assert '<option value="cables" selected>Electronics › Cables</option>' in page
