""" "Test on X%, wait N hours, send the winner to the rest", end to end on PostgreSQL with the clock given.

The launch sends the variants to the test share only; at the decision time the tick starts the release, which
decides once (click rate here, the sample-ratio check first) and sends the winner, or the fallback, to the rest:
exactly once, even when a release batch fails mid-way and the release runs again.
"""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from campaigns import remainder
from campaigns.assignment import bucket_of
from campaigns.launch import campaign_launch_run
from campaigns.models import Assignment, Campaign
from campaigns.remainder import campaign_remainder_run
from campaigns.results import campaign_results
from campaigns.selectors import campaign_progress
from campaigns.services import campaign_create, campaign_launch, campaigns_lifecycle_advance
from messaging.models import Message, Template, TemplateTranslation
from tests.campaigns.conftest import people, segment_of

pytestmark = pytest.mark.django_db

SALT = "staged-test-fixed-salt"  # buckets then vary only with the campaign's id


def every_fifth_declines(n: int) -> bool:
    return n % 5 != 0


@pytest.fixture
def two_templates(sms_template):
    other = Template.objects.create(code="winback_b", name="Win back B", channel="sms", kind="marketing")
    TemplateTranslation.objects.create(template=other, language="en", body="Your basket misses you")
    return sms_template, other


def staged(customers, templates, **fields) -> Campaign:
    options = {
        "name": "Staged",
        "include_segments": [segment_of("staged", customers)],
        "holdout_percent": Decimal(10),
        "test_percent": Decimal(40),
        "test_wait_hours": 24,
        "test_metric": "click",
        "variants": [
            {"name": "A", "weight": 1, "template": templates[0]},
            {"name": "B", "weight": 1, "template": templates[1]},
        ],
    }
    campaign = campaign_create(**{**options, **fields})
    Campaign.objects.filter(pk=campaign.pk).update(salt=SALT)
    return campaign_launch(campaign=campaign)


def click(campaign, variant: str, share: float) -> None:
    ids = list(
        Message.objects.filter(campaign_id=campaign.pk, variant=variant).order_by("id").values_list("pk", flat=True)
    )
    Message.objects.filter(pk__in=ids[: int(len(ids) * share)]).update(
        status="clicked", clicked_at=campaign.launch_finished_at
    )


def test_the_winner_goes_to_the_rest_once_after_the_wait(two_templates, monkeypatch):
    customers = people(2000, consenting=every_fifth_declines)
    campaign = staged(customers, two_templates)
    campaign_launch_run(campaign_id=campaign.pk, batch_size=300)
    campaign.refresh_from_db()

    # The launch: the variants reached the test share only; the rest waits, the campaign keeps running.
    arms = Counter(Assignment.objects.filter(campaign=campaign).values_list("status", flat=True))
    in_test = Assignment.objects.filter(campaign=campaign, variant__isnull=False)
    assert all(1000 <= a.bucket < 5000 for a in in_test)  # holdout 0-999, test 1,000-4,999 (40%)
    waiting = Assignment.objects.filter(campaign=campaign, status="remainder")
    assert all(a.bucket >= 5000 and a.variant_id is None for a in waiting)
    assert arms["remainder"] == sum(
        1 for c in customers if bucket_of(salt=SALT, campaign_id=campaign.pk, customer_id=c.pk) >= 5000
    )
    test_messages = Message.objects.filter(campaign_id=campaign.pk).count()
    assert test_messages == arms["queued"] == in_test.filter(status="queued").count()
    assert campaign.status == "running"
    assert campaign.test_decide_at == campaign.launch_finished_at + timedelta(hours=24)
    assert campaign_progress(campaign)["staged_test"]["state"] == "waiting"

    # B's message is clicked six times as often as A's.
    click(campaign, "A", 0.05)
    click(campaign, "B", 0.30)

    # A minute early: the tick starts nothing, and the release (asked anyway) decides nothing.
    early = campaign.test_decide_at - timedelta(minutes=1)
    assert campaigns_lifecycle_advance(now=early)["released"] == 0
    campaign_remainder_run(campaign_id=campaign.pk, now=early)
    assert Campaign.objects.get(pk=campaign.pk).test_decided_at is None
    assert Message.objects.filter(campaign_id=campaign.pk).count() == test_messages

    # On time: the tick starts the release (a Celery task; run here in the test's clock).
    assert campaigns_lifecycle_advance(now=campaign.test_decide_at)["released"] == 1
    real_enqueue, calls = remainder.messages_enqueue, []

    def failing_second_batch(**kwargs):
        calls.append(1)
        real_enqueue(**kwargs)  # written, then the batch fails: its transaction must take it all back
        if len(calls) == 2:
            raise DatabaseError("worker killed")

    monkeypatch.setattr(remainder, "messages_enqueue", failing_second_batch)
    with pytest.raises(DatabaseError):
        campaign_remainder_run(campaign_id=campaign.pk, batch_size=200, now=campaign.test_decide_at)
    interrupted = Campaign.objects.get(pk=campaign.pk)
    assert interrupted.test_winner.name == "B" and interrupted.test_outcome == "winner"
    # The first batch of 200 stays released (its messages included); the failed second left nothing behind.
    assert interrupted.remainder_queued == Message.objects.filter(campaign_id=campaign.pk).count() - test_messages
    assert interrupted.remainder_cursor > 0
    monkeypatch.setattr(remainder, "messages_enqueue", real_enqueue)
    later = campaign.test_decide_at + timedelta(hours=1)
    campaign_remainder_run(campaign_id=campaign.pk, batch_size=200, now=later)
    campaign_remainder_run(campaign_id=campaign.pk, batch_size=200, now=later)  # a second run changes nothing

    done = Campaign.objects.get(pk=campaign.pk)
    assert done.test_decided_at == campaign.test_decide_at  # decided once, at the first release
    assert done.status == "completed"  # no window: done once the rest is sent
    assert not Assignment.objects.filter(campaign=campaign, status="remainder").exists()
    per_customer = Counter(Message.objects.filter(campaign_id=campaign.pk).values_list("customer_id", flat=True))
    assert set(per_customer.values()) == {1}
    consenting = {c.pk for n, c in enumerate(customers) if every_fifth_declines(n)}
    rest = Assignment.objects.filter(campaign=campaign, bucket__gte=5000)
    assert set(rest.values_list("variant__name", flat=True)) == {"B"}
    assert {a.customer_id for a in rest if a.status == "queued"} == {a.customer_id for a in rest} & consenting
    assert {a.reason for a in rest if a.customer_id not in consenting} == {"no_consent"}
    rest_messages = Message.objects.filter(campaign_id=campaign.pk, customer_id__in=[a.customer_id for a in rest])
    assert set(rest_messages.values_list("variant", "template__code").distinct()) == {("B", "winback_b")}
    assert done.remainder_queued == rest_messages.count() == rest.filter(status="queued").count()
    assert done.queued == Message.objects.filter(campaign_id=campaign.pk).count()
    status = campaign_progress(done)["staged_test"]
    assert status["state"] == "released" and status["winner"] == "B" and status["remainder_waiting"] == 0
    assert "B" in status["decision"]
    # The results page judges the test slice, not the test plus the rest that B alone went to.
    verdict = campaign_results(done, metric="click")["decision"]
    assert verdict.winner == "B" and not verdict.sample_ratio.mismatch


