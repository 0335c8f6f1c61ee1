"""A broadcast to a segment with a holdout: exactly the consenting non-holdout members get it, once, even
when the launch is interrupted and run again; the holdout's would-be suppressions are recorded too."""

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError

from audiences.models import Customer, Order, Store
from campaigns import launch
from campaigns.assignment import bucket_of, holdout_buckets, pick
from campaigns.launch import campaign_launch_run
from campaigns.models import Assignment, Campaign, LaunchSlice
from campaigns.results import campaign_results
from campaigns.selectors import campaign_progress, discount_cost
from campaigns.services import campaign_create, campaign_launch, campaigns_lifecycle_advance
from messaging.backends import sms
from messaging.models import Message
from messaging.services.dispatch import outbox_dispatch
from promotions.models import PromotionCode, Redemption
from tests.campaigns.conftest import people, segment_of

pytestmark = pytest.mark.django_db


def consents_every_third_not(n: int) -> bool:
    return n % 3 != 0


@pytest.fixture
def audience_setup(sms_template):
    members = people(300, consenting=consents_every_third_not)
    outsiders = people(40, prefix="O")
    excluded = members[:20]
    return {
        "members": members,
        "outsiders": outsiders,
        "excluded": excluded,
        "include": segment_of("lapsed", members),
        "exclude": segment_of("complainers", excluded),
        "template": sms_template,
    }


def broadcast(setup, **fields) -> Campaign:
    options = {
        "name": "Win back",
        "include_segments": [setup["include"]],
        "exclude_segments": [setup["exclude"]],
        "holdout_percent": Decimal(10),
        "variants": [{"name": "A", "weight": 1, "template": setup["template"]}],
    }
    return campaign_create(**{**options, **fields})


def test_the_broadcast_reaches_exactly_the_consenting_treated_members_once(audience_setup):
    campaign = campaign_launch(campaign=broadcast(audience_setup))
    assert campaign.status == "running"
    campaign_launch_run(campaign_id=campaign.pk, batch_size=37)
    campaign_launch_run(campaign_id=campaign.pk, batch_size=37)  # a second launch changes nothing
    outbox_dispatch()

    eligible = audience_setup["members"][20:]
    assignments = {a.customer_id: a for a in Assignment.objects.filter(campaign=campaign)}
    assert set(assignments) == {c.pk for c in eligible}  # included minus excluded; outsiders never frozen
    consenting_treated = {
        c.phone for n, c in enumerate(audience_setup["members"]) if n >= 20 and consents_every_third_not(n)
        and assignments[c.pk].status != "holdout"
    }  # fmt: skip
    sent_to = Counter(message.to for message in sms.outbox)
    assert set(sent_to) == consenting_treated
    assert set(sent_to.values()) == {1}
    per_customer = Counter(Message.objects.filter(campaign_id=campaign.pk).values_list("customer_id", flat=True))
    assert set(per_customer.values()) == {1}

    holdout = [a for a in assignments.values() if a.status == "holdout"]
    assert 10 <= len(holdout) <= 50  # ~10% of 280
    # Intent-to-treat: holdout members without consent are recorded as the outbox would have skipped them.
    by_id = {c.pk: n for n, c in enumerate(audience_setup["members"])}
    for assignment in holdout:
        assert assignment.reason == ("" if consents_every_third_not(by_id[assignment.customer_id]) else "no_consent")
    progress = campaign_progress(Campaign.objects.get(pk=campaign.pk))
    assert progress["frozen"] == 280
    assert progress["holdout"] == len(holdout)
    assert progress["queued"] == progress["sent"] == len(consenting_treated)
    assert progress["skipped"]["no_consent"] + progress["queued"] + progress["holdout"] == 280
    assert progress["holdout_would_skip"]["no_consent"] == sum(1 for a in holdout if a.reason)
    assert Campaign.objects.get(pk=campaign.pk).status == "completed"  # no window: done once all are queued


