"""`make loadtest` end to end at a tiny scale: seed, a real gunicorn, a real locust process per step, the report."""

import csv
import os
import urllib.error
import urllib.request
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework_api_key.models import APIKey

from audiences.models import Customer, Order
from campaigns.journeys.models import Journey
from campaigns.load_background import NAME
from campaigns.management.commands.loadtest import knee
from campaigns.models import Campaign
from config.celery import app as celery_app
from promotions.models import Promotion

STEP = {"p50_ms": 10.0, "requests": 100, "failures": 0}


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the load test serves PostgreSQL to many processes")
def test_the_mix_runs_through_gunicorn_and_locust_and_reports_each_step(tmp_path, settings):
    settings.DEMO_CAMPAIGN_HISTORY = False
    # The background step's worker runs the tasks; every test's fixture makes them eager again.
    celery_app.conf.task_always_eager = False
    broker = os.environ.get("CELERY_BROKER_URL", "")
    out = StringIO()
    call_command(
        "loadtest", customers=12, seed_orders=12, skus=300, promotions=40, steps="1,2", step_seconds=3,
        warmup_seconds=0, workers=1, user_rate=10, cache_url=broker if broker.startswith("redis") else "",
        out=str(tmp_path), stdout=out,
    )  # fmt: skip
    report = out.getvalue()

    assert Customer.objects.count() == 12
    assert Promotion.objects.filter(name__startswith="load ", status="active").count() == 40
    with (tmp_path / "steps.csv").open() as steps_file:
        steps = list(csv.DictReader(steps_file))
    assert [step["users"] for step in steps] == ["1", "2"]
    for step in steps:
        assert int(step["requests"]) > 0 and step["failures"] == "0", step
        assert f"{step['users']:>5} users (offered" in report
        assert float(step["p95_evaluate_ms"]) > 0
        # What a request cost the machine: everything that ran, the load generator included.
        assert float(step["host_cpu_ms"]) > 0 and 0 <= float(step["locust_cpu_ms"]) <= float(step["host_cpu_ms"]), step
    # A session is 8 evaluates, a validate and an order: the first sessions got to their orders, each new.
    assert Order.objects.filter(external_id__startswith="LT-").exists()
    assert "knee: " in report and "goal ≥ 400 requests/s with p95 ≤ 50 ms and p99 ≤ 150 ms" in report
    assert "load average before" in report
    assert "requests/s on " in report and " without locust" in report
    assert "background during the 2-user step: a campaign launch to 12 customers queued" in report
    assert "a journey entered 12 and ran" in report
    assert not Campaign.objects.filter(name=NAME).exists() and not Journey.objects.filter(code="loadtest-bg").exists()
    assert not APIKey.objects.filter(name="loadtest").exists()
    assert not (tmp_path / "plan.json").exists()
    port = report.split("127.0.0.1:")[1].split(";")[0]
    with pytest.raises(urllib.error.URLError):  # gunicorn was stopped
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)


def test_the_knee_is_the_busiest_step_within_both_percentiles_and_without_failures():
    steps = [
        {**STEP, "users": 10, "rps": 50.0, "p95_ms": 20.0, "p99_ms": 40.0},
        {**STEP, "users": 20, "rps": 100.0, "p95_ms": 45.0, "p99_ms": 140.0},
        {**STEP, "users": 40, "rps": 190.0, "p95_ms": 49.0, "p99_ms": 160.0},  # p99 over
        {**STEP, "users": 80, "rps": 180.0, "p95_ms": 30.0, "p99_ms": 90.0, "failures": 3},
        {**STEP, "users": 120, "rps": 170.0, "p95_ms": 400.0, "p99_ms": 900.0},
    ]
    assert knee(steps)["users"] == 20
    assert knee(steps[2:]) is None
