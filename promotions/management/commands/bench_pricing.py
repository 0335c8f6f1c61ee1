import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from rest_framework_api_key.models import APIKey

from audiences.models import Category, Product
from config.benchmarking import connect_when_up, free_port, percentile
from promotions import bench_data
from promotions.engine import Cart, CartLine, Context, PromotionRule, compile_index, evaluate
from promotions.models import Promotion, PromotionCode
from promotions.rules import rule_from_promotion
from promotions.services.definitions import index_version_bump

SIZES = (100, 1_000, 10_000)


def promotion_from(definition: dict, **fields) -> Promotion:
    """An active, unsaved Promotion from a bench_data definition."""
    defaults = {"status": "active", "code": "", "reward_type": definition["reward"]["type"]}
    return Promotion(**{**defaults, **definition, **fields})


def rules_from(definitions: list[dict]) -> list[PromotionRule]:
    """Compiled exactly as stored promotions are (promotions.rules), without the database."""
    return [rule_from_promotion(promotion_from(d, pk=number + 1)) for number, d in enumerate(definitions)]


def bench_catalog_write(skus: int = bench_data.SKUS) -> None:
    """bench_data's categories and its first `skus` products (all of them by default); what exists is kept."""
    with transaction.atomic():
        parents = {f"dept-{n:02d}": Category(code=f"dept-{n:02d}", name=f"Department {n}", path=f"/dept-{n:02d}/")
                   for n in range(bench_data.CATEGORY_PARENTS)}  # fmt: skip
        Category.objects.bulk_create(parents.values(), ignore_conflicts=True)
        parent_ids = dict(Category.objects.filter(code__in=parents).values_list("code", "pk"))
        leaves = []
        for n in range(bench_data.CATEGORIES):
            leaf, parent = bench_data.category_lineage(n)
            leaves.append(Category(code=leaf, name=leaf, parent_id=parent_ids[parent], path=f"/{parent}/{leaf}/"))
        Category.objects.bulk_create(leaves, ignore_conflicts=True)
        category_ids = dict(Category.objects.filter(code__startswith="cat-").values_list("code", "pk"))
        Product.objects.bulk_create(
            (
                Product(
                    sku=bench_data.sku(n),
                    name=f"Bench product {n}",
                    category_id=category_ids[bench_data.category_lineage(n)[0]],
                    brand=bench_data.brand(n),
                    price=bench_data.unit_price(n),
                    currency="BDT",
                )
                for n in range(min(skus, bench_data.SKUS))
            ),
            batch_size=5000,
            ignore_conflicts=True,
        )