def test_assignments_follow_the_bucket_and_are_identical_when_run_again(audience_setup):
    template = audience_setup["template"]
    variants = [{"name": "A", "weight": 1, "template": template}, {"name": "B", "weight": 3, "template": template}]
    campaign = campaign_launch(campaign=broadcast(audience_setup, variants=variants))
    campaign_launch_run(campaign_id=campaign.pk, batch_size=50)
    first_run = dict(Assignment.objects.filter(campaign=campaign).values_list("customer_id", "variant__name"))

    names = ["A", "B"]
    for customer_id, variant in first_run.items():
        bucket = bucket_of(salt=campaign.salt, campaign_id=campaign.pk, customer_id=customer_id)
        index = pick(bucket, holdout=holdout_buckets(Decimal(10)), weights=[1, 3])
        assert variant == (None if index is None else names[index])

    Assignment.objects.filter(campaign=campaign).delete()
    Message.objects.filter(campaign_id=campaign.pk).delete()
    LaunchSlice.objects.filter(campaign=campaign).delete()
    Campaign.objects.filter(pk=campaign.pk).update(status="running", launch_finished_at=None)
    campaign_launch_run(campaign_id=campaign.pk, batch_size=13)
    assert dict(Assignment.objects.filter(campaign=campaign).values_list("customer_id", "variant__name")) == first_run


def test_a_launch_that_fails_mid_way_and_runs_again_queues_everyone_once(audience_setup, monkeypatch):
    campaign = campaign_launch(campaign=broadcast(audience_setup))
    real_enqueue, calls = launch.messages_enqueue, []

    def failing_third_batch(**kwargs):
        calls.append(1)
        real_enqueue(**kwargs)  # written, then the batch fails: its transaction must take it all back
        if len(calls) == 3:
            raise DatabaseError("connection lost")

    monkeypatch.setattr(launch, "messages_enqueue", failing_third_batch)
    with pytest.raises(DatabaseError):
        campaign_launch_run(campaign_id=campaign.pk, batch_size=30)
    interrupted = Campaign.objects.get(pk=campaign.pk)
    assert interrupted.frozen == 60 == Assignment.objects.filter(campaign=campaign).count()
    monkeypatch.setattr(launch, "messages_enqueue", real_enqueue)

    campaign_launch_run(campaign_id=campaign.pk, batch_size=30)
    finished = Campaign.objects.get(pk=campaign.pk)
    assert finished.frozen == 280 == Assignment.objects.filter(campaign=campaign).count()
    queued = Assignment.objects.filter(campaign=campaign, status="queued").count()
    assert Message.objects.filter(campaign_id=campaign.pk).count() == queued == finished.queued


def test_the_budget_stops_queueing_when_exhausted(audience_setup):
    # Every member consents here; an SMS of one segment costs 0.35: 3.50 pays for exactly ten.
    members = people(60, prefix="R")
    campaign = campaign_create(
        name="Small budget",
        include_segments=[segment_of("all_r", members)],
        holdout_percent=Decimal(0),
        budget=Decimal("3.50"),
        budget_alert_percent=50,
        price_per_sms_segment=Decimal("0.35"),
        variants=[{"name": "A", "weight": 1, "template": audience_setup["template"]}],
    )
    campaign_launch(campaign=campaign)
    campaign_launch_run(campaign_id=campaign.pk, batch_size=4)
    campaign.refresh_from_db()
    assert Message.objects.filter(campaign_id=campaign.pk).count() == 10 == campaign.queued
    assert campaign.sending_cost == Decimal("3.50")
    assert campaign.budget_exhausted_at is not None and campaign.budget_alerted_at is not None
    assert campaign.status == "completed"
    assert Assignment.objects.filter(campaign=campaign).count() == 10  # the rest was never frozen
    campaign_launch_run(campaign_id=campaign.pk, batch_size=4)
    assert Message.objects.filter(campaign_id=campaign.pk).count() == 10


def test_each_recipient_gets_their_own_single_use_code_in_the_message(audience_setup, code_promotion):
    campaign = campaign_launch(
        campaign=broadcast(
            audience_setup,
            coupon_pattern="wb-####-####",
            variants=[{"name": "A", "weight": 1, "template": audience_setup["template"], "promotion": code_promotion}],
        )
    )
    campaign_launch_run(campaign_id=campaign.pk, batch_size=64)
    outbox_dispatch()
    queued = list(Assignment.objects.filter(campaign=campaign, status="queued"))
    codes = [a.coupon_code for a in queued]
    assert len(set(codes)) == len(codes) == campaign.__class__.objects.get(pk=campaign.pk).queued
    assert all(code.startswith("WB-") for code in codes)
    stored = dict(PromotionCode.objects.filter(promotion=code_promotion).values_list("code", "usage_limit"))
    assert set(stored) == set(codes) and set(stored.values()) == {1}
    assert sorted(message.body.split("Code ")[1].split()[0] for message in sms.outbox) == sorted(codes)
    assert not Assignment.objects.filter(campaign=campaign).exclude(status="queued").exclude(coupon_code="").exists()


