import cProfile
import io
import json
import pstats
import random
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework_api_key.models import APIKey

from audiences.models import Customer, Segment, SegmentMembership
from config.api.views import validated
from promotions import bench_data
from promotions.api.serializers import CartInput
from promotions.api.views import CART_INPUT
from promotions.management.commands.bench_pricing import promotion_from
from promotions.models import Promotion
from promotions.services.definitions import index_version_bump

TARGET_CPU_MS = 2.0
TARGET_QUERIES = 1


class _RolledBack(Exception):
    """Raised to undo everything the benchmark wrote."""


class Command(BaseCommand):
    help = (
        "The storefront path in-process: POST /api/v1/carts/evaluate through Django's test client (the whole "
        "request: key check, parsing, customer facts, pricing, rendering) for a known customer in a segment. "
        "Prints SQL queries per warm request and CPU ms per request (time.process_time) against the goals. "
        "Writes nothing: its data is rolled back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=300, help="Timed requests, after a warm-up.")
        parser.add_argument("--promotions", type=int, default=100, help="Active promotions live.")
        parser.add_argument("--lines", type=int, default=5, help="Lines per cart.")
        parser.add_argument(
            "--profile", type=int, default=0, help="Also print this many functions of the timed requests (cProfile)."
        )

    def handle(self, *args, requests, promotions, lines, profile, **options):
        try:
            with transaction.atomic():
                self._run(requests, promotions, lines, profile)
                raise _RolledBack
        except _RolledBack:
            pass

    def _run(self, requests: int, promotions: int, lines: int, profile: int) -> None:
        _, key = APIKey.objects.create_key(name="bench_storefront")
        customer = Customer.objects.create(external_id="bench-storefront-customer", currency="BDT")
        segment = Segment.objects.create(code="bench-storefront", name="Bench storefront", rules={})
        SegmentMembership.objects.create(segment=segment, customer=customer, entered_at=timezone.now())
        Promotion.objects.bulk_create(promotion_from(d) for d in bench_data.promotion_definitions(promotions))
        index_version_bump()
        rng = random.Random(1)
        bodies = [
            json.dumps(
                {
                    "currency": "BDT",
                    "customer": customer.external_id,
                    "shipping_price": "120.00",
                    "lines": [
                        {"sku": sku, "quantity": quantity, "unit_price": str(price), "category": categories[-1]}
                        for sku, quantity, price, categories, _ in bench_data.cart_lines(rng, lines)
                    ],
                }
            )
            for _ in range(50)
        ]
        client = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")

        def post(body: str):
            response = client.post("/api/v1/carts/evaluate", body, content_type="application/json", secure=True)
            if response.status_code != 200:
                raise RuntimeError(f"carts/evaluate answered {response.status_code}: {response.content[:300]!r}")

        cold = CaptureQueriesContext(connection)
        with cold:
            post(bodies[0])
        cold_queries = list(cold.captured_queries)
        for body in bodies[:20]:
            post(body)
        warm = CaptureQueriesContext(connection)
        with warm:
            post(bodies[1])
        warm_queries = list(warm.captured_queries)
        started = time.process_time()
        for number in range(requests):
            post(bodies[number % len(bodies)])
        cpu_ms = (time.process_time() - started) * 1000 / requests
        self.stdout.write(
            f"queries per request: cold {len(cold_queries)}, warm {len(warm_queries)} (goal ≤ {TARGET_QUERIES} warm)"
        )
        for query in warm_queries:
            self.stdout.write(f"  warm query: {query['sql'][:160]}")
        self.stdout.write(
            f"CPU per request: {cpu_ms:.2f} ms (goal ≤ {TARGET_CPU_MS:.1f} ms; {requests} requests, {lines} lines, "
            f"{promotions} active promotions, time.process_time through the test client)"
        )
        if profile:
            self._profile(lambda: [post(body) for body in bodies], profile)
        last = client.post("/api/v1/carts/evaluate", bodies[0], content_type="application/json", secure=True)
        self._breakdown([json.loads(body) for body in bodies], last.json(), requests)

    def _profile(self, run, top: int) -> None:
        profiler = cProfile.Profile(time.process_time)  # CPU time: a loaded host's waits do not count
        profiler.runcall(run)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
        self.stdout.write(out.getvalue())

    def _breakdown(self, parsed: list[dict], answer: dict, requests: int) -> None:
        """The parts of a request DRF does, timed alone: where a leaner parse and render would save."""
        started = time.process_time()
        for number in range(requests):
            validated(CartInput, parsed[number % len(parsed)])
        validation_ms = (time.process_time() - started) * 1000 / requests
        started = time.process_time()
        for number in range(requests):
            CART_INPUT.validated(parsed[number % len(parsed)])
        lean_ms = (time.process_time() - started) * 1000 / requests
        renderer = JSONRenderer()
        started = time.process_time()
        for _ in range(requests):
            renderer.render(answer)
        render_ms = (time.process_time() - started) * 1000 / requests
        self.stdout.write(
            f"  of which input validation {lean_ms:.2f} ms (the lean path; DRF's CartInput alone "
            f"{validation_ms:.2f} ms), DRF JSON rendering {render_ms:.3f} ms"
        )