class Command(BaseCommand):
    help = (
        "Price a 20-line cart against 100, 1,000 and 10,000 active promotions of mixed types: in-process "
        "(the pure engine) p50/p99, and over HTTP through gunicorn on loopback p50/p95 (PostgreSQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--carts",
            type=int,
            default=3000,
            help="In-process carts. Each is priced at every size in turn (the order alternating from cart to "
            "cart), so the sizes meet the same machine conditions and differ only in the promotions live.",
        )
        parser.add_argument(
            "--best-of",
            type=int,
            default=1,
            help="Price the carts this many times over and keep each cart's fastest time per size: warm "
            "caches and most of a shared host's noise filtered out (a steadier figure to compare builds by).",
        )
        parser.add_argument("--requests", type=int, default=300, help="HTTP requests per size.")
        parser.add_argument("--no-http", action="store_true", help="Only the in-process figures.")
        parser.add_argument("--sizes", default=",".join(map(str, SIZES)))

    def handle(self, *args, carts, best_of, requests, no_http, sizes, **options):
        sizes = [int(size) for size in sizes.split(",")]
        self._in_process(sizes, carts, max(1, best_of))
        if no_http:
            return
        if connection.vendor != "postgresql":
            self.stdout.write("HTTP figures need PostgreSQL (DATABASE_URL); skipped.")
            return
        _, key = APIKey.objects.create_key(name="bench_pricing")
        bench_catalog_write()
        try:
            for size in sizes:
                self._load(bench_data.promotion_definitions(size))
                timings = self._http(key, requests)
                self.stdout.write(
                    f"HTTP        {size:>6,} promotions: p50 {statistics.median(timings):.2f} ms, "
                    f"p95 {percentile(timings, 0.95):.2f} ms ({requests} requests, one client, gunicorn on loopback)"
                )
        finally:
            self._clear()

    def _in_process(self, sizes: list[int], carts: int, best_of: int) -> None:
        now = timezone.now()
        indexes, compile_ms = {}, {}
        for size in sizes:
            started = time.perf_counter()
            indexes[size] = compile_index(rules_from(bench_data.promotion_definitions(size)))
            compile_ms[size] = (time.perf_counter() - started) * 1000
        rng = random.Random(1)
        cart_list = [
            Cart(
                currency="BDT",
                lines=tuple(
                    CartLine(sku=s, quantity=q, unit_price=p, categories=c, brand=b)
                    for s, q, p, c, b in bench_data.cart_lines(rng)
                ),
                shipping_price=Decimal("120.00"),
            )
            for _ in range(carts)
        ]
        timings = {size: [float("inf")] * carts for size in sizes}
        counts = {size: {"discounted": 0, "candidates": 0, "applied": 0} for size in sizes}
        for attempt in range(best_of):
            for number, cart in enumerate(cart_list):
                for size in sizes if number % 2 else sizes[::-1]:
                    index = indexes[size]
                    started = time.perf_counter()
                    result = evaluate(cart, Context(now=now), index)
                    timings[size][number] = min(timings[size][number], (time.perf_counter() - started) * 1000)
                    if attempt == 0:
                        tally = counts[size]
                        tally["discounted"] += bool(result.applied)
                        tally["applied"] += len(result.applied)
                        tally["candidates"] += len(index.candidates(cart, None))
        for size in sizes:
            tally = counts[size]
            self.stdout.write(
                f"in-process  {size:>6,} promotions: p50 {statistics.median(timings[size]):.3f} ms, "
                f"p99 {percentile(timings[size], 0.99):.3f} ms ({carts} carts, each priced at every size in turn"
                f"{f', fastest of {best_of}' if best_of > 1 else ''}, "
                f"{tally['discounted']} with a discount; per cart {tally['candidates'] / carts:.1f} candidates, "
                f"{tally['applied'] / carts:.1f} applied; index compiled in {compile_ms[size]:.0f} ms)"
            )
        if len(sizes) > 1:
            smallest, largest = min(sizes), max(sizes)
            ratio = statistics.median(timings[largest]) / statistics.median(timings[smallest])
            self.stdout.write(f"in-process  p50 at {largest:,} / p50 at {smallest:,}: {ratio:.2f}")

    def _load(self, definitions: list[dict]):
        with transaction.atomic():
            self._clear_promotions()
            promotions = Promotion.objects.bulk_create((promotion_from(d) for d in definitions), batch_size=2000)
            PromotionCode.objects.bulk_create(
                (PromotionCode(promotion=p, code=p.code) for p in promotions if p.code), batch_size=2000
            )
            index_version_bump()

    def _clear_promotions(self):
        bench = Promotion.objects.filter(name__startswith="bench ")
        PromotionCode.objects.filter(promotion__in=bench).delete()
        bench.delete()

    def _clear(self):
        with transaction.atomic():
            self._clear_promotions()
            index_version_bump()
        APIKey.objects.filter(name="bench_pricing").delete()

    def _http(self, key: str, requests: int) -> list[float]:
        # Production settings serve collected static files; the API needs none, so an empty
        # directory stands in for them (a missing one makes every worker print a warning).
        with tempfile.TemporaryDirectory(prefix="bench_static_") as static_root:
            return self._time_requests(key, requests, static_root)

    def _time_requests(self, key: str, requests: int, static_root: str) -> list[float]:
        port = free_port()
        env = {**os.environ, "DJANGO_DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1",
               "SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": "WARNING", "STATIC_ROOT": static_root}  # fmt: skip
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
        )
        rng = random.Random(1)
        try:
            client = connect_when_up(port, timeout=180)  # workers boot slowly on a loaded host
            headers = {"Authorization": f"Api-Key {key}", "Content-Type": "application/json"}
            timings = []
            for number in range(requests + 20):
                lines = bench_data.cart_lines(rng)
                body = {
                    "currency": "BDT",
                    "lines": [{"sku": s, "quantity": q, "unit_price": str(p)} for s, q, p, _, _ in lines],
                    "shipping_price": "120.00",
                    "codes": [f"BENCH{rng.randrange(16, 20)}"],
                }
                started = time.perf_counter()
                client.request("POST", "/api/v1/carts/evaluate", json.dumps(body), headers)
                response = client.getresponse()
                response.read()
                elapsed = (time.perf_counter() - started) * 1000
                if response.status != 200:
                    raise RuntimeError(f"carts/evaluate answered {response.status}")
                if number >= 20:  # the first requests warm both workers' caches
                    timings.append(elapsed)
            return timings
        finally:
            server.terminate()
            server.wait(timeout=30)
