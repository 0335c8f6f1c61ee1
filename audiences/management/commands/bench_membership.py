"""How long after an event POST a customer shows in the segment it puts them in, under load.

Starts gunicorn (2 workers), one Celery worker and beat against DATABASE_URL and CELERY_BROKER_URL
(its own queue, so it can share a broker), sends a steady storefront load of events and orders for
existing customers, and meanwhile, at random intervals of 0.5-1.5 s, signs up a new customer and
posts the `complaint_opened` event that puts them in the predefined `complaint` segment. The delay
is from just before that POST to the moment the membership row is visible (polled every 20 ms).

It writes: customers, events and orders named BENCH-..., and the history of their segment entries.
Run it on a database made for benchmarks.
"""

import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from rest_framework_api_key.models import APIKey

from audiences.models import Customer, MembershipRecheck, Product, Segment, SegmentMembership
from config.benchmarking import connect_when_up, free_port, percentile
from config.setup import periodic_tasks_install

POLL_SECONDS = 0.02


class Command(BaseCommand):
    help = (
        "Delay from an event POST to segment membership (p50/p95/max) under a steady storefront load through "
        "gunicorn, with a real Celery worker and beat. Writes BENCH-... data: use a benchmark database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=60, help="How long the load and the probes run.")
        parser.add_argument("--rate", type=float, default=20.0, help="Load requests per second (events, orders).")
        parser.add_argument("--clients", type=int, default=4, help="Connections the load is spread over.")
        parser.add_argument("--order-share", type=float, default=0.2, help="Fraction of the load that is orders.")

    def handle(self, *args, seconds, rate, clients, order_share, **options):
        if seconds < 1 or rate <= 0 or clients < 1 or not 0 <= order_share <= 1:
            raise CommandError("--seconds and --clients take 1 or more, --rate more than 0, --order-share 0 to 1.")
        complaint = Segment.objects.filter(code="complaint").first()
        if complaint is None:
            raise CommandError("The predefined 'complaint' segment is missing: run migrate.")
        customers = list(Customer.objects.order_by("?").values_list("external_id", flat=True)[:2000])
        skus = list(Product.objects.filter(currency="BDT").values_list("sku", flat=True)[:200]) or ["BENCH-SKU"]
        if not customers:
            raise CommandError("No customers to load: run seed_demo first.")
        periodic_tasks_install()
        _, key = APIKey.objects.create_key(name="bench_membership")
        run = uuid.uuid4().hex[:8]
        try:
            with (
                tempfile.TemporaryDirectory(prefix="bench_membership_") as scratch,
                self._processes(Path(scratch)) as port,
            ):
                connect_when_up(port).close()
                load = Load(port, key, run, customers, skus, rate, clients, order_share)
                probes = Probes(port, key, run, complaint.pk)
                recheck_backlog = []
                load.start()
                probes.start()
                started = time.monotonic()
                while time.monotonic() - started < seconds:
                    time.sleep(1)
                    recheck_backlog.append(MembershipRecheck.objects.count())
                load.stop()
                probes.stop(wait_seconds=30)
        finally:
            APIKey.objects.filter(name="bench_membership").delete()
            connections.close_all()
        self._report(seconds, load, probes, recheck_backlog)

    def _report(self, seconds, load, probes, backlog) -> None:
        delays = sorted(probes.delays)
        if not delays:
            raise CommandError(f"No probe customer entered the segment; {probes.missing} missing.")
        self.stdout.write(
            f"load: {len(load.latencies) / seconds:.1f} requests/s for {seconds} s ({load.orders} orders, "
            f"{load.events} events, {load.errors} errors), HTTP p50 {statistics.median(load.latencies):.1f} ms, "
            f"p95 {percentile(load.latencies, 0.95):.1f} ms"
        )
        self.stdout.write(
            f"event POST -> membership: p50 {statistics.median(delays):.2f} s, p95 {percentile(delays, 0.95):.2f} s, "
            f"max {delays[-1]:.2f} s ({len(delays)} probes, {probes.missing} not in after 30 s); "
            f"recheck backlog sampled each second: max {max(backlog, default=0)} marks"
        )

    def _processes(self, scratch: Path):
        port = free_port()
        queue = f"bench-membership-{uuid.uuid4().hex[:8]}"
        env = {**os.environ, "DJANGO_DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1",
               "SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": "WARNING", "STATIC_ROOT": str(scratch),
               "CELERY_TASK_DEFAULT_QUEUE": queue}  # fmt: skip
        gunicorn = [sys.executable, "-m", "gunicorn", "config.wsgi", "--log-level", "warning"]
        celery = [sys.executable, "-m", "celery", "-A", "config"]
        commands = [
            [*gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}"],
            [*celery, "worker", "-l", "warning", "-c", "1", "-Q", queue],
            [*celery, "beat", "-l", "warning", "--pidfile=", "-s", str(scratch / "beat")],  # as in production
        ]
        return _Running(commands, env, port)


class _Running:
    """gunicorn, the worker and beat for the duration of a `with` block; always stopped after."""

    def __init__(self, commands: list[list[str]], env: dict, port: int):
        self.commands, self.env, self.port, self.processes = commands, env, port, []

    def __enter__(self) -> int:
        for command in self.commands:
            self.processes.append(subprocess.Popen(command, cwd=settings.BASE_DIR, env=self.env))
        return self.port

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _post(client: http.client.HTTPConnection, key: str, method: str, path: str, body: dict) -> int:
    headers = {"Authorization": f"Api-Key {key}", "Content-Type": "application/json"}
    client.request(method, path, json.dumps(body), headers)
    response = client.getresponse()
    response.read()
    return response.status


class Load:
    """A steady rate of storefront writes: `product_viewed` events and one-line orders."""

    def __init__(self, port, key, run, customers, skus, rate, clients, order_share):
        self.port, self.key, self.run, self.customers, self.skus = port, key, run, customers, skus
        self.interval, self.clients, self.order_share = clients / rate, clients, order_share
        self.latencies: list[float] = []
        self.orders = self.events = self.errors = 0
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(clients)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _client(self, number: int) -> None:
        rng = random.Random(number)
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        due = time.monotonic() + number * self.interval / self.clients
        sent = 0
        while not self.stopping.is_set():
            time.sleep(max(0.0, due - time.monotonic()))
            due += self.interval  # a steady rate: a slow answer does not push the next request back
            customer = rng.choice(self.customers)
            if rng.random() < self.order_share:
                path, body = "/api/v1/orders", {"external_id": f"BENCH-{self.run}-{number}-{sent}",
                    "customer": customer, "currency": "BDT",
                    "lines": [{"sku": rng.choice(self.skus), "quantity": 1, "unit_price": "250.00"}]}  # fmt: skip
                self.orders += 1
            else:
                path, body = "/api/v1/events", {"customer": customer, "type": "product_viewed"}
                self.events += 1
            started = time.perf_counter()
            try:
                status = _post(client, self.key, "POST", path, body)
            except (OSError, http.client.HTTPException):
                client.close()
                client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                status = None
            self.latencies.append((time.perf_counter() - started) * 1000)
            self.errors += status != 201
            sent += 1
        client.close()


class Probes:
    """About once a second a new customer and their complaint; a poller notes when each is a member."""

    def __init__(self, port, key, run, segment_id):
        self.port, self.key, self.run, self.segment_id = port, key, run, segment_id
        self.posted: dict[str, float] = {}
        self.delays: list[float] = []
        self.missing = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.sender = threading.Thread(target=self._send, daemon=True)
        self.poller = threading.Thread(target=self._poll, daemon=True)

    def start(self) -> None:
        self.sender.start()
        self.poller.start()

    def stop(self, wait_seconds: float) -> None:
        self.stopping.set()
        self.sender.join(timeout=60)
        deadline = time.monotonic() + wait_seconds
        while self.posted and time.monotonic() < deadline:
            time.sleep(0.1)
        self.missing = len(self.posted)
        self.posted = {}
        self.poller.join(timeout=10)

    def _send(self) -> None:
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        rng = random.Random(7)
        number = 0
        while not self.stopping.is_set():
            external_id = f"BENCH-P-{self.run}-{number}"
            _post(client, self.key, "PUT", f"/api/v1/customers/{external_id}", {"first_name": "Probe"})
            started = time.monotonic()
            with self.lock:
                self.posted[external_id] = started
            event = {"customer": external_id, "type": "complaint_opened"}
            if _post(client, self.key, "POST", "/api/v1/events", event) != 201:
                raise RuntimeError("the probe event was refused")
            number += 1
            # About one a second, not in step with beat's one-second tick (that would flatter p50).
            time.sleep(max(0.0, started + rng.uniform(0.5, 1.5) - time.monotonic()))
        client.close()

    def _poll(self) -> None:
        try:
            while not self.stopping.is_set() or self.posted:
                with self.lock:
                    pending = dict(self.posted)
                if pending:
                    members = SegmentMembership.objects.filter(
                        segment_id=self.segment_id, customer__external_id__in=list(pending)
                    ).values_list("customer__external_id", flat=True)
                    seen = time.monotonic()
                    with self.lock:
                        for external_id in members:
                            if self.posted.pop(external_id, None) is not None:
                                self.delays.append(seen - pending[external_id])
                time.sleep(POLL_SECONDS)
        finally:
            connections.close_all()
