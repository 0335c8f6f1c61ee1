"""PostgreSQL restarts while the storefront API is serving: while it is down every call answers 503 in the error
shape (never a 500, never a hang) and writes nothing; once it is back the same web processes serve again on their
own, and an order retried after the outage is recorded exactly once."""

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.support.processes import PROJECT_DIR, gunicorn_command, running, subprocess_env, wait_until
from tests.support.servers import PG_BIN, free_port, postgres_server

SETUP = """
import django
django.setup()
from rest_framework_api_key.models import APIKey
from audiences.services.catalog import store_upsert, product_upsert
store_upsert(code="DHK-01", name="Gulshan", timezone="Asia/Dhaka", currency="BDT")
product_upsert(sku="RICE", name="Rice", price=100, currency="BDT")
print(APIKey.objects.create_key(name="fault test")[1])
"""
COUNT_ORDERS = """
import django
django.setup()
from audiences.models import Order
print(Order.objects.filter(external_id__startswith="F-").count())
"""


def _call(port: int, key: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 (http to the test's own server)
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _django(env: dict, script: str) -> str:
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
                          timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


CART = {"currency": "BDT", "store": "DHK-01", "lines": [{"sku": "RICE", "quantity": 2, "unit_price": "100.00"}]}


def _order(external_id: str) -> dict:
    return {**CART, "external_id": external_id}


@pytest.mark.processes
def test_the_api_answers_503_while_postgresql_restarts_then_serves_again_on_its_own(tmp_path):
    with postgres_server() as database:
        subprocess.run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(database.port), "-U", "postgres",
                        "faults"], check=True, timeout=60)  # fmt: skip
        env = subprocess_env(tmp_path, DATABASE_URL=database.url("faults"), DJANGO_DEBUG="0", SECRET_KEY="faults",
                             ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="0")  # fmt: skip
        migrated = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=PROJECT_DIR,
                                  env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        key = _django(env, SETUP)
        port = free_port()
        with running({"web": gunicorn_command(port, workers=2)}, env, tmp_path):
            assert wait_until(lambda: _up(port, key), timeout=60), (tmp_path / "web.log").read_text()[-3000:]
            assert _call(port, key, "POST", "/api/v1/orders", _order("F-1"))[0] == 201

            database.stop()
            for _ in range(4):  # both workers, on their kept connection and on a new one
                status, body = _call(port, key, "POST", "/api/v1/carts/evaluate", CART)
                assert (status, body["code"]) == (503, "service_unavailable"), body
                assert "nothing was applied" in body["message"]
            status, body = _call(port, key, "POST", "/api/v1/orders", _order("F-2"))
            assert (status, body["code"]) == (503, "service_unavailable")
            assert _call(port, key, "GET", "/healthz")[0] == 503

            database.start()
            assert wait_until(lambda: _up(port, key), timeout=30), (tmp_path / "web.log").read_text()[-3000:]
            assert _call(port, key, "POST", "/api/v1/orders", _order("F-2"))[0] == 201
            assert _call(port, key, "POST", "/api/v1/orders", _order("F-2"))[0] == 200  # the same order again
            web_log = (tmp_path / "web.log").read_text()
        assert _django(env, COUNT_ORDERS) == "2"
    assert "Traceback" not in web_log, web_log[-3000:]


def _up(port: int, key: str) -> bool:
    try:
        return _call(port, key, "POST", "/api/v1/carts/evaluate", CART)[0] == 200
    except OSError:
        return False
