"""The storefront mix for `make loadtest` (`python manage.py loadtest` runs it, one locust process per step).

Each simulated user is a shopper's session against the API (docs/promotions.md): a known customer prices a
cart that grows line by line (`carts/evaluate` four times), tries a coupon (`coupons/validate`), prices the
cart with it four more times, and places the order with it (`orders`, a new external id). So the mix is
80 % evaluate, 10 % validate, 10 % orders, and a customer's cached facts are read warm after the first
request of a session, as a real shopper's are. Then the user starts a session as another customer.

The driver writes what the sessions draw from into a JSON plan (`LOADTEST_PLAN`): the API key, customers,
products (sku, price, category) and codes. The codes have no usage limit and orders send
`on_unredeemable_code: drop`, so every non-2xx answer is a real failure. `LOADTEST_USER_RATE` is each
user's requests per second (locust's `constant_throughput`), so a step's offered load is users × rate.
"""

import itertools
import json
import os
import random
import uuid
from pathlib import Path

from locust import FastHttpUser, constant_throughput, task

PLAN = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text(encoding="utf-8"))
USER_RATE = float(os.environ.get("LOADTEST_USER_RATE", "5"))
RUN = uuid.uuid4().hex[:10]  # order ids unique across steps and runs
EVALUATES_BEFORE_CODE = 4
EVALUATES_WITH_CODE = 4
_order_numbers = itertools.count(1)


class Shopper(FastHttpUser):
    wait_time = constant_throughput(USER_RATE)
    default_headers = {"Authorization": f"Api-Key {PLAN['key']}"}

    def on_start(self):
        self.rng = random.Random()
        self.session = iter(())

    @task
    def next_request(self):
        request = next(self.session, None)
        if request is None:
            self.session = self._session()
            request = next(self.session)
        self._post(*request)

    def _session(self):
        """The session's requests as (path, body), one per call of `next_request` (each paced by the wait time)."""
        customer = self.rng.choice(PLAN["customers"])
        code = self.rng.choice(PLAN["codes"])
        lines = []

        def add_line():
            product = self.rng.choice(PLAN["products"])
            lines.append(
                {
                    "sku": product["sku"],
                    "quantity": self.rng.randint(1, 3),
                    "unit_price": product["price"],
                    "category": product["category"],
                }
            )

        def cart(codes):
            return {"currency": PLAN["currency"], "customer": customer, "shipping_price": "120.00",
                    "lines": list(lines), "codes": codes}  # fmt: skip

        for _ in range(EVALUATES_BEFORE_CODE):
            add_line()
            yield "carts/evaluate", cart([])
        yield "coupons/validate", {"code": code, "customer": customer, "cart": cart([])}
        for _ in range(EVALUATES_WITH_CODE):
            yield "carts/evaluate", cart([code])
        yield "orders", {**cart([code]), "external_id": f"LT-{RUN}-{next(_order_numbers)}",
                         "on_unredeemable_code": "drop"}  # fmt: skip

    def _post(self, path: str, body: dict):
        with self.client.post(f"/api/v1/{path}", json=body, name=path, catch_response=True) as response:
            if response.status_code not in (200, 201):
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")
