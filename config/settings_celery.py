"""Celery's settings, from environment variables; config/settings.py takes them all."""

import os
from pathlib import Path

from config.settings_env import VAR_DIR, env_bool

# Celery: the filesystem transport needs no server; production uses Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT = "config.broker:AtomicFilesystemTransport"  # kombu's own can hand over half a file
    for folder in {
        CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"],
        CELERY_BROKER_TRANSPORT_OPTIONS["processed_folder"],
    }:
        Path(folder).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
# Separate queues let several deployments (or parallel test runs) share one broker.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Past one machine (docs/operations.md): sends and analytics on queues of their own, so a launch or a model fit
# never delays the storefront-adjacent work (journeys, live segments, lifecycles) left on the default queue.
CELERY_QUEUES_SPLIT = env_bool("CELERY_QUEUES_SPLIT", False)
SENDS_TASKS = ("messaging.outbox_dispatch", "campaigns.launch", "campaigns.release_remainder")
ANALYTICS_TASKS = ("audiences.scores_recompute", "audiences.segment_refresh", "audiences.segments_refresh_all",
                   "audiences.recommendations_compute", "audiences.predictions_compute", "config.export_run",
                   "loyalty.ledger_drift_check")  # fmt: skip
CELERY_TASK_ROUTES = (
    {
        **{name: {"queue": f"{CELERY_TASK_DEFAULT_QUEUE}.sends"} for name in SENDS_TASKS},
        **{name: {"queue": f"{CELERY_TASK_DEFAULT_QUEUE}.analytics"} for name in ANALYTICS_TASKS},
    }
    if CELERY_QUEUES_SPLIT
    else {}
)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
HEARTBEAT_INTERVAL_SECONDS = int(os.environ.get("HEARTBEAT_INTERVAL_SECONDS", "60"))
