"""Side by side with django-oscar over HTTP (issue #23, goal 1): the same 20-line cart against the same 1,000
offers (benchmarks/oscar/workload.py), oscar's basket pricing against our carts/evaluate.

Run with the project's venv, from the repository's root, PostgreSQL and Redis up:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oscar_side CACHE_URL=redis://127.0.0.1:6379/1 \
      nice -n 10 .venv/bin/python benchmarks/oscar/run.py

It makes oscar's venv (--oscar-venv, default var/oscar-venv) from benchmarks/oscar/requirements.txt when absent,
creates oscar's database (--oscar-database-url) when absent, migrates both sides, writes the workload into both
(ours through our models, as bench_pricing's loader does, under names "oscar bench N", replaced on each run),
serves each side with gunicorn (2 sync workers, DEBUG off, loopback), warms both, then alternates: one request to
oscar, then --requests / --oscar-requests to ours, with one keep-alive client each. It prints p50/p95 of each, the
ratio of the p50s against the goal, the servers' CPU per request (the gunicorn processes' user+sys from /proc), and
the load average before and after.
"""

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SANDBOX = HERE / "sandbox"
GOAL = 2_000
sys.path[:0] = [str(ROOT), str(HERE)]

import workload  # noqa: E402 (after the path: benchmarks/oscar is no package)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--oscar-venv", default=str(ROOT / "var" / "oscar-venv"))
    parser.add_argument("--oscar-database-url", default="postgres://postgres@127.0.0.1:5432/oscar_sandbox")
    parser.add_argument("--oscar-requests", type=int, default=15, help="timed requests to oscar")
    parser.add_argument("--requests", type=int, default=300, help="timed requests to ours")
    parser.add_argument("--skip-setup", action="store_true", help="both sides' data are there from an earlier run")
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL must name our PostgreSQL database.")
    python = ensure_oscar_venv(Path(options.oscar_venv))
    oscar_env = {**os.environ, "OSCAR_DATABASE_URL": options.oscar_database_url, "DJANGO_DEBUG": "0"}
    if options.skip_setup:
        basket = oscar_basket_id(python, oscar_env)
    else:
        ensure_database(options.oscar_database_url)
        basket = oscar_setup(python, oscar_env)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True)
    key = our_setup(load=not options.skip_setup)
    with tempfile.TemporaryDirectory(prefix="bench_static_") as static_root:
        our_env = {**os.environ, "DJANGO_DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1",
                   "SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": "WARNING", "STATIC_ROOT": static_root}  # fmt: skip
        ours = serve([sys.executable, "-m", "gunicorn", "config.wsgi"], ROOT, our_env)
        oscar = serve([python, "-m", "gunicorn", "oscar_bench.wsgi", "--timeout", "900"], SANDBOX, oscar_env)
        try:
            measure(ours, oscar, key, basket, options)
        finally:
            for server in (ours, oscar):
                server["process"].terminate()
                server["process"].wait(timeout=60)
            our_cleanup()


def ensure_oscar_venv(venv: Path) -> str:
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating oscar's venv in {venv}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(HERE / "requirements.txt")], check=True)
    return str(python)


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(url.replace(parsed.path, "/postgres"), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def oscar_manage(python: str, env: dict, *args: str) -> str:
    return subprocess.run([python, "manage.py", *args], cwd=SANDBOX, env=env, check=True, stdout=subprocess.PIPE,
                          text=True).stdout  # fmt: skip


def oscar_setup(python: str, env: dict) -> int:
    oscar_manage(python, env, "migrate", "-v", "0")
    started = time.perf_counter()
    output = oscar_manage(python, env, "oscar_workload")
    print(f"oscar  {output.strip()} (written in {time.perf_counter() - started:.0f} s)", flush=True)
    return int(re.search(r"basket (\d+):", output).group(1))


def oscar_basket_id(python: str, env: dict) -> int:
    script = "from oscar.apps.basket.models import Basket; print(Basket.objects.latest('pk').pk)"
    return int(oscar_manage(python, env, "shell", "-c", script).strip())


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def our_setup(*, load: bool) -> str:
    """Our side of the workload: bench_data's first 2,000 products (the same SKUs, prices, categories and brands
    oscar gets) and the 1,000 offers as promotions; returns a new storefront API key."""
    django_setup()
    from django.db import transaction
    from rest_framework_api_key.models import APIKey

    from promotions.management.commands.bench_pricing import bench_catalog_write, promotion_from
    from promotions.models import Promotion, PromotionCode
    from promotions.services.definitions import index_version_bump

    if load:
        bench_catalog_write(workload.PRODUCTS)
        with transaction.atomic():
            ours = Promotion.objects.filter(name__startswith="oscar bench ")
            PromotionCode.objects.filter(promotion__in=ours).delete()
            ours.delete()
            promotions = Promotion.objects.bulk_create(
                (promotion_from(workload.promotion_definition(offer)) for offer in workload.offers()), batch_size=2000
            )
            PromotionCode.objects.bulk_create(PromotionCode(promotion=p, code=p.code) for p in promotions if p.code)
            index_version_bump()
        others = Promotion.objects.filter(status="active").exclude(name__startswith="oscar bench ").count()
        print(f"ours   {len(promotions)} promotions written; {others} other active promotions in this database")
    _, key = APIKey.objects.create_key(name="bench_oscar")
    return key


def our_cleanup() -> None:
    from rest_framework_api_key.models import APIKey

    APIKey.objects.filter(name="bench_oscar").delete()


def our_body() -> str:
    cart = workload.cart()
    lines = [{"sku": workload.sku(n), "quantity": q, "unit_price": str(workload.unit_price(n))} for n, q in cart]
    return json.dumps({"currency": "BDT", "lines": lines, "codes": [workload.entered_code()]})


def serve(command: list[str], cwd: Path, env: dict) -> dict:
    port = free_port()
    process = subprocess.Popen(
        ["nice", "-n", "10", *command, "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"], cwd=cwd, env=env
    )
    return {"process": process, "port": port}


def free_port() -> int:
    from config.benchmarking import free_port as port

    return port()


def connect(port: int) -> http.client.HTTPConnection:
    """A client once the server answers, that waits as long as oscar takes."""
    from config.benchmarking import connect_when_up

    connect_when_up(port, timeout=300).close()
    return http.client.HTTPConnection("127.0.0.1", port, timeout=900)


def request(client: http.client.HTTPConnection, method: str, path: str, body=None, headers=None) -> tuple[float, dict]:
    started = time.perf_counter()
    client.request(method, path, body, headers or {})
    response = client.getresponse()
    payload = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}: {payload[:300]!r}")
    return elapsed, json.loads(payload)


