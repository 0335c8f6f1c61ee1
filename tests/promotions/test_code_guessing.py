"""One budget of unknown codes per API key and per customer, shared by coupons/validate, carts/evaluate and
orders: what counts is each code that turns out unknown; a spent budget refuses requests carrying codes (429,
Retry-After) without looking at them, and prices carts without codes as usual."""

import pytest
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from audiences.models import Order
from audiences.services.customers import customer_upsert
from promotions.api.guessing import GuessingCounter
from tests.promotions.conftest import create_promotion, place, rice

pytestmark = pytest.mark.django_db

WINDOW_START = 1_800_000_000.0  # a whole number of minutes and days since the epoch


@pytest.fixture
def clock(monkeypatch):
    """The counters' clock, frozen 15 s into a minute; `clock.now` moves it."""

    class Clock:
        now = WINDOW_START + 15

    monkeypatch.setattr(GuessingCounter, "timer", lambda self: Clock.now)
    return Clock


@pytest.fixture
def budget(monkeypatch, clock):
    def set_rates(key="1000/min", customer="1000/min", key_total="100000/min"):
        rates = {"code_guessing_key": key, "code_guessing_customer": customer, "code_guessing_key_total": key_total}
        monkeypatch.setattr(GuessingCounter, "THROTTLE_RATES", rates)

    return set_rates


@pytest.fixture
def real_code(marketer, catalog):
    create_promotion(marketer, trigger="code", code="REAL-CODE")


def cart(client, codes, **fields):
    body = {"currency": "BDT", "lines": [rice()], "codes": codes, **fields}
    return client.post("/api/v1/carts/evaluate", body, format="json")


def validate(client, code, **fields):
    return client.post("/api/v1/coupons/validate", {"code": code, **fields}, format="json")


def statuses(response) -> list[str]:
    return [code.get("reason") or code["status"] for code in response.json()["codes"]]


def test_evaluate_counts_unknown_codes_not_requests(storefront, real_code, budget):
    budget(key="3/min")
    assert statuses(cart(storefront, ["NOPE-1", "NOPE-2"])) == ["not_found", "not_found"]
    # Real codes spend nothing, however often they are priced.
    for _ in range(5):
        assert statuses(cart(storefront, ["real-code"])) == ["applied"]
    assert statuses(cart(storefront, ["NOPE-3", "REAL-CODE"])) == ["not_found", "applied"]
    refused = cart(storefront, ["REAL-CODE"])
    assert refused.status_code == 429 and refused["Retry-After"] == "45"  # the minute's 45 s left
    assert refused.json()["code"] == "throttled" and "REAL-CODE" not in refused.content.decode()
    assert "A cart without codes is priced as usual" in refused.json()["message"]
    # A storefront still prices carts without codes (automatic promotions apply).
    without_codes = cart(storefront, [])
    assert without_codes.status_code == 200 and without_codes.json()["total"] == "100.00"


def test_a_refusal_looks_at_no_code_so_it_cannot_tell_a_guess_from_a_real_code(storefront, real_code, budget):
    budget(key="1/min")
    assert statuses(cart(storefront, ["NOPE-1"])) == ["not_found"]
    assert cart(storefront, ["REAL-CODE"]).status_code == 429
    assert cart(storefront, ["NOPE-2"]).status_code == 429


def test_the_budget_refills_in_the_next_window(storefront, real_code, budget, clock):
    budget(key="2/min")
    assert cart(storefront, ["NOPE-1", "NOPE-2"]).status_code == 200
    assert cart(storefront, ["NOPE-3"]).status_code == 429
    clock.now = WINDOW_START + 60
    assert statuses(cart(storefront, ["NOPE-3"])) == ["not_found"]


def test_a_request_is_answered_while_some_budget_is_left_and_spends_all_its_unknown_codes(storefront, budget):
    budget(key="3/min")
    assert cart(storefront, ["NOPE-1", "NOPE-2"]).status_code == 200
    # One unit left: a cart of five codes is still answered (a valid cart may carry up to 20 codes) ...
    assert statuses(cart(storefront, [f"MORE-{n}" for n in range(5)])) == ["not_found"] * 5
    # ... and every unknown code it carried counts: the budget is spent, the same code twice counting once.
    assert cart(storefront, ["MORE-1", "more-1"]).status_code == 429


def test_each_key_has_its_own_budget(storefront, api_key, budget):
    budget(key="1/min")
    assert cart(storefront, ["NOPE-1"]).status_code == 200
    assert cart(storefront, ["NOPE-2"]).status_code == 429
    _, second_key = APIKey.objects.create_key(name="second storefront")
    second = APIClient()
    second.credentials(HTTP_AUTHORIZATION=f"Api-Key {second_key}")
    assert second.post(
        "/api/v1/carts/evaluate", {"currency": "BDT", "lines": [rice()], "codes": ["NOPE-2"]}, format="json"
    ).status_code == 200  # fmt: skip
    # Another spelling of the header's keyword is the same key.
    for keyword in ("api-key", "API-KEY"):
        other_spelling = APIClient()
        other_spelling.credentials(HTTP_AUTHORIZATION=f"{keyword} {api_key}")
        assert cart(other_spelling, ["NOPE-3"]).status_code == 429


