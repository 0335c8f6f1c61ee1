"""coupons/validate's limits, and the budget of unknown codes that it shares with carts/evaluate and orders, hold
under real parallel requests: 32 clients against a served app.

With Redis (as CI and production run) the app is two gunicorn worker processes sharing the Redis cache;
without it (the embedded default) one process with many threads and the in-process cache.
"""

import json
import os
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from rest_framework_api_key.models import APIKey

from audiences.services.catalog import product_upsert
from audiences.services.customers import customer_upsert
from config.benchmarking import free_port
from config.local_run import answers
from tests.support.processes import gunicorn_command, running, subprocess_env, wait_until

LIMIT = 20


@contextmanager
def served(tmp_path, **settings: str) -> Iterator[str]:
    """The app served with these settings for the block: two gunicorn workers sharing Redis when the tests
    have Redis, else one process with 16 threads and the in-process cache. Yields its URL."""
    broker = os.environ.get("CELERY_BROKER_URL", "")
    shared_cache = broker.startswith("redis")
    env = subprocess_env(tmp_path, **settings, **({"CACHE_URL": broker} if shared_cache else {}))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = (
        gunicorn_command(port, workers=2, threads=8) if shared_cache else gunicorn_command(port, workers=1, threads=16)
    )
    with running({"web": command}, env, tmp_path):
        assert wait_until(lambda: answers(f"{url}/healthz"), timeout=60), (tmp_path / "web.log").read_text()
        yield url


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("rate_setting", "body"), [
    ("THROTTLE_COUPON_VALIDATE_KEY", {"code": "NOPE-1234"}),
    ("THROTTLE_COUPON_VALIDATE_CUSTOMER", {"code": "NOPE-1234", "customer": f"C-{uuid.uuid4().hex[:12]}"}),
])  # fmt: skip
def test_exactly_the_limit_passes_under_32_parallel_clients(tmp_path, rate_setting, body):
    _, key = APIKey.objects.create_key(name="parallel")
    if "customer" in body:
        customer_upsert(external_id=body["customer"])
    # A day's window, so the run cannot straddle two windows (but at midnight); a new key and customer each run,
    # so counters left in Redis by an earlier run do not count. The budget of unknown codes (the next test) stays
    # out of the way: these are limits on requests.
    limits = {rate_setting: f"{LIMIT}/d", "THROTTLE_CODE_GUESSING_KEY": "100000/d",
              "THROTTLE_CODE_GUESSING_CUSTOMER": "100000/d"}  # fmt: skip
    with served(tmp_path, **limits) as url, ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(lambda _: _answer(f"{url}/api/v1/coupons/validate", key, body)[0], range(4 * LIMIT)))
    assert statuses.count(429) == 3 * LIMIT and statuses.count(200) == LIMIT, statuses


def _answer(url: str, key: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - our own local server
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _reveals_unknown(status: int, answer: dict) -> bool:
    """The answer told that the code does not exist, through whichever door."""
    if status == 409:  # orders
        return answer.get("reason") == "not_found"
    if status != 200:
        return False
    if "codes" in answer:  # carts/evaluate
        return answer["codes"][0].get("reason") == "not_found"
    return answer.get("reason") == "not_found"  # coupons/validate


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("per", ["key", "customer"])
def test_the_guessing_budget_holds_across_doors_under_32_parallel_clients(tmp_path, per):
    from promotions.services.definitions import promotion_create

    _, key = APIKey.objects.create_key(name="guessing")
    product_upsert(sku="RICE", name="Rice", price=100, currency="BDT")
    promotion_create(name="Planted", status="active", trigger="code", code="PLANTED-CODE",
                     reward={"type": "percentage", "value": "10"})  # fmt: skip
    customer = {}
    if per == "customer":
        customer = {"customer": f"C-{uuid.uuid4().hex[:12]}"}
        customer_upsert(external_id=customer["customer"])
    line = {"sku": "RICE", "quantity": 1, "unit_price": "100.00"}

    def door(number: int, code: str) -> tuple[str, dict]:
        cart = {"currency": "BDT", "lines": [line], "codes": [code], **customer}
        if number % 3 == 0:
            return "carts/evaluate", cart
        if number % 3 == 1:
            return "coupons/validate", {"code": code, **customer}
        return "orders", {**cart, "external_id": f"O-{uuid.uuid4().hex}"}

    # The budget under test is LIMIT unknown codes a day; coupons/validate's own request limits stay out of the
    # way. A new key and customer each run, so counters left in Redis by an earlier run do not count.
    limits = {f"THROTTLE_CODE_GUESSING_{per.upper()}": f"{LIMIT}/d", "THROTTLE_COUPON_VALIDATE_KEY": "100000/d",
              "THROTTLE_COUPON_VALIDATE_CUSTOMER": "100000/d"}  # fmt: skip
    with served(tmp_path, **limits) as url:

        def guess(number: int) -> tuple[int, dict]:
            path, body = door(number, f"GUESS-{uuid.uuid4().hex[:10]}")
            return _answer(f"{url}/api/v1/{path}", key, body)

        with ThreadPoolExecutor(max_workers=32) as pool:
            answers = list(pool.map(guess, range(4 * LIMIT)))
        # Every door now refuses the planted code too: a spent budget tells nothing about any code.
        planted = [_answer(f"{url}/api/v1/{path}", key, body) for path, body in
                   (door(number, "PLANTED-CODE") for number in range(3))]  # fmt: skip
    revealed = sum(_reveals_unknown(status, answer) for status, answer in answers)
    refused = [answer for status, answer in answers if status == 429]
    assert (revealed, len(refused)) == (LIMIT, 3 * LIMIT), [status for status, _ in answers]
    assert all(answer["code"] == "throttled" for answer in refused)
    assert [status for status, _ in planted] == [429, 429, 429]