def test_same_local_hour_in_each_recipients_zone(sms_template):
    dhaka = people(3, prefix="D", timezone="Asia/Dhaka")
    dar = people(3, prefix="Z", timezone="Africa/Dar_es_Salaam")
    store = Store.objects.create(code="DHK-01", name="Dhaka", timezone="Asia/Dhaka", currency="BDT")
    Customer.objects.update(store=store)
    starts_at = datetime(2030, 3, 5, 4, 0, tzinfo=UTC)  # 10:00 in the store's zone (Dhaka, UTC+6)
    campaign = campaign_create(
        name="Ten o'clock everywhere",
        stores=[store],
        include_segments=[segment_of("both", dhaka + dar)],
        holdout_percent=Decimal(0),
        starts_at=starts_at,
        send_mode="recipient_local_time",
        variants=[{"name": "A", "weight": 1, "template": sms_template}],
    )
    campaign = campaign_launch(campaign=campaign, now=datetime(2030, 3, 4, tzinfo=UTC))
    assert campaign.status == "scheduled"
    # The zone that reaches 10:00 first (UTC+14) does so at 20:00 UTC the day before: the launch starts then.
    assert campaigns_lifecycle_advance(now=datetime(2030, 3, 4, 19, 59, tzinfo=UTC))["started"] == 0
    assert campaigns_lifecycle_advance(now=datetime(2030, 3, 4, 20, 0, tzinfo=UTC))["started"] == 1
    campaign_launch_run(campaign_id=campaign.pk)
    moments = dict(Message.objects.filter(campaign_id=campaign.pk).values_list("customer__timezone", "scheduled_for"))
    assert moments == {
        "Asia/Dhaka": datetime(2030, 3, 5, 4, 0, tzinfo=UTC),
        "Africa/Dar_es_Salaam": datetime(2030, 3, 5, 7, 0, tzinfo=UTC),  # 10:00 at UTC+3
    }


def test_results_count_each_variant_and_the_holdout(audience_setup):
    campaign = campaign_launch(campaign=broadcast(audience_setup))
    campaign_launch_run(campaign_id=campaign.pk)
    outbox_dispatch()
    results = campaign_results(Campaign.objects.get(pk=campaign.pk))
    (variant,) = results["variants"]
    assert variant["recipients"] + results["holdout"]["recipients"] == 280 == results["audience_size"]
    assert variant["sent"] == variant["queued"] == len(sms.outbox)
    assert variant["skipped"] == results["skipped"]["no_consent"]


def test_a_promotion_only_campaign_assigns_both_arms_and_sends_nothing(audience_setup, code_promotion):
    campaign = campaign_create(
        name="Members' week", type="promotion_only", include_segments=[audience_setup["include"]],
        promotions=[code_promotion],
    )  # fmt: skip
    campaign_launch(campaign=campaign)
    campaign_launch_run(campaign_id=campaign.pk)
    statuses = Counter(Assignment.objects.filter(campaign=campaign).values_list("status", flat=True))
    assert set(statuses) == {"assigned", "holdout"} and sum(statuses.values()) == 300
    assert not Message.objects.filter(campaign_id=campaign.pk).exists()


def test_the_discount_cost_counts_redemptions_of_treated_customers_only(audience_setup, code_promotion):
    campaign = campaign_launch(campaign=broadcast(audience_setup, promotions=[code_promotion]))
    campaign_launch_run(campaign_id=campaign.pk)
    campaign = Campaign.objects.get(pk=campaign.pk)
    arms = dict(Assignment.objects.filter(campaign=campaign).values_list("customer_id", "status"))
    treated = next(customer_id for customer_id, status in arms.items() if status != "holdout")
    held_out = next(customer_id for customer_id, status in arms.items() if status == "holdout")
    for number, (customer_id, amount) in enumerate([(treated, "120.50"), (held_out, "99.00"), (treated, "10.25")]):
        order = Order.objects.create(
            external_id=f"O-{number}", customer_id=customer_id, currency="BDT", placed_at=campaign.launch_started_at,
            subtotal=Decimal(1000), total=Decimal(1000),
        )  # fmt: skip
        Redemption.objects.create(
            order=order, promotion=code_promotion, customer_id=customer_id, amount=Decimal(amount), currency="BDT"
        )
    assert discount_cost(campaign) == Decimal("130.75")