def test_each_customer_has_a_budget_across_doors(storefront, real_code, customer, budget):
    customer_upsert(external_id="C-2002")
    budget(key="100/min", customer="2/min")
    assert cart(storefront, ["NOPE-1"], customer="C-1001").status_code == 200
    assert validate(storefront, "NOPE-2", customer=" C-1001 ").json()["reason"] == "not_found"
    assert cart(storefront, ["REAL-CODE"], customer="C-1001").status_code == 429
    assert validate(storefront, "REAL-CODE", customer="C-1001").status_code == 429
    assert place(storefront, "O-1", [rice()], customer="C-1001", codes=["REAL-CODE"]).status_code == 429
    # The customer's carts without codes, another customer and anonymous carts are still answered.
    assert place(storefront, "O-2", [rice()], customer="C-1001").status_code == 201
    assert statuses(cart(storefront, ["REAL-CODE"], customer="C-2002")) == ["applied"]
    assert statuses(cart(storefront, ["REAL-CODE"])) == ["applied"]
    assert list(Order.objects.values_list("external_id", flat=True)) == ["O-2"]


def test_anonymous_guessing_cannot_block_customers_checking_out_with_real_codes(
    storefront, real_code, customer, budget
):
    budget(key="40/min", customer="10/min", key_total="100/min")
    for attempt in range(2):  # a shopper guessing through the storefront without a customer id
        cart(storefront, [f"GUESS-{attempt}-{number}" for number in range(20)])
    assert cart(storefront, ["GUESS-X"]).status_code == 429  # the anonymous budget is spent
    placed = place(storefront, "O-1", [rice()], customer="C-1001", codes=["REAL-CODE"])
    assert placed.status_code == 201 and placed.json()["codes"] == [{"code": "REAL-CODE", "status": "applied"}]


def test_the_keys_overall_cap_counts_every_unknown_code(storefront, real_code, customer, budget):
    budget(key="40/min", customer="40/min", key_total="50/min")
    customer_upsert(external_id="C-2002")
    cart(storefront, [f"GUESS-{number}" for number in range(20)], customer="C-1001")
    cart(storefront, [f"GUESS-{number}" for number in range(20, 40)], customer="C-2002")
    assert cart(storefront, [f"GUESS-{number}" for number in range(40, 52)]).status_code == 200  # 52 past the cap
    assert cart(storefront, ["REAL-CODE"], customer="C-2002").status_code == 429


def test_validate_spends_the_budget_evaluate_and_orders_share(storefront, real_code, budget):
    budget(key="2/min")
    assert validate(storefront, "REAL-CODE").json()["valid"] is True
    assert validate(storefront, "NOPE-1").json()["reason"] == "not_found"
    assert statuses(cart(storefront, ["NOPE-2"])) == ["not_found"]
    refused = validate(storefront, "REAL-CODE")
    assert refused.status_code == 429 and int(refused["Retry-After"]) == 45
    assert refused.json()["code"] == "throttled"


def test_an_order_refused_for_an_unknown_code_spends_it(storefront, real_code, budget):
    budget(key="1/min")
    refused = place(storefront, "O-1", [rice()], codes=["NOPE-1"])
    assert refused.status_code == 409 and refused.json()["reason"] == "not_found"
    blocked = place(storefront, "O-2", [rice()], codes=["REAL-CODE"])
    assert blocked.status_code == 429 and blocked.json()["code"] == "throttled"
    assert cart(storefront, ["REAL-CODE"]).status_code == 429
    assert not Order.objects.exists()
    assert place(storefront, "O-3", [rice()]).status_code == 201


def test_an_order_dropping_unknown_codes_spends_them_and_a_placed_order_spends_nothing(storefront, real_code, budget):
    budget(key="3/min")
    for number in range(4):  # redeemed codes that exist spend nothing
        assert place(storefront, f"O-{number}", [rice()], codes=["REAL-CODE"]).status_code == 201
    dropped = place(storefront, "O-9", [rice()], codes=["NOPE-1", "NOPE-2", "REAL-CODE"], on_unredeemable_code="drop")
    assert dropped.status_code == 201
    assert [code["reason"] for code in dropped.json()["dropped_codes"]] == ["not_found", "not_found"]
    assert statuses(cart(storefront, ["NOPE-3"])) == ["not_found"]
    assert cart(storefront, ["REAL-CODE"]).status_code == 429


def test_a_repeat_of_a_placed_order_gets_its_first_answer_while_the_budget_is_spent(storefront, real_code, budget):
    budget(key="1/min")
    first = place(storefront, "O-1", [rice()], codes=["REAL-CODE"])
    assert first.status_code == 201
    assert cart(storefront, ["NOPE-1"]).status_code == 200
    assert place(storefront, "O-2", [rice()], codes=["REAL-CODE"]).status_code == 429
    repeat = place(storefront, "O-1", [rice()], codes=["REAL-CODE"])
    assert repeat.status_code == 200 and repeat.json() == first.json()
