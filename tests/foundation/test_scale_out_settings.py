"""Settings for more than one machine: queues per kind of work (CELERY_QUEUES_SPLIT) and PgBouncer's transaction
pooling (DATABASE_PGBOUNCER)."""

import os
import subprocess
import sys

from tests.support.processes import PROJECT_DIR

ROUTES = """
from config.celery import app
for name in ("messaging.outbox_dispatch", "config.export_run", "campaigns.journeys_tick"):
    print(name, app.amqp.router.route({}, name)["queue"].name)
"""


def _queues(**env) -> dict[str, str]:
    done = subprocess.run([sys.executable, "-c", ROUTES], cwd=PROJECT_DIR, capture_output=True, text=True,
                          env={**os.environ, "CELERY_TASK_DEFAULT_QUEUE": "promo", **env}, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(line.split() for line in done.stdout.splitlines())


def test_split_queues_keep_sends_and_analytics_off_the_default_queue():
    assert _queues(CELERY_QUEUES_SPLIT="1") == {
        "messaging.outbox_dispatch": "promo.sends",
        "config.export_run": "promo.analytics",
        "campaigns.journeys_tick": "promo",
    }
    assert set(_queues().values()) == {"promo"}


POOLING = """
import django
django.setup()
from django.conf import settings
database = settings.DATABASES["default"]
print(database.get("DISABLE_SERVER_SIDE_CURSORS", False), database.get("OPTIONS", {}).get("prepare_threshold", "unset"))
"""


def test_behind_pgbouncer_no_session_outlives_its_transaction():
    def pooling(**env) -> str:
        done = subprocess.run([sys.executable, "-c", POOLING], cwd=PROJECT_DIR, capture_output=True, text=True,
                              env={**os.environ, "DATABASE_URL": "postgres://promo@db:5432/promo", **env},
                              timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip().splitlines()[-1]

    assert pooling(DATABASE_PGBOUNCER="1") == "True None"
    assert pooling() == "False unset"
