"""coupons/validate's limits hold under real parallel requests: 32 clients against a served app.

With Redis (as CI and production run) the app is two gunicorn worker processes sharing the Redis cache;
without it (the embedded default) one process with many threads and the in-process cache.
"""

import json
import os
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from rest_framework_api_key.models import APIKey

from audiences import services as audiences
from tests.support.processes import free_port, gunicorn_command, running, subprocess_env, wait_until

LIMIT = 20


def _post(url: str, key: str, body: dict) -> int:
    request = urllib.request.Request(  # noqa: S310 - our own local server
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("rate_setting", "body"), [
    ("THROTTLE_COUPON_VALIDATE_KEY", {"code": "NOPE-1234"}),
    ("THROTTLE_COUPON_VALIDATE_CUSTOMER", {"code": "NOPE-1234", "customer": f"C-{uuid.uuid4().hex[:12]}"}),
])  # fmt: skip
def test_exactly_the_limit_passes_under_32_parallel_clients(tmp_path, rate_setting, body):
    _, key = APIKey.objects.create_key(name="parallel")
    if "customer" in body:
        audiences.customer_upsert(external_id=body["customer"])
    broker = os.environ.get("CELERY_BROKER_URL", "")
    shared_cache = broker.startswith("redis")
    # A day's window, so the run cannot straddle two windows (but at midnight); a new key and customer each run,
    # so counters left in Redis by an earlier run do not count.
    extra = {rate_setting: f"{LIMIT}/d"}
    if shared_cache:
        extra["CACHE_URL"] = broker
    env = subprocess_env(tmp_path, **extra)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = (
        gunicorn_command(port, workers=2, threads=8) if shared_cache else gunicorn_command(port, workers=1, threads=16)
    )
    with running({"web": command}, env, tmp_path):
        assert wait_until(lambda: _up(url), timeout=60), (tmp_path / "web.log").read_text()
        with ThreadPoolExecutor(max_workers=32) as pool:
            statuses = list(pool.map(lambda _: _post(f"{url}/api/v1/coupons/validate", key, body), range(4 * LIMIT)))
    assert statuses.count(429) == 3 * LIMIT and statuses.count(200) == LIMIT, statuses
