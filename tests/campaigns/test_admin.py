"""The campaigns admin: variants inline saved by the service, actions that say what they refused and why,
the live audience count before launch and the progress after it."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages

from campaigns.launch import campaign_launch_run
from campaigns.models import Campaign
from campaigns.services import campaign_create, campaign_launch
from messaging.models import Message, Template
from tests.campaigns.conftest import LAUNCH, assign, campaign_with, people, segment_of, touch

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/campaigns/campaign/"


def campaign_form(segment, template, **changes) -> dict:
    return {
        "name": "Eid broadcast",
        "objective": "conversion",
        "type": "broadcast",
        "send_mode": "at_time",
        "include_segments": [segment.pk],
        "consent_topic": "marketing",
        "channels": [],  # ticked boxes; none: the variants' channels
        "holdout_percent": "10",
        "coupon_pattern": "",
        "currency": "BDT",
        "budget": "",
        "budget_alert_percent": "80",
        "price_per_email": "0.10",
        "price_per_sms_segment": "0.35",
        "price_per_whatsapp": "0.80",
        "click_window_hours": "120",
        "receipt_window_hours": "24",
        "receipt_channels": ["sms", "whatsapp", "in_app"],
        # The staged test's fields as the form shows them: not staged.
        "test_percent": "",
        "test_wait_hours": "24",
        "test_metric": "click",
        "test_fallback": "first_variant",
        "best_hour_from": "09:00",
        "best_hour_to": "21:00",
        "best_hour_explore_percent": "10",
        "best_hour_control_percent": "10",
        "store_match": "home",
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "0",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
        "variants-0-name": "A",
        "variants-0-weight": "1",
        "variants-0-template": template.pk,
        **changes,
    }


@pytest.fixture
def segment():
    return segment_of("eid_shoppers", people(8, consenting=lambda n: n < 6))


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_campaign_and_its_variants_are_added_and_the_audience_counted(admin_client, segment, sms_template):
    answer = admin_client.post(f"{CHANGELIST}add/", campaign_form(segment, sms_template))
    assert answer.status_code == 302, answer.content.decode()[:3000]
    campaign = Campaign.objects.get()
    assert [(v.name, v.template_id) for v in campaign.variants.all()] == [("A", sms_template.pk)]
    assert campaign.channels == ["sms"]
    page = admin_client.get(f"{CHANGELIST}{campaign.pk}/change/").content.decode()
    assert "included minus excluded" in page and "<td>8</td>" in page and "<td>6</td>" in page
    assert "Not launched." in page


def test_a_variant_the_campaign_cannot_send_is_refused_and_nothing_saved(admin_client, segment):
    receipt = Template.objects.create(code="receipt", name="Receipt", channel="sms", kind="transactional")
    answer = admin_client.post(f"{CHANGELIST}add/", campaign_form(segment, receipt))
    assert answer.status_code == 200
    assert "transactional" in answer.content.decode()
    assert not Campaign.objects.exists()


def test_actions_say_what_they_refused_and_why(admin_client, segment, sms_template):
    draft = campaign_create(
        name="Draft one", include_segments=[segment], variants=[{"name": "A", "template": sms_template}]
    )
    answer = admin_client.post(CHANGELIST, {"action": "pause", "_selected_action": [draft.pk]}, follow=True)
    assert any("Draft one: not paused. A campaign cannot pause while it is draft" in m for m in _messages(answer))

    approval = campaign_create(name="Needs a yes", include_segments=[segment], requires_approval=True,
                               variants=[{"name": "A", "template": sms_template}])  # fmt: skip
    answer = admin_client.post(
        CHANGELIST, {"action": "launch", "_selected_action": [approval.pk], "confirmed": "yes"}, follow=True
    )
    assert any("Needs a yes: not launched. This campaign must be approved" in m for m in _messages(answer))

    answer = admin_client.post(CHANGELIST, {"action": "duplicate", "_selected_action": [draft.pk]}, follow=True)
    assert any("Draft one: duplicated; now draft." in m for m in _messages(answer))
    assert Campaign.objects.filter(name="Draft one (copy)", status="draft").exists()


def test_the_progress_of_a_launch_is_shown(admin_client, segment, sms_template):
    campaign = campaign_create(
        name="Launched", include_segments=[segment], holdout_percent=Decimal(0),
        variants=[{"name": "A", "template": sms_template}],
    )  # fmt: skip
    confirm = {"action": "launch", "_selected_action": [campaign.pk], "confirmed": "yes"}
    answer = admin_client.post(CHANGELIST, confirm, follow=True)
    assert any("Launched: launched; now running." in m for m in _messages(answer))
    campaign_launch_run(campaign_id=campaign.pk)
    page = admin_client.get(f"{CHANGELIST}{campaign.pk}/change/").content.decode()
    assert "<th>frozen</th><td>8</td>" in page
    assert "<th>queued</th><td>6</td>" in page
    assert "no_consent 2" in page
    assert "<th>waiting to be sent</th><td>6 queued, the first due " in page

    # Sent nothing yet because of quiet hours: the page says so, and until when, in the campaign's zone.
    Message.objects.filter(campaign_id=campaign.pk).update(
        status="deferred", reason="quiet_hours", scheduled_for=datetime(2030, 3, 5, 3, 0, tzinfo=UTC)
    )
    page = admin_client.get(f"{CHANGELIST}{campaign.pk}/change/").content.decode()
    zone = settings.TIME_ZONE
    assert f"6 deferred (quiet hours), the first due March 5, 2030, 3 a.m. ({zone})" in page


def test_launching_asks_first_with_the_audience_and_its_consent_and_changes_nothing(
    admin_client, segment, sms_template
):
    campaign = campaign_create(
        name="Eid", include_segments=[segment], variants=[{"name": "A", "template": sms_template}]
    )
    running = campaign_launch(
        campaign=campaign_create(
            name="Already", include_segments=[segment], variants=[{"name": "A", "template": sms_template}]
        )
    )
    answer = admin_client.post(CHANGELIST, {"action": "launch", "_selected_action": [campaign.pk, running.pk]})
    page = answer.content.decode()
    assert answer.status_code == 200 and 'id="launch-confirmation"' in page
    assert "<strong>8 customers, 6 with consent</strong>" in page
    assert "Starts now" in page and "Refused</strong>: Only a draft campaign can be launched" in page
    assert 'value="Yes, launch 1 campaign"' in page
    assert Campaign.objects.get(pk=campaign.pk).status == "draft"


def test_the_channels_are_ticked_not_typed(admin_client, segment, sms_template):
    answer = admin_client.post(f"{CHANGELIST}add/", campaign_form(segment, sms_template, channels=["sms", "email"]))
    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert sorted(Campaign.objects.get().channels) == ["email", "sms"]
    form = admin_client.get(f"{CHANGELIST}add/").content.decode()
    assert 'type="checkbox" name="channels" value="whatsapp"' in form
    refused = admin_client.post(f"{CHANGELIST}add/", campaign_form(segment, sms_template, channels=["fax"]))
    assert refused.status_code == 200 and "Select a valid choice. fax is not one of the available choices." in (
        refused.content.decode()
    )


def test_a_running_campaign_keeps_its_audience_read_only(admin_client, segment, sms_template):
    variants = [{"name": "A", "template": sms_template}]
    campaign = campaign_launch(campaign=campaign_create(name="Live", include_segments=[segment], variants=variants))
    page = admin_client.get(f"{CHANGELIST}{campaign.pk}/change/").content.decode()
    assert 'name="holdout_percent"' not in page and 'name="name"' in page


def test_editing_a_draft_replaces_its_variants_and_withdraws_approval(admin_client, segment, sms_template):
    added = admin_client.post(f"{CHANGELIST}add/", campaign_form(segment, sms_template, requires_approval="on"))
    assert added.status_code == 302
    campaign = Campaign.objects.get()
    admin_client.post(CHANGELIST, {"action": "approve", "_selected_action": [campaign.pk]})
    assert Campaign.objects.get().approved_at is not None
    variant = campaign.variants.get()
    form = campaign_form(
        segment,
        sms_template,
        requires_approval="on",
        **{
            "variants-TOTAL_FORMS": "2",
            "variants-INITIAL_FORMS": "1",
            "variants-0-id": variant.pk,
            "variants-0-campaign": campaign.pk,
            "variants-0-weight": "3",
            "variants-1-name": "B",
            "variants-1-weight": "1",
            "variants-1-template": sms_template.pk,
        },
    )
    answer = admin_client.post(f"{CHANGELIST}{campaign.pk}/change/", form)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    campaign = Campaign.objects.get()
    assert sorted(campaign.variants.values_list("name", "weight")) == [("A", 3), ("B", 1)]
    assert campaign.approved_at is None


def test_a_send_on_a_public_holiday_of_one_of_its_stores_is_flagged(admin_client, segment, sms_template):
    from audiences.services.catalog import store_upsert

    dar, _ = store_upsert(code="DAR", name="Kariakoo", timezone="Africa/Dar_es_Salaam", currency="TZS")
    form = campaign_form(
        segment, sms_template, stores=[dar.pk], starts_at_0="2026-04-26", starts_at_1="10:00:00", currency="TZS"
    )
    answer = admin_client.post(f"{CHANGELIST}add/", form, follow=True)
    assert "This send falls on a public holiday in Tanzania: Union Celebrations" in " ".join(_messages(answer))
    campaign = Campaign.objects.get()
    page = admin_client.get(f"{CHANGELIST}{campaign.pk}/change/").content.decode()
    assert "public holiday in Tanzania" in page
    campaign.starts_at = datetime(2026, 4, 27, 7, tzinfo=UTC)
    campaign.save()
    assert "public holiday" not in admin_client.get(f"{CHANGELIST}{campaign.pk}/change/").content.decode()


def test_the_holiday_warning_reads_a_many_store_campaigns_stores_once(segment, sms_template, django_assert_num_queries):
    from audiences.services.catalog import store_upsert
    from campaigns.selectors import send_day_holidays

    stores = [
        store_upsert(code=f"TZ{number}", name=f"Shop {number}", timezone="Africa/Dar_es_Salaam", currency="TZS")[0]
        for number in range(12)
    ]
    campaign = Campaign.objects.create(name="Union Day", currency="TZS", starts_at=datetime(2026, 4, 26, 7, tzinfo=UTC))
    campaign.stores.set(stores)
    with django_assert_num_queries(1):
        warnings = send_day_holidays(campaign)
    assert warnings == ["This send falls on a public holiday in Tanzania: Union Celebrations, Sun 26 Apr 2026."]


def test_the_customer_page_says_where_each_campaigns_message_is_now(admin_client, sms_template):
    reached, queued_only = people(2)
    clicked = campaign_with(sms_template, "Clicked one")
    waiting = campaign_with(sms_template, "Still queued")
    assign(clicked, [reached])
    assign(waiting, [reached, queued_only])
    touch(clicked, reached, sms_template, sent_at=LAUNCH, clicked_at=LAUNCH + timedelta(hours=1))
    Message.objects.filter(campaign_id=clicked.pk).update(status="clicked")

    page = admin_client.get(f"/admin/audiences/customer/{reached.pk}/change/").content.decode()
    assert "Message clicked" in page and "Queued to the outbox" in page
