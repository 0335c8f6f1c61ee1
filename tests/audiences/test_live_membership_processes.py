"""Through the real API, a real Celery worker and beat: a customer enters a segment seconds after
the event that puts them there, with no refresh by hand."""

import time

import pytest

from audiences.models import Segment, SegmentMembershipChange
from config.models import Heartbeat
from config.setup import periodic_tasks_install
from tests.support.processes import celery_command, running, subprocess_env, wait_until

WITHIN_SECONDS = 10  # the recheck runs every second; the rest is slack for a busy shared host
# The ready-made segment (a migration's data), written here too: a transactional test run before this one on
# the same database flushes what the migrations wrote.
COMPLAINT_RULES = {
    "all": [
        {"event": "complaint_resolved", "within_days": 1},
        {"field": "has_open_complaint", "op": "eq", "value": False},
    ]
}


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_a_resolved_complaint_puts_a_customer_in_the_complaint_segment_within_seconds(settings, tmp_path, storefront):
    settings.HEARTBEAT_INTERVAL_SECONDS = 1
    Segment.objects.update_or_create(
        code="complaint", defaults={"name": "Complaint recovery", "rules": COMPLAINT_RULES, "predefined": True}
    )
    settings.SEGMENT_RECHECK_INTERVAL_SECONDS = 1
    periodic_tasks_install()
    env = subprocess_env(tmp_path, HEARTBEAT_INTERVAL_SECONDS="1", SEGMENT_RECHECK_INTERVAL_SECONDS="1")
    commands = {
        "worker": celery_command("worker", "-l", "info", "-c", "1", "-Q", env["CELERY_TASK_DEFAULT_QUEUE"]),
        "beat": celery_command("beat", "-l", "info", "--max-interval", "1", "--pidfile="),
    }

    def segments() -> list[str]:
        return storefront.get("/api/v1/customers/C-NEW").json()["segments"]

    with running(commands, env, tmp_path):
        started = wait_until(lambda: Heartbeat.objects.filter(name="beat", beats__gte=1).exists(), timeout=90)
        assert started, (tmp_path / "worker.log").read_text()[-2000:]
        assert storefront.put("/api/v1/customers/C-NEW", {"first_name": "Asha"}, format="json").status_code == 201
        response = storefront.post("/api/v1/events", {"customer": "C-NEW", "type": "complaint_opened"}, format="json")
        assert response.status_code == 201
        posted = time.monotonic()
        response = storefront.post("/api/v1/events", {"customer": "C-NEW", "type": "complaint_resolved"}, format="json")
        assert response.status_code == 201
        entered = wait_until(lambda: "complaint" in segments(), timeout=WITHIN_SECONDS, interval=0.1)
        delay = time.monotonic() - posted

    assert entered, (
        f"not in the segment {delay:.1f} s after the event; " + (tmp_path / "worker.log").read_text()[-2000:]
    )
    changes = SegmentMembershipChange.objects.filter(segment__code="complaint", customer__external_id="C-NEW")
    assert list(changes.values_list("kind", flat=True)) == ["entered"]
