"""GET /healthz: 200 when the database and the broker answer, 503 otherwise."""

from django.db import connection
from django.http import JsonResponse

from config.celery import app as celery_app
from config.models import Heartbeat


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "not healthy", reported as such
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001
        return False


def healthz(request):
    database, broker = _database_ok(), _broker_ok()
    beat = Heartbeat.objects.filter(name="beat").first() if database else None
    body = {
        "status": "ok" if database and broker else "unavailable",
        "database": "ok" if database else "unavailable",
        "broker": "ok" if broker else "unavailable",
        "beat_last_seen": beat.last_seen_at.isoformat() if beat else None,
    }
    return JsonResponse(body, status=200 if database and broker else 503)
