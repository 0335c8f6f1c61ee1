import argparse
import cProfile
import io
import json
import pstats
import random
import time
import uuid
from contextlib import nullcontext

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework_api_key.models import APIKey

from config.benchmarking import backend_cpu_seconds
from promotions import load_data

LINES = 4


def _at_least_one(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


class Command(BaseCommand):
    help = (
        "The load test's order in-process: POST /api/v1/orders through Django's test client as "
        "loadtest/locustfile.py sends it (a known customer, 4 lines with categories, a shared LOAD code, "
        "on_unredeemable_code=drop), each committed with what runs on its commit. Prints per order this process's "
        "CPU (time.process_time), its PostgreSQL backend's and the statements (of --counted more orders). Needs "
        "`loadtest`'s data (promotions/load_data.py) and COMMITS its orders: run it on a load-test database only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=_at_least_one, default=200, help="timed orders, after the warm-up ones")
        parser.add_argument("--warmup", type=int, default=30, help="orders placed first, not measured")
        parser.add_argument(
            "--counted", type=_at_least_one, default=50, help="orders placed last, their statements counted"
        )
        parser.add_argument("--seed", type=int, default=7, help="draws customers, products and codes")
        parser.add_argument(
            "--session", action="store_true", help="before each order, an untimed carts/evaluate of its cart, as a "
            "shopper's session ends (the customer and products then read warm, as under `loadtest`)",
        )  # fmt: skip
        parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the N costliest functions")
        parser.add_argument("--sql", action="store_true", help="print the statements of the last counted order")

    def handle(self, *args, **options):
        key_row, key = APIKey.objects.create_key(name="bench_order")
        try:
            plan = load_data.plan(key=key)
            if not plan["codes"] or not plan["products"] or not plan["customers"]:
                raise CommandError("No load-test data here: run `manage.py loadtest` on this database first.")
            self._run(plan, key, options)
        finally:
            key_row.delete()

    def _run(self, plan: dict, key: str, options: dict) -> None:
        rng = random.Random(options["seed"])
        plan["customers"].sort()
        plan["products"].sort(key=lambda product: product["sku"])
        run = uuid.uuid4().hex[:8]
        orders, warmup = options["orders"], options["warmup"]
        bodies = [_order(plan, rng, f"BO-{run}-{n}") for n in range(warmup + orders + options["counted"])]
        client = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")
        post = _poster(client, options["session"])
        for body in bodies[:warmup]:
            post(body)
        timed, counted = bodies[warmup : warmup + orders], bodies[warmup + orders :]
        if options["profile"]:
            profile = cProfile.Profile()
            for body in timed:
                post(body, profile=profile)
            text = io.StringIO()
            pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(options["profile"])
            self.stdout.write(text.getvalue())
            return
        cpu, backend = [], 0.0
        for body in timed:
            spent, backend_spent, _ = post(body)
            cpu.append(spent)
            backend += backend_spent
        statements, last = [], []
        for body in counted:
            last = post(body, counted=True)[2]
            statements.append(len(last))
        cpu.sort()
        statements.sort()
        self.stdout.write(
            f"{orders} orders{' (each after its cart evaluated)' if options['session'] else ''}: process CPU per "
            f"order mean {sum(cpu) / orders * 1000:.2f} ms, p50 {cpu[orders // 2] * 1000:.2f}, p95 "
            f"{cpu[int(orders * 0.95)] * 1000:.2f}; PostgreSQL backend CPU per order {backend / orders * 1000:.2f} "
            f"ms; statements per order (of {len(statements)} more, with their commit and what runs on it) mean "
            f"{sum(statements) / len(statements):.1f}, p50 {statements[len(statements) // 2]}, max {statements[-1]}"
        )
        if options["sql"]:
            for sql in last:
                self.stdout.write(f"  {' '.join(sql.split())[:200]}")


def _order(plan: dict, rng: random.Random, external_id: str) -> dict:
    lines = []
    for _ in range(LINES):
        product = rng.choice(plan["products"])
        lines.append({"sku": product["sku"], "quantity": rng.randint(1, 3), "unit_price": product["price"],
                      "category": product["category"]})  # fmt: skip
    return {"currency": plan["currency"], "customer": rng.choice(plan["customers"]), "shipping_price": "120.00",
            "lines": lines, "codes": [rng.choice(plan["codes"])], "external_id": external_id,
            "on_unredeemable_code": "drop"}  # fmt: skip


def _poster(client: Client, session: bool):
    """post(body) -> (this process's CPU seconds, its backend's, the statements when counted) for the order alone;
    the session's evaluate, when asked for, runs first and is not counted."""

    def post(body: dict, profile: cProfile.Profile | None = None, counted: bool = False) -> tuple[float, float, list]:
        if session:
            cart = {name: body[name] for name in ("currency", "customer", "shipping_price", "lines", "codes")}
            evaluated = client.post("/api/v1/carts/evaluate", json.dumps(cart), content_type="application/json")
            if evaluated.status_code != 200:
                raise CommandError(f"carts/evaluate answered {evaluated.status_code}: {evaluated.content[:300]}")
        measured = profile is None and not counted
        backend = (backend_cpu_seconds() or 0.0) if measured else 0.0
        with CaptureQueriesContext(connection) if counted else nullcontext() as queries:
            started = time.process_time()
            if profile is not None:
                profile.enable()
            answer = client.post("/api/v1/orders", json.dumps(body), content_type="application/json")
            if profile is not None:
                profile.disable()
            spent = time.process_time() - started
        if answer.status_code != 201:
            raise CommandError(f"orders answered {answer.status_code}: {answer.content[:300]}")
        statements = [query["sql"] for query in queries.captured_queries] if counted else []
        return spent, (backend_cpu_seconds() or 0.0) - backend if measured else 0.0, statements

    return post
