"""Per-step counts: where enrollments are, what each step sent or skipped (with the reason), and at which
step journeys ended in a conversion or an exit; on the journey's admin page and in the API's results."""

from datetime import timedelta

import pytest

from campaigns.journeys.entry import journey_enter
from campaigns.journeys.execution import step_runs_due_drain
from campaigns.journeys.exits import goals_reach
from campaigns.journeys.selectors import journey_step_counts
from tests.campaigns.conftest import people
from tests.campaigns.journeys.conftest import journey_of


@pytest.fixture
def counted(sms_template, clock):
    """Send, wait a day, send: four reach the wait, one converts there, one cannot be reached at all."""
    version = journey_of(
        "counted",
        [("send", {}, [sms_template]), ("wait", {"wait": timedelta(days=1)}, []), ("send", {}, [sms_template])],
        goal_event_type="order_placed",
    )
    customers = people(5, consenting=lambda n: n != 4)
    for customer in customers:
        journey_enter(version=version, customer_id=customer.pk, now=clock.now)
    step_runs_due_drain()  # the first send, then the wait: the next send is due tomorrow
    clock.advance(hours=2)
    goals_reach(customer_id=customers[0].pk, event_type="order_placed", properties={}, occurred_at=clock.now)
    return version


def test_each_step_counts_reached_waiting_sent_skipped_and_where_journeys_ended(counted, clock):
    first, wait, last = journey_step_counts(version=counted)
    assert (first["entered"], first["sent"], first["skipped"]) == (5, 4, {"no_consent": 1})
    assert first["exited"] == {"consent_withdrawn": 1} and first["converted"] == 0
    assert (wait["entered"], wait["waiting"], wait["sent"]) == (4, 0, 0)
    # Converted while waiting for the last send: counted there, and its pending send cancelled.
    assert (last["entered"], last["waiting"], last["converted"], last["sent"]) == (4, 3, 1, 0)

    clock.advance(days=1)
    step_runs_due_drain()
    last = journey_step_counts(version=counted)[2]
    assert (last["waiting"], last["sent"], last["converted"]) == (0, 3, 1)


def test_the_admin_page_and_the_api_show_the_counts_per_step(counted, admin_client, marketer):
    page = admin_client.get(f"/admin/campaigns/journey/{counted.journey.pk}/change/").content.decode()
    assert "journey-step-counts" in page and "<td>1. send</td><td>5</td><td>0</td><td>4</td>" in page
    assert "no_consent: 1" in page and "consent_withdrawn: 1" in page

    results = marketer.get("/api/v1/journeys/counted").json()["results"]
    assert results["entered"] == 5 and results["steps_version"] == 1
    assert [(s["position"], s["kind"], s["entered"], s["sent"]) for s in results["steps"]] == [
        (1, "send", 5, 4),
        (2, "wait", 4, 0),
        (3, "send", 4, 0),
    ]
    assert results["steps"][0]["skipped"] == {"no_consent": 1} and results["steps"][2]["converted"] == 1