def test_without_a_significant_winner_the_fallback_decides(two_templates):
    customers = people(300)
    campaign = staged(customers, two_templates, test_fallback="first_variant")
    campaign_launch_run(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    campaign_remainder_run(campaign_id=campaign.pk, now=campaign.test_decide_at)

    done = Campaign.objects.get(pk=campaign.pk)
    assert done.test_outcome == "fallback" and done.test_winner.name == "A"
    assert "fewer than 100 recipients" in done.test_decision and "sending A to the rest" in done.test_decision
    rest = Assignment.objects.filter(campaign=campaign, bucket__gte=5000)
    assert rest.exists() and set(rest.values_list("variant__name", "status").distinct()) == {("A", "queued")}


def test_a_sample_ratio_mismatch_blocks_the_winner_and_nothing_is_sent_when_so_chosen(two_templates):
    customers = people(2000)
    campaign = staged(customers, two_templates, test_fallback="nothing")
    campaign_launch_run(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    click(campaign, "B", 0.30)
    # Something lost half of A (as a broken link or a filter would): the arms no longer match the weights. A fixed
    # 150 was not always enough: A's share of the test varies with the campaign's id (A 443 against B 362 for id 66
    # left p = 0.005 after losing 150, above the check's 0.001).
    arm = list(Assignment.objects.filter(campaign=campaign, variant__name="A").values_list("pk", flat=True))
    Assignment.objects.filter(pk__in=arm[: len(arm) // 2]).delete()
    before = Message.objects.filter(campaign_id=campaign.pk).count()
    campaign_remainder_run(campaign_id=campaign.pk, now=campaign.test_decide_at)

    done = Campaign.objects.get(pk=campaign.pk)
    assert done.test_outcome == "fallback" and done.test_winner is None
    assert "do not match their weights" in done.test_decision
    assert Message.objects.filter(campaign_id=campaign.pk).count() == before
    assert done.remainder_finished_at is not None and done.status == "completed"


def test_a_staged_test_needs_two_variants_and_room_for_the_rest(two_templates):
    customers = people(10)
    segment = segment_of("few", customers)
    one = [{"name": "A", "weight": 1, "template": two_templates[0]}]
    with pytest.raises(ValidationError) as refused:
        campaign_create(name="One", include_segments=[segment], test_percent=Decimal(20), variants=one)
    assert "test_percent" in refused.value.message_dict
    two = [*one, {"name": "B", "weight": 1, "template": two_templates[1]}]
    with pytest.raises(ValidationError) as refused:
        campaign_create(name="Full", holdout_percent=Decimal(10), test_percent=Decimal(90), variants=two)
    assert "100 minus the holdout" in refused.value.message_dict["test_percent"][0]
    with pytest.raises(ValidationError) as refused:
        campaign_create(name="Opens", test_percent=Decimal(20), test_metric="open", variants=two)
    assert "test_metric" in refused.value.message_dict
