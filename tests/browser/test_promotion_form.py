"""A marketer creates a percentage promotion with 1,000 unique codes through the form, typing no JSON (issue #19's
"Done when"); the steps and the wall time are printed."""

import time

import pytest

from audiences.services.catalog import category_upsert, product_upsert, store_upsert
from config.roles import MARKETER
from promotions.models import Promotion, PromotionCode
from tests.browser.test_back_office import person, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop():
    store_upsert(code="DHK-01", name="Gulshan", timezone="Asia/Dhaka", currency="BDT")
    category_upsert(code="electronics", name="Electronics")
    category_upsert(code="tv", name="TV", parent_code="electronics")
    product_upsert(sku="TV-55", name="55in TV", price=54000, currency="BDT", category_code="tv", brand="Walton")


def pick(page, field: str, search: str, choice: str) -> None:
    """Search a picker (the admin's select2 autocomplete) and take one of what it offers."""
    page.click(f"select[name={field}] + .select2 .select2-selection")
    page.keyboard.type(search)
    page.locator(".select2-results__option", has_text=choice).click()


def test_a_marketer_creates_a_percentage_promotion_with_1000_codes_without_json(page, shop):
    person("mia", MARKETER)
    steps, started = [], time.monotonic()

    def step(what: str) -> None:
        steps.append(f"{time.monotonic() - started:5.1f} s  {what}")

    sign_in(page, "mia")
    step("signed in")
    page.goto("/admin/promotions/promotion/add/")
    page.fill("#id_name", "Eid 10% off TVs")
    page.select_option("#id_trigger", "code")
    assert page.locator("fieldset.reward-options-percentage").is_visible()
    assert not page.locator("fieldset.reward-options-tiered").is_visible()  # only the chosen type's fields
    page.fill("#id_reward__percentage__value", "10")
    page.fill("#id_reward__percentage__max_discount", "500")
    amount_unit = page.locator("#id_reward__percentage__max_discount + .promotion-currency")
    assert amount_unit.inner_text() == "in the cart's currency"
    page.select_option("#id_currency", "BDT")
    assert amount_unit.inner_text() == "BDT"
    step("named it, triggered by a code, 10% off at most 500 BDT")
    pick(page, "target__categories", "tv", "Electronics › TV")
    pick(page, "stores", "gul", "DHK-01 · Gulshan")
    page.check("#id_eligibility__first_order_only")
    step("picked the TV category and the Gulshan store, first orders only")
    screenshot(page, "promotion-form")
    page.click("input[name=_save]")
    page.wait_for_selector("#changelist")
    promotion = Promotion.objects.get(name="Eid 10% off TVs")
    assert promotion.reward == {"type": "percentage", "value": "10", "max_discount": "500"}
    assert promotion.target == {"categories": ["tv"]} and promotion.stores == ["DHK-01"]
    assert promotion.eligibility == {"first_order_only": True}
    step("saved")

    page.locator("tr", has_text="Eid 10% off TVs").locator("input.action-select").check()
    page.select_option("select[name=action]", "generate_codes")
    page.fill("input[name=count]", "1000")
    page.fill("input[name=pattern]", "EID-####-####")
    page.click("button[name=index]")
    page.wait_for_selector("#code-generation-confirmation")
    page.click("input[value='Yes, generate 1,000 codes']")
    page.wait_for_selector("#changelist")
    assert "generating 1,000 codes EID-####-####" in page.locator(".messagelist").inner_text()
    step("asked for 1,000 codes EID-####-#### and confirmed")
    page.goto(f"/admin/promotions/promotion/{promotion.pk}/change/")
    assert "1,000 unique codes, 0 used" in page.locator(".field-codes").inner_text()
    assert PromotionCode.objects.filter(promotion=promotion, code__startswith="EID-").count() == 1000
    step("the promotion shows its 1,000 unique codes")
    assert page.console_errors == []
    print("\nmarketer, a promotion with 1,000 codes through the form:\n" + "\n".join(steps))
