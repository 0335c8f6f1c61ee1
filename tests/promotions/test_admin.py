"""The campaign manager's promotion screens."""

from datetime import timedelta

import pytest
from django.utils import timezone

from promotions.models import Promotion

pytestmark = pytest.mark.django_db


def promotion_form(**overrides):
    data = {
        "name": "Eid sale",
        "status": "active",
        "trigger": "automatic",
        "code": "",
        "priority": "0",
        "stacking": "combinable",
        "currency": "",
        "reward_kind": "percentage",
        "reward__percentage__value": "10",
        "redemptions-TOTAL_FORMS": "0",
        "redemptions-INITIAL_FORMS": "0",
        "redemptions-MIN_NUM_FORMS": "0",
        "redemptions-MAX_NUM_FORMS": "0",
    }
    return {**data, **overrides}


@pytest.mark.parametrize("derived", ["expired", "scheduled"])
def test_the_admin_offers_only_the_statuses_a_marketer_may_ask_for(admin_client, derived):
    refused = admin_client.post("/admin/promotions/promotion/add/", promotion_form(status=derived))
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert not Promotion.objects.exists()


def test_the_admin_saves_paused_and_dates_decide_the_live_status(admin_client):
    paused = admin_client.post("/admin/promotions/promotion/add/", promotion_form(name="Paused", status="paused"))
    assert paused.status_code == 302
    assert Promotion.objects.get(name="Paused").status == "paused"

    starts = timezone.localtime() + timedelta(days=2)
    later = promotion_form(
        name="Later", starts_at_0=starts.strftime("%Y-%m-%d"), starts_at_1=starts.strftime("%H:%M:%S")
    )
    assert admin_client.post("/admin/promotions/promotion/add/", later).status_code == 302
    scheduled = Promotion.objects.get(name="Later")
    assert scheduled.status == "scheduled"
    # Editing it starts from what was asked (active), not from a status the form does not offer.
    page = admin_client.get(f"/admin/promotions/promotion/{scheduled.pk}/change/").content.decode()
    assert '<option value="active" selected>' in page


def test_the_list_shows_budget_spent_as_grouped_money(admin_client):
    answer = admin_client.post("/admin/promotions/promotion/add/", promotion_form(currency="BDT", budget="250000.00"))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    Promotion.objects.filter(name="Eid sale").update(budget_spent="12345.50")
    page = admin_client.get("/admin/promotions/promotion/").content.decode()
    assert "12,345.50 BDT of 250,000.00 BDT" in page
