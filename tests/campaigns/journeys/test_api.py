"""The journeys API: the ready-made journeys listed by their stable codes, one read, switched on and off."""

import pytest

from campaigns.journeys.models import Journey
from promotions.models import Promotion

READY_MADE = {"welcome", "abandoned_cart", "birthday", "win_back"}


@pytest.mark.django_db
def test_the_list_names_the_ready_made_journeys_all_off(marketer):
    answer = marketer.get("/api/v1/journeys")
    assert answer.status_code == 200
    journeys = {row["code"]: row for row in answer.json()["results"]}
    assert set(journeys) >= READY_MADE
    assert not any(journeys[code]["active"] for code in READY_MADE)
    cart = journeys["abandoned_cart"]["version"]
    assert cart["key_property"] == "cart_id" and cart["goal_matches_key"] is True
    assert [step["wait_seconds"] for step in cart["steps"] if step["kind"] == "wait"] == [3600, 23 * 3600, 48 * 3600]
    assert cart["steps"][3]["templates"] == ["journey_cart_24h_whatsapp", "journey_cart_24h"]
    assert cart["steps"][3]["coupon_percent"] == "10.00" and cart["steps"][3]["promotion"] is None


@pytest.mark.django_db
def test_switch_on_and_off(marketer):
    answer = marketer.patch("/api/v1/journeys/birthday", {"active": True}, format="json")
    assert answer.status_code == 200 and answer.json()["active"] is True
    assert Journey.objects.get(code="birthday").active
    marketer.patch("/api/v1/journeys/abandoned_cart", {"active": True}, format="json")
    made = Promotion.objects.filter(name__contains="journey codes").order_by("name").values_list("name", flat=True)
    assert list(made) == ["Abandoned cart: step 4 (10% journey codes)", "Birthday: step 2 (15% journey codes)"]
    assert marketer.patch("/api/v1/journeys/birthday", {"active": False}, format="json").json()["active"] is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [({"active": "perhaps"}, "active"), ({"holdout_percent": "80"}, "holdout_percent"), ({"colour": 1}, "colour")],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(marketer, body, field):
    answer = marketer.patch("/api/v1/journeys/welcome", body, format="json")
    assert answer.status_code == 400 and field in str(answer.json())
    journey = Journey.objects.get(code="welcome")
    assert not journey.active and journey.holdout_percent == 10


@pytest.mark.django_db
def test_unknown_journey_is_a_404_and_a_journey_without_a_published_version_cannot_start(marketer):
    answer = marketer.get("/api/v1/journeys/nope")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    Journey.objects.create(code="draft-only", name="Draft")
    answer = marketer.patch("/api/v1/journeys/draft-only", {"active": True}, format="json")
    assert answer.status_code == 409 and answer.json()["code"] == "no_published_version"


@pytest.mark.django_db
def test_an_analyst_reads_but_cannot_switch(analyst):
    assert analyst.get("/api/v1/journeys/welcome").status_code == 200
    assert analyst.patch("/api/v1/journeys/welcome", {"active": True}, format="json").status_code == 403
