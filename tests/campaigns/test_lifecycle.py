"""The lifecycle in the database: scheduling, approval, pause and resume, the minute tick (clock passed in)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied

from campaigns.launch import campaign_launch_run
from campaigns.models import Campaign
from campaigns.services import (
    campaign_approve,
    campaign_archive,
    campaign_launch,
    campaign_pause,
    campaign_resume,
    campaign_update,
    campaigns_lifecycle_advance,
)
from config.errors import Conflict
from messaging.models import Message
from messaging.services.dispatch import outbox_dispatch
from tests.campaigns.conftest import people, segment_of

pytestmark = pytest.mark.django_db
NOW = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def make_campaign(sms_template):
    segment = segment_of("all_people", people(12))

    def make(**fields) -> Campaign:
        from campaigns.services import campaign_create

        options = {"name": "Summer", "include_segments": [segment], "holdout_percent": Decimal(0)}
        return campaign_create(variants=[{"name": "A", "template": sms_template}], **{**options, **fields})

    return make


def test_a_future_start_schedules_and_the_tick_starts_it_on_the_minute(make_campaign):
    campaign = campaign_launch(campaign=make_campaign(starts_at=NOW + timedelta(hours=2)), now=NOW)
    assert campaign.status == "scheduled"
    assert campaigns_lifecycle_advance(now=NOW + timedelta(hours=1, minutes=59))["started"] == 0
    assert campaigns_lifecycle_advance(now=NOW + timedelta(hours=2))["started"] == 1
    assert campaigns_lifecycle_advance(now=NOW + timedelta(hours=2))["started"] == 0  # twice is harmless
    assert Campaign.objects.get(pk=campaign.pk).status == "running"


def test_an_unsent_campaign_whose_window_passes_expires(make_campaign):
    campaign = campaign_launch(
        campaign=make_campaign(starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=2)), now=NOW
    )
    Campaign.objects.filter(pk=campaign.pk).update(starts_at=NOW + timedelta(days=3), ends_at=NOW + timedelta(days=4))
    assert campaigns_lifecycle_advance(now=NOW + timedelta(days=4))["expired"] == 1
    assert Campaign.objects.get(pk=campaign.pk).status == "expired"


def test_pause_holds_unsent_messages_and_resume_lets_them_go(make_campaign):
    campaign = campaign_launch(campaign=make_campaign(ends_at=NOW + timedelta(days=30)))
    campaign_launch_run(campaign_id=campaign.pk)
    campaign_pause(campaign=campaign)
    assert outbox_dispatch().sent == 0
    assert set(Message.objects.filter(campaign_id=campaign.pk).values_list("reason", flat=True)) == {"campaign_paused"}
    campaign_resume(campaign=campaign)
    assert outbox_dispatch().sent == 12


def test_the_end_of_the_window_completes_it_and_drops_what_was_not_sent(make_campaign):
    campaign = campaign_launch(campaign=make_campaign(ends_at=datetime(2031, 1, 1, tzinfo=UTC)))
    campaign_launch_run(campaign_id=campaign.pk)
    assert Campaign.objects.get(pk=campaign.pk).status == "running"  # attribution runs until its end
    assert campaigns_lifecycle_advance(now=datetime(2031, 1, 1, tzinfo=UTC))["completed"] == 1
    assert Campaign.objects.get(pk=campaign.pk).status == "completed"
    assert set(Message.objects.filter(campaign_id=campaign.pk).values_list("status", "reason")) == {
        ("skipped", "campaign_ended")
    }


@pytest.mark.parametrize("action", [campaign_pause, campaign_resume])
def test_a_step_the_table_does_not_have_is_a_conflict_naming_the_status(make_campaign, action):
    campaign = make_campaign()
    with pytest.raises(Conflict) as refused:
        action(campaign=campaign)
    assert refused.value.extra["status"] == "draft"
    assert "draft" in refused.value.message


def test_running_campaigns_cannot_be_archived_or_retargeted(make_campaign):
    campaign = campaign_launch(campaign=make_campaign(ends_at=datetime(2031, 1, 1, tzinfo=UTC)))
    with pytest.raises(Conflict):
        campaign_archive(campaign=campaign)
    with pytest.raises(Conflict) as refused:
        campaign_update(campaign=campaign, holdout_percent=Decimal(20))
    assert refused.value.code == "not_editable"
    assert campaign_update(campaign=campaign, name="Summer (renamed)").name == "Summer (renamed)"


def test_approval_is_needed_given_by_a_permitted_user_and_lost_on_change(make_campaign):
    campaign = make_campaign(requires_approval=True)
    with pytest.raises(Conflict) as refused:
        campaign_launch(campaign=campaign)
    assert refused.value.code == "approval_required"
    clerk = User.objects.create_user("clerk")
    with pytest.raises(PermissionDenied):
        campaign_approve(campaign=campaign, user=clerk)
    approver = User.objects.create_user("approver")
    approver.user_permissions.add(Permission.objects.get(codename="approve_campaign"))
    approver = User.objects.get(pk=approver.pk)
    campaign = campaign_approve(campaign=campaign, user=approver)
    campaign = campaign_update(campaign=campaign, holdout_percent=Decimal(5))
    assert campaign.approved_at is None  # changed after approval: approve again
    campaign_approve(campaign=campaign, user=approver)
    assert campaign_launch(campaign=campaign).status == "running"


def test_a_stalled_launch_is_resumed_by_the_tick(make_campaign, settings, django_capture_on_commit_callbacks):
    settings.CAMPAIGN_LAUNCH_STALE_SECONDS = 60
    campaign = campaign_launch(campaign=make_campaign(ends_at=datetime(2031, 1, 1, tzinfo=UTC)))
    # The worker died before the launch task ran: nothing frozen, last heard of two minutes ago.
    Campaign.objects.filter(pk=campaign.pk).update(launch_touched_at=NOW - timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert campaigns_lifecycle_advance(now=NOW)["resumed"] == 1
    resumed = Campaign.objects.get(pk=campaign.pk)
    assert resumed.frozen == resumed.queued == 12 and resumed.launch_finished_at is not None
    assert campaigns_lifecycle_advance(now=NOW)["resumed"] == 0


def test_changing_an_approved_scheduled_campaign_sends_it_back_to_draft(make_campaign):
    approver = User.objects.create_superuser("chief", "chief@example.com", "x")
    campaign = make_campaign(requires_approval=True, starts_at=NOW + timedelta(days=1))
    campaign_approve(campaign=campaign, user=approver)
    assert campaign_launch(campaign=campaign, now=NOW).status == "scheduled"
    campaign = campaign_update(campaign=campaign, holdout_percent=Decimal(15))
    assert (campaign.status, campaign.approved_at) == ("draft", None)
    assert campaigns_lifecycle_advance(now=NOW + timedelta(days=1))["started"] == 0
