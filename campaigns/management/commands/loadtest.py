import csv
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from rest_framework_api_key.models import APIKey

from campaigns.load_background import background_prepare, background_progress, background_remove, background_start
from config.benchmarking import connect_when_up, database_url, free_port, host_cpu_seconds, process_cpu_seconds
from config.celery import app as celery_app
from promotions import bench_data, load_data

GOAL_RPS = 400
GOAL_P95_MS = 50
GOAL_P99_MS = 150
LOCUSTFILE = Path(settings.BASE_DIR) / "loadtest" / "locustfile.py"
TASK_QUEUE = f"loadtest-{uuid.uuid4().hex[:12]}"
PATH_COLUMNS = {"carts/evaluate": "p95_evaluate_ms", "coupons/validate": "p95_validate_ms", "orders": "p95_orders_ms"}
STEP_COLUMNS = ["users", "offered_rps", "rps", "p50_ms", "p95_ms", "p99_ms", "requests", "failures", "load_1min",
                *PATH_COLUMNS.values(), "host_cpu_ms", "locust_cpu_ms"]  # fmt: skip


def step_from_locust_csv(path: Path) -> dict:
    """A locust `--csv` stats file's aggregated rate, percentiles and counts, and each path's p95."""
    with path.open(newline="") as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}

    def milliseconds(row: dict, column: str) -> float:
        return float("inf") if row[column] == "N/A" else float(row[column])  # N/A: nothing was answered

    total = rows["Aggregated"]
    step = {
        "rps": float(total["Requests/s"]),
        "p50_ms": milliseconds(total, "50%"),
        "p95_ms": milliseconds(total, "95%"),
        "p99_ms": milliseconds(total, "99%"),
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
    }
    for name, column in PATH_COLUMNS.items():
        step[column] = milliseconds(rows[name], "95%") if name in rows else float("inf")
    return step


