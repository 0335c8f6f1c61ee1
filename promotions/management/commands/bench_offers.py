import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from rest_framework_api_key.models import APIKey

from audiences.models import Customer
from config.benchmarking import connect_when_up, free_port, percentile
from promotions import bench_data
from promotions.management.commands.bench_pricing import promotion_from
from promotions.models import Promotion, PromotionCode
from promotions.services.definitions import index_version_bump

CUSTOMERS = 50


class Command(BaseCommand):
    help = (
        "GET /customers/{id}/offers with N live promotions of mixed types (bench_pricing's): CPU per request "
        "in-process, then p50/p95 over HTTP through gunicorn on loopback, customers taken in turn (PostgreSQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--promotions", type=int, default=1_000)
        parser.add_argument("--requests", type=int, default=500)

    def handle(self, *args, promotions, requests, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The HTTP bench needs PostgreSQL (DATABASE_URL).")
        _, key = APIKey.objects.create_key(name="bench_offers")
        try:
            with transaction.atomic():
                self._clear()
                created = Promotion.objects.bulk_create(
                    (promotion_from(d) for d in bench_data.promotion_definitions(promotions)), batch_size=2000
                )
                PromotionCode.objects.bulk_create(
                    (PromotionCode(promotion=p, code=p.code) for p in created if p.code), batch_size=2000
                )
                Customer.objects.bulk_create(
                    Customer(
                        external_id=f"BENCH-OFFERS-{n:03d}",
                        currency="BDT",
                        orders_count=n % 7,
                        total_spent=Decimal(1500 * (n % 7)),
                    )
                    for n in range(CUSTOMERS)
                )
                index_version_bump()
            cpu = self._cpu_in_process(key, requests)
            self.stdout.write(
                f"In-process {promotions:>6,} promotions: CPU per request p50 {statistics.median(cpu):.2f} ms, "
                f"mean {statistics.mean(cpu):.2f} ms ({requests} requests, the Django test client, this process)"
            )
            with tempfile.TemporaryDirectory(prefix="bench_static_") as static_root:
                timings, offered = self._time_requests(key, requests, static_root)
            self.stdout.write(
                f"HTTP offers {promotions:>6,} promotions: p50 {statistics.median(timings):.2f} ms, "
                f"p95 {percentile(timings, 0.95):.2f} ms ({requests} requests over {CUSTOMERS} customers, one "
                f"client, gunicorn on loopback; {statistics.mean(offered):.0f} offers per answer)"
            )
        finally:
            with transaction.atomic():
                self._clear()
                index_version_bump()
            APIKey.objects.filter(name="bench_offers").delete()

    def _clear(self):
        bench = Promotion.objects.filter(name__startswith="bench ")
        PromotionCode.objects.filter(promotion__in=bench).delete()
        bench.delete()
        Customer.objects.filter(external_id__startswith="BENCH-OFFERS-").delete()

    def _cpu_in_process(self, key: str, requests: int) -> list[float]:
        """The request's CPU in this process (`time.process_time`, PostgreSQL's share not included), after each
        customer's first request: less swayed by a busy host than the wall time over HTTP."""
        client = Client(headers={"Authorization": f"Api-Key {key}"})
        cpu = []
        for number in range(requests + CUSTOMERS):
            started = time.process_time()
            response = client.get(f"/api/v1/customers/BENCH-OFFERS-{number % CUSTOMERS:03d}/offers")
            if response.status_code != 200:
                raise RuntimeError(f"offers answered {response.status_code}: {response.content[:200]!r}")
            if number >= CUSTOMERS:
                cpu.append((time.process_time() - started) * 1000)
        return cpu

    def _time_requests(self, key: str, requests: int, static_root: str) -> tuple[list[float], list[int]]:
        port = free_port()
        env = {**os.environ, "DJANGO_DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1",
               "SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": "WARNING", "STATIC_ROOT": static_root}  # fmt: skip
        command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}",
                   "--log-level", "warning"]  # fmt: skip
        server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env)
        try:
            client = connect_when_up(port, timeout=180)  # workers boot slowly on a loaded host
            headers = {"Authorization": f"Api-Key {key}"}
            timings, offered = [], []
            warm_up = 2 * CUSTOMERS  # each worker reads the index and each customer's facts once
            for number in range(requests + warm_up):
                started = time.perf_counter()
                client.request("GET", f"/api/v1/customers/BENCH-OFFERS-{number % CUSTOMERS:03d}/offers", None, headers)
                response = client.getresponse()
                body = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                if response.status != 200:
                    raise RuntimeError(f"offers answered {response.status}: {body[:200]!r}")
                if number >= warm_up:
                    timings.append(elapsed)
                    offered.append(body.count(b'"rank"'))
            return timings, offered
        finally:
            server.terminate()
            server.wait(timeout=30)
