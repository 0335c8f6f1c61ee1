"""The segment rule builder in a real browser: built without typing JSON, counted live, round-tripped (issue #19)."""

import json

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from audiences.models import Customer, Event, Segment
from audiences.segments.services import segment_create
from config.roles import MARKETER
from tests.browser.test_back_office import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shoppers():
    for number, (city, orders) in enumerate([("Dhaka", 0), ("Dhaka", 2), ("Dhaka", 5), ("Arusha", 3), ("Arusha", 1)]):
        Customer.objects.create(external_id=f"C-{number}", city=city, orders_count=orders)
    user = User.objects.create_user(username="mia", password="right-horse-9", is_staff=True)
    user.groups.add(Group.objects.get(name=MARKETER))


def rules_json(page) -> dict:
    return json.loads(page.locator("textarea.rule-builder-json").input_value())


def count_reads(page, text: str) -> None:
    page.locator(".rule-builder-count", has_text=text).wait_for()


def condition(page, index: int):
    return page.locator(".rule-condition").nth(index)


def test_a_marketer_builds_a_segment_and_sees_its_count_before_saving(page, shoppers):
    sign_in(page, "mia")
    page.goto("/admin/audiences/segment/add/")
    page.fill("#id_code", "dhaka_repeat")
    page.fill("#id_name", "Dhaka repeat buyers")

    page.click("text=+ Condition")
    condition(page, 0).get_by_label("Field").select_option("city")
    condition(page, 0).get_by_label("Value").fill("Dhaka")
    count_reads(page, "3 customers match now. Sample: C-0, C-1, C-2")

    page.click("text=+ Condition")
    condition(page, 1).get_by_label("Field").select_option("orders_count")
    condition(page, 1).get_by_label("Operator").select_option("gte")
    condition(page, 1).get_by_label("Value").fill("2")
    count_reads(page, "2 customers match now. Sample: C-1, C-2")
    screenshot(page, "segment-builder")

    built = {
        "all": [
            {"field": "city", "op": "eq", "value": "Dhaka"},
            {"field": "orders_count", "op": "gte", "value": 2},
        ]
    }
    assert rules_json(page) == built
    page.click("input[name=_save]")
    page.wait_for_selector("#changelist")
    assert Segment.objects.get(code="dhaka_repeat").rules == built


def test_a_bad_value_is_named_before_saving(page, shoppers):
    sign_in(page, "mia")
    page.goto("/admin/audiences/segment/add/")
    page.click("text=+ Condition")
    condition(page, 0).get_by_label("Field").select_option("total_spent")
    condition(page, 0).get_by_label("Operator").select_option("gte")
    condition(page, 0).get_by_label("Value").fill("1000.00")
    count_reads(page, "is an amount: name its currency")
    condition(page, 0).get_by_label("Currency").fill("bdt")
    count_reads(page, "customers match now")


def test_a_new_condition_starts_without_an_error_and_fields_read_as_words(page, shoppers):
    sign_in(page, "mia")
    page.goto("/admin/audiences/segment/add/")
    page.click("text=+ Condition")
    field = condition(page, 0).get_by_label("Field")
    assert field.locator("option:checked").inner_text() == "Birth month"  # not an amount, which needs a currency
    for label in ("Average order value", "RFM frequency", "Email consent", "Custom attribute…"):
        assert field.locator("option", has_text=label).count() == 1
    count_reads(page, "Fill in every condition to see how many customers match.")
    assert rules_json(page) == {"all": [{"field": "birth_month", "op": "eq", "value": ""}]}

    field.select_option(label="RFM frequency")
    assert rules_json(page)["all"][0]["field"] == "rfm_f"  # the stored code is unchanged
    condition(page, 0).get_by_label("Value").fill("0")
    count_reads(page, "0 customers match now.")
    assert not page.locator(".rule-builder-count.errornote").count()
    assert page.console_errors == []  # no half-built rule was sent to be counted (each logged a 400)


NESTED = {
    "any": [
        {"not": {"field": "rfm_segment", "op": "in", "value": ["lost", "hibernating"]}},
        {
            "all": [
                {"event": "complaint_opened", "within_days": 90},
                {"segment": "arusha"},
                {"field": "total_spent", "op": "gte", "value": "1000.00", "currency": "BDT"},
                {"field": "attributes.customer_type", "op": "eq", "value": "retail"},
            ]
        },
    ]
}


def test_the_json_and_the_builder_round_trip(page, shoppers):
    segment_create(code="arusha", name="Arusha", rules={"all": [{"field": "city", "op": "eq", "value": "Arusha"}]})
    nested = segment_create(code="nested", name="Nested", rules=NESTED)
    sign_in(page, "mia")
    page.goto(f"/admin/audiences/segment/{nested.pk}/change/")

    assert page.locator(".rule-negation").count() == 1
    assert page.locator(".rule-event").count() == 1 and page.locator(".rule-segment").count() == 1
    assert page.locator(".rule-condition").get_by_label("Attribute key").input_value() == "customer_type"
    currency = page.locator(".rule-condition").get_by_label("Currency")
    currency.fill("TZS")
    assert rules_json(page)["any"][1]["all"][2]["currency"] == "TZS"
    currency.fill("BDT")
    assert rules_json(page) == NESTED  # drawn and written back unchanged

    page.click("text=Advanced: the rules as JSON")
    page.locator("textarea.rule-builder-json").fill(
        json.dumps({"all": [{"field": "city", "op": "eq", "value": "Arusha"}]})
    )
    assert condition(page, 0).get_by_label("Value").input_value() == "Arusha"
    count_reads(page, "2 customers match now. Sample: C-3, C-4")
    page.click("input[name=_save]")
    page.wait_for_selector("#changelist")
    assert Segment.objects.get(code="nested").rules == {"all": [{"field": "city", "op": "eq", "value": "Arusha"}]}


def test_a_marketer_adds_properties_to_an_event_condition(page, shoppers):
    viewer = Customer.objects.get(external_id="C-1")
    for model in ("Corolla", "Corolla", "Camry"):
        Event.objects.create(
            customer=viewer, type="product_viewed", occurred_at=timezone.now(), properties={"model": model}
        )
    sign_in(page, "mia")
    page.goto("/admin/audiences/segment/add/")
    page.click("text=+ Event")
    page.get_by_label("Event type").fill("product_viewed")
    page.get_by_label("At least (times)").fill("2")
    page.click("text=+ Property")
    page.get_by_label("Property name").fill("model")
    page.get_by_label("Property value").fill("Corolla")
    count_reads(page, "1 customers match now. Sample: C-1")
    assert rules_json(page) == {
        "all": [{"event": "product_viewed", "within_days": 30, "min_count": 2, "properties": {"model": "Corolla"}}]
    }
    page.get_by_label("Property value").fill("Camry, Civic")
    count_reads(page, "0 customers match now")
    assert rules_json(page)["all"][0]["properties"] == {"model": {"in": ["Camry", "Civic"]}}