def _stop(process: subprocess.Popen) -> None:
    """Ask the process to stop; kill it if it has not within 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def knee(steps: list[dict]) -> dict | None:
    """The busiest step within the latency goal (p95 and p99) and without failures."""
    within = [s for s in steps if s["p95_ms"] <= GOAL_P95_MS and s["p99_ms"] <= GOAL_P99_MS and not s["failures"]]
    return max(within, key=lambda s: s["rps"], default=None)


class Command(BaseCommand):
    help = (
        "The storefront mix under load (issue #23 goal 1): gunicorn (DJANGO_DEBUG=0, cache on Redis) on a free "
        "local port, locust headless in steps of users (80 % carts/evaluate, 10 % coupons/validate, 10 % orders; "
        "loadtest/locustfile.py). Prints each step's requests/s, p50/p95/p99 and failures, then the knee against "
        "the goal, and keeps the steps as CSV under var/loadtest/. Seeds customers and creates the active "
        "promotions (bench_pricing's catalogue and mix) when absent (PostgreSQL). During one step (--background-step) "
        "a Celery worker launches a campaign and runs a journey's sends beside the mix (issue #22)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--steps", default="10,20,40,80,120,160", help="Users per step, comma-separated.")
        parser.add_argument("--step-seconds", type=int, default=25)
        parser.add_argument("--warmup-seconds", type=int, default=10, help="A first step not reported (0: none).")
        parser.add_argument("--user-rate", type=float, default=5.0, help="Requests per second of each user.")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (sync).")
        parser.add_argument("--customers", type=int, default=100_000, help="seed_demo's size when none exist.")
        parser.add_argument("--seed-orders", type=int, default=200_000, help="seed_demo's orders when it runs.")
        parser.add_argument(
            "--skus", type=int, default=bench_data.SKUS, help="bench_data's catalogue products, written when fewer."
        )
        parser.add_argument("--promotions", type=int, default=1_000, help="Active promotions when none exist.")
        parser.add_argument(
            "--cache-url",
            default=os.environ.get("CACHE_URL") or "redis://127.0.0.1:6379/1",
            help="The web processes' shared cache (default $CACHE_URL, else Redis db 1).",
        )
        parser.add_argument(
            "--background-step", type=int, default=-1,
            help="The step (its users) during which a campaign launch and a journey tick run in a Celery worker; "
            "default the second step, 0: none.",
        )  # fmt: skip
        parser.add_argument(
            "--background-customers", type=int, default=20_000,
            help="Customers the background campaign is launched to, and entered into the background journey.",
        )  # fmt: skip
        parser.add_argument(
            "--stop-above-ms", type=float, default=1000.0, help="No further steps once a step's p95 is above this."
        )
        parser.add_argument(
            "--out", default="", help="Where to keep steps.csv and the logs (default var/loadtest/<time>/)."
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("loadtest needs PostgreSQL (DATABASE_URL).")
        steps = [int(users) for users in options["steps"].split(",")]
        if options["background_step"] < 0:
            options["background_step"] = steps[1] if len(steps) > 1 else 0
        load_data.customers_ensure(customers=options["customers"], orders=options["seed_orders"], out=self.stdout)
        load_data.catalogue_ensure(skus=options["skus"], out=self.stdout)
        load_data.promotions_ensure(count=options["promotions"], out=self.stdout)
        key_row, key = APIKey.objects.create_key(name="loadtest")
        out = Path(options["out"] or Path(settings.VAR_DIR) / "loadtest" / f"{datetime.now(UTC):%Y%m%dT%H%M%S}")
        out.mkdir(parents=True, exist_ok=True)
        plan_path = out / "plan.json"
        try:
            plan_path.write_text(json.dumps(load_data.plan(key=key)))
            results = self._serve_and_load(steps, options, out, plan_path)
        finally:
            plan_path.unlink(missing_ok=True)  # it holds the key
            key_row.delete()
        self._report(results, out / "steps.csv")

    def _serve_and_load(self, steps: list[int], options: dict, out: Path, plan_path: Path) -> dict:
        port = free_port()
        static_root = out / "static"  # production settings serve collected files; the API needs none
        static_root.mkdir(exist_ok=True)
        env = {**os.environ, "DATABASE_URL": database_url(), "CACHE_URL": options["cache_url"], "DJANGO_DEBUG": "0",
               "SECRET_KEY": "loadtest-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0",
               "LOG_LEVEL": "WARNING", "STATIC_ROOT": str(static_root),
               # The limiter is not what this measures: every validate would be a 429 past 10/s per key.
               "THROTTLE_COUPON_VALIDATE_KEY": "1000000/min",
               "THROTTLE_COUPON_VALIDATE_CUSTOMER": "1000/min",
               # What the requests queue (journeys' order and event checks) goes to a queue of its own, dropped
               # after the run: no worker runs it, the load is the web tier's.
               "CELERY_TASK_DEFAULT_QUEUE": TASK_QUEUE}  # fmt: skip
        server_log = (out / "gunicorn.log").open("wb")
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", str(options["workers"]),
             "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=settings.BASE_DIR, env=env, stdout=server_log, stderr=server_log,
        )  # fmt: skip
        try:
            connect_when_up(port, timeout=180).close()  # workers boot slowly on a loaded host
            load_before = os.getloadavg()
            self.stdout.write(
                f"gunicorn -w {options['workers']} on 127.0.0.1:{port}; {options['user_rate']:g} requests/s per "
                f"user; load average {self._load(load_before)}"
            )
            if options["warmup_seconds"]:
                self._locust(port, steps[0], options["warmup_seconds"], options, out, plan_path, "warmup")
            results = []
            for users in steps:
                if users == options["background_step"]:
                    step = self._with_background(env, port, users, options, out, plan_path)
                else:
                    step = self._locust(port, users, options["step_seconds"], options, out, plan_path, f"step-{users}")
                step.update(users=users, offered_rps=users * options["user_rate"], load_1min=os.getloadavg()[0])
                results.append(step)
                self.stdout.write(
                    f"{users:>5} users (offered {step['offered_rps']:>6.0f}/s): {step['rps']:7.1f} requests/s, "
                    f"p50 {step['p50_ms']:.0f} ms, p95 {step['p95_ms']:.0f} ms, p99 {step['p99_ms']:.0f} ms, "
                    f"{step['failures']} failures of {step['requests']:,}; load {step['load_1min']:.1f}; p95 by path: "
                    + ", ".join(f"{name} {step[column]:.0f}" for name, column in PATH_COLUMNS.items())
                    + self._cpu(step)
                )
                if step["p95_ms"] > options["stop_above_ms"]:
                    self.stdout.write(f"p95 above {options['stop_above_ms']:.0f} ms: no further steps")
                    break
            return {"steps": results, "load_before": load_before, "load_after": os.getloadavg()}
        finally:
            _stop(server)
            server_log.close()
            with celery_app.connection_for_write() as broker:
                broker.default_channel.queue_purge(TASK_QUEUE)

    def _with_background(self, env: dict, port: int, users: int, options: dict, out: Path, plan: Path) -> dict:
        """The step with a campaign launch and a journey's sends running beside it in a real Celery worker."""
        work = background_prepare(customers=options["background_customers"])
        worker_env = {**env, "SMS_BACKEND": "messaging.backends.sms.LocmemSMSBackend", "MESSAGING_QUIET_HOURS": ""}
        worker_log = (out / "background-worker.log").open("wb")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", TASK_QUEUE, "-c", "1", "-l", "warning",
             "-n", f"{TASK_QUEUE}@%h"],
            cwd=settings.BASE_DIR, env=worker_env, stdout=worker_log, stderr=worker_log,
        )  # fmt: skip
        default_queue = celery_app.conf.task_default_queue
        celery_app.conf.task_default_queue = TASK_QUEUE  # what the launch queues from here goes to that worker
        try:
            self._wait_for_worker()
            background_start(work)
            step = self._locust(port, users, options["step_seconds"], options, out, plan, f"step-{users}")
            done = background_progress(work)
        finally:
            celery_app.conf.task_default_queue = default_queue
            _stop(worker)
            worker_log.close()
            background_remove()
        launch = "finished" if done["launch_finished"] else "still running"
        self.stdout.write(
            f"      background during the {users}-user step: a campaign launch to {len(work.customer_ids):,} "
            f"customers queued {done['launch_queued']:,} messages ({launch}), a journey entered "
            f"{done['journey_enrolled']:,} and ran {done['journey_steps_done']:,} sends"
        )
        return step

    def _wait_for_worker(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if celery_app.control.ping(destination=[f"{TASK_QUEUE}@{socket.gethostname()}"], timeout=1):
                return
        raise CommandError("The background worker did not start.")

    def _locust(self, port: int, users: int, seconds: int, options: dict, out: Path, plan: Path, name: str):
        prefix = out / name
        env = {**os.environ, "LOADTEST_PLAN": str(plan), "LOADTEST_USER_RATE": str(options["user_rate"])}
        command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host",
                   f"http://127.0.0.1:{port}", "-u", str(users), "-r", str(users), "--run-time", f"{seconds}s",
                   "--stop-timeout", "5", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"]  # fmt: skip
        with (out / f"{name}.log").open("wb") as log:
            locust = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=log)
            # The CPU is sampled over the middle of the step, the users running at their pace: locust's start-up
            # (about a second of CPU) and the ramp are left out.
            time.sleep(seconds * 0.2)
            host_before, locust_before = host_cpu_seconds(), process_cpu_seconds(locust.pid)
            window_started = time.monotonic()
            time.sleep(seconds * 0.7)
            host_after, locust_after = host_cpu_seconds(), process_cpu_seconds(locust.pid)
            window = time.monotonic() - window_started
            # Locust exits 1 when any request failed: the step's figures say so; a missing CSV is the real error.
            try:
                locust.wait(timeout=seconds + 120)
            except subprocess.TimeoutExpired:
                _stop(locust)
                raise CommandError(f"locust did not finish {name} within {seconds + 120} s") from None
        stats, exceptions = Path(f"{prefix}_stats.csv"), Path(f"{prefix}_exceptions.csv")
        if not stats.exists() or (exceptions.exists() and len(exceptions.read_text().splitlines()) > 1):
            raise CommandError(f"locust failed in {name}:\n{(out / f'{name}.log').read_text()[-3000:]}")
        step = step_from_locust_csv(stats)
        answered = max(step["rps"], 0.001) * window  # at the step's rate, within the window
        measured = None not in (host_before, host_after, locust_before, locust_after)
        # The host's is everything that ran (gunicorn, PostgreSQL, Redis, locust, and anything else on the machine).
        step["host_cpu_ms"] = (host_after - host_before) * 1000 / answered if measured else None
        step["locust_cpu_ms"] = (locust_after - locust_before) * 1000 / answered if measured else None
        return step

    def _cpu(self, step: dict) -> str:
        """What a request cost the host's cores in the step, and the most requests/s that allows."""
        cores, host, locust = os.cpu_count() or 1, step["host_cpu_ms"], step["locust_cpu_ms"]
        if not host or host <= locust:  # no /proc/stat, or too few requests to tell
            return ""
        return (
            f"; CPU per request {host:.2f} ms on the host, of which locust's {locust:.2f}: at most "
            f"{cores * 1000 / host:,.0f} requests/s on {cores} cores, {cores * 1000 / (host - locust):,.0f} "
            "without locust"
        )

    def _load(self, load: tuple[float, float, float]) -> str:
        return " / ".join(f"{value:.1f}" for value in load)

    def _report(self, results: dict, csv_path: Path) -> None:
        steps = results["steps"]
        with csv_path.open("w", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=STEP_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows({k: round(v, 2) if isinstance(v, float) else v for k, v in step.items()} for step in steps)
        best = knee(steps)
        goal = f"goal ≥ {GOAL_RPS} requests/s with p95 ≤ {GOAL_P95_MS} ms and p99 ≤ {GOAL_P99_MS} ms"
        if best is None:
            self.stdout.write(f"knee: no step within the latency goal ({goal}): not met")
        else:
            verdict = "met" if best["rps"] >= GOAL_RPS else "not met"
            self.stdout.write(
                f"knee: {best['rps']:.1f} requests/s at {best['users']} users, p95 {best['p95_ms']:.0f} ms, "
                f"p99 {best['p99_ms']:.0f} ms ({goal}): {verdict}"
            )
        self.stdout.write(
            f"load average before {self._load(results['load_before'])}, after {self._load(results['load_after'])} "
            f"({os.cpu_count()} cores); steps and logs kept in {csv_path.parent}"
        )