def tree_cpu(pid: int) -> float:
    """User+system CPU seconds of a process and its living children (a gunicorn master and its workers)."""
    total = 0.0
    for task in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{task}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def measure(ours: dict, oscar: dict, key: str, basket: int, options) -> None:
    from config.benchmarking import host_cpu_seconds, percentile

    headers = {"Authorization": f"Api-Key {key}", "Content-Type": "application/json"}
    body = our_body()
    our_client, oscar_client = connect(ours["port"]), connect(oscar["port"])
    oscar_path = f"/basket/price?basket={basket}"
    for _ in range(2):  # each worker once: oscar's first request in a process loads its apps' code
        _, oscar_answer = request(oscar_client, "GET", oscar_path)
        oscar_client.close()  # the next request goes to whichever worker accepts
    for _ in range(20):
        _, our_answer = request(our_client, "POST", "/api/v1/carts/evaluate", body, headers)
    print(f"oscar  answer: {json.dumps(oscar_answer)}")
    our_summary = {k: our_answer[k] for k in ("subtotal", "discount_total", "total")}
    print(f"ours   answer: {json.dumps(our_summary)}, {len(our_answer['applied'])} promotions applied, codes "
          f"{[(c['code'], c['status']) for c in our_answer['codes']]}")  # fmt: skip
    load_before = os.getloadavg()
    timings = {"oscar": [], "ours": []}
    cpu = {"oscar": 0.0, "ours": 0.0}
    host = {"oscar": 0.0, "ours": 0.0}
    per_round = max(1, options.requests // options.oscar_requests)
    for number in range(options.oscar_requests):
        started, host_started = tree_cpu(oscar["process"].pid), host_cpu_seconds()
        timings["oscar"].append(request(oscar_client, "GET", oscar_path)[0])
        cpu["oscar"] += tree_cpu(oscar["process"].pid) - started
        host["oscar"] += host_cpu_seconds() - host_started
        count = per_round if number < options.oscar_requests - 1 else options.requests - len(timings["ours"])
        started, host_started = tree_cpu(ours["process"].pid), host_cpu_seconds()
        for _ in range(count):
            timings["ours"].append(request(our_client, "POST", "/api/v1/carts/evaluate", body, headers)[0])
        cpu["ours"] += tree_cpu(ours["process"].pid) - started
        host["ours"] += host_cpu_seconds() - host_started
    load_after = os.getloadavg()
    p50 = {side: statistics.median(samples) for side, samples in timings.items()}
    per_request = {side: {"gunicorn": cpu[side] / len(samples) * 1000, "host": host[side] / len(samples) * 1000}
                   for side, samples in timings.items()}  # fmt: skip
    for side, samples in timings.items():
        print(f"{side:6} p50 {p50[side]:10.2f} ms, p95 {percentile(samples, 0.95):10.2f} ms; CPU per request: "
              f"gunicorn {per_request[side]['gunicorn']:9.2f} ms, whole host {per_request[side]['host']:9.2f} ms "
              f"({len(samples)} requests)")  # fmt: skip
    ratio = p50["oscar"] / p50["ours"]
    verdict = "met" if ratio >= GOAL else f"not met: ours would need a p50 of {p50['oscar'] / GOAL:.2f} ms"
    print(f"ratio of p50s (oscar / ours): {ratio:,.0f}x; goal >= {GOAL:,}x {verdict}")
    for measure_name in ("gunicorn", "host"):
        cpu_ratio = per_request["oscar"][measure_name] / per_request["ours"][measure_name]
        print(f"ratio of CPU per request, {measure_name}: {cpu_ratio:,.0f}x")
    print("load average before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}".format(*load_before, *load_after))


if __name__ == "__main__":
    main()
