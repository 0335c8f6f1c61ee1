"""The set-based launch (COPY on PostgreSQL) and the ORM's launch write the same assignments and messages."""

from datetime import UTC, datetime
from decimal import Decimal
from functools import partial

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from audiences.models import Consent
from campaigns.assignment import bucket_of, holdout_buckets, pick
from campaigns.launch import campaign_launch_run
from campaigns.models import Assignment, Campaign, LaunchSlice
from campaigns.services import campaign_create, campaign_launch, campaigns_lifecycle_advance
from messaging.models import Message, Template, TemplateTranslation
from messaging.services.outbox import MessageRequest, messages_enqueue
from messaging.services.suppression import suppression_add
from promotions.models import Promotion, PromotionCode
from tests.campaigns.conftest import people, segment_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's; SQLite has the ORM path only"),
]

STARTS_AT = datetime(2030, 3, 5, 4, 0, tzinfo=UTC)


@pytest.fixture
def launched(sms_template, code_promotion):
    """A running broadcast: two weighted variants, each with its coupon offer, a holdout, customers without
    consent and with suppressed numbers, and a budget that runs out before the end of the audience."""
    members = people(150)
    email = Template.objects.create(code="winback_mail", name="Win back (mail)", channel="email", kind="marketing")
    TemplateTranslation.objects.create(template=email, language="en", subject="Hi", body="We miss you")
    free_shipping = Promotion.objects.create(
        name="Free shipping", status="active", trigger="code", reward={"type": "free_shipping"},
        reward_type="free_shipping",
    )  # fmt: skip
    campaign = campaign_create(
        name="Paths",
        include_segments=[segment_of("paths", members)],
        holdout_percent=Decimal(15),
        starts_at=STARTS_AT,
        coupon_pattern="pt-####-####",
        budget=Decimal("10.00"),
        price_per_sms_segment=Decimal("0.35"),
        price_per_email=Decimal("0.10"),
        variants=[
            {"name": "A", "weight": 1, "template": sms_template, "promotion": code_promotion},
            {"name": "B", "weight": 2, "template": email, "promotion": free_shipping},
        ],
    )
    # Buckets follow the campaign's random salt, and the budget cuts the audience about two thirds in: so that
    # every outcome shows before the cut whatever the salt, the first of the holdout and of B lose their
    # consent, the second of the holdout keeps it, and every third consenting customer sent A is suppressed.
    arms = {"holdout": [], "A": [], "B": []}
    for customer in members:
        bucket = bucket_of(salt=campaign.salt, campaign_id=campaign.pk, customer_id=customer.pk)
        arm = pick(bucket, holdout=holdout_buckets(Decimal(15)), weights=[1, 2])
        arms["holdout" if arm is None else "AB"[arm]].append(customer)
    without = {c.pk for n, c in enumerate(members) if n % 4 == 0} | {arms["holdout"][0].pk, arms["B"][0].pk}
    Consent.objects.filter(customer_id__in=without - {arms["holdout"][1].pk}).delete()
    for customer in [c for c in arms["A"] if c.pk not in without][::3]:
        suppression_add(channel="sms", address=customer.phone, reason="complaint")
    campaign_launch(campaign=campaign, now=datetime(2030, 3, 4, tzinfo=UTC))
    assert campaigns_lifecycle_advance(now=STARTS_AT)["started"] == 1
    return campaign


def launch_with(settings, campaign: Campaign, *, copy: bool) -> tuple[dict, list[str]]:
    """Launch from scratch through one path; what it wrote, and the SQL it sent (COPY is not captured)."""
    Message.objects.filter(campaign_id=campaign.pk).delete()
    Assignment.objects.filter(campaign=campaign).delete()
    PromotionCode.objects.all().delete()
    LaunchSlice.objects.filter(campaign=campaign).delete()
    Campaign.objects.filter(pk=campaign.pk).update(
        status="running", launch_finished_at=None, frozen=0, held_out=0, queued=0, skipped={},
        holdout_skipped={}, sending_cost=0, budget_alerted_at=None, budget_exhausted_at=None,
    )  # fmt: skip
    settings.BULK_WRITES_WITH_COPY = copy
    with CaptureQueriesContext(connection) as queries:
        campaign_launch_run(campaign_id=campaign.pk, batch_size=17)

    coupons = dict(Assignment.objects.filter(campaign=campaign).values_list("customer_id", "coupon_code"))
    messages = []
    for message in Message.objects.filter(campaign_id=campaign.pk).order_by("idempotency_key").values():
        del message["id"], message["created_at"]
        coupon = message["context"].get("coupon")
        if coupon:  # codes are drawn at random: each must be its recipient's own, then compare the rest
            assert coupon.pop("code") == coupons[message["customer_id"]]
        messages.append(message)
    assignments = sorted(
        Assignment.objects.filter(campaign=campaign).values_list(
            "customer_id", "bucket", "variant__name", "status", "reason", "coupon_code"
        )
    )
    finished = Campaign.objects.get(pk=campaign.pk)
    written = {
        "assignments": [(*row[:5], bool(row[5])) for row in assignments],
        "messages": messages,
        "codes": sorted(code for *_, code in assignments if code)
        == sorted(PromotionCode.objects.values_list("code", flat=True)),
        "progress": {
            field: getattr(finished, field)
            for field in ("status", "frozen", "held_out", "queued", "skipped", "holdout_skipped", "sending_cost")
        },
        "budget_exhausted": finished.budget_exhausted_at is not None,
    }
    return written, [query["sql"] for query in queries.captured_queries]


def test_copy_and_orm_launches_write_the_same_rows(launched, settings):
    through_orm, orm_sql = launch_with(settings, launched, copy=False)
    through_copy, copy_sql = launch_with(settings, launched, copy=True)

    assert through_copy == through_orm
    # The fixture exercises every outcome: both variants, the holdout, skips, coupons and the budget's stop.
    statuses = {(variant, status, reason) for _, _, variant, status, reason, _ in through_orm["assignments"]}
    assert {("A", "queued", ""), ("B", "queued", ""), ("A", "skipped", "suppressed")} <= statuses
    assert {(None, "holdout", ""), (None, "holdout", "no_consent"), ("B", "skipped", "no_consent")} <= statuses
    assert through_orm["codes"] and through_orm["budget_exhausted"]
    assert all(m["scheduled_for"] == STARTS_AT for m in through_orm["messages"])
    # ... and each went its own way: the ORM inserts rows, the fast path streams them.
    assert any('INSERT INTO "campaigns_assignment"' in sql for sql in orm_sql)
    assert not any('INSERT INTO "campaigns_assignment"' in sql for sql in copy_sql)
    assert not any('INSERT INTO "messaging_message"' in sql for sql in copy_sql)


def test_messages_copied_straight_in_match_the_staged_path_and_a_known_key_writes_nothing(sms_template, settings):
    settings.BULK_WRITES_WITH_COPY = True
    customers = people(3)
    request = partial(MessageRequest, template=sms_template, campaign_id=9, variant="A", context={"n": 1})
    assert messages_enqueue(requests=[request(customer_id=customers[0].pk, idempotency_key="k0")]) == 1
    assert (
        messages_enqueue(
            requests=[request(customer_id=c.pk, idempotency_key=f"k{n}") for n, c in enumerate(customers) if n],
            keys_are_new=True,
        )
        == 2
    )
    columns = ["customer_id", "template_id", "channel", "kind", "topic", "campaign_id", "variant", "context", "status",
               "reason", "attempts", "content", "claimed_at", "sent_at", "created_at"]  # fmt: skip
    staged, *copied = Message.objects.order_by("idempotency_key").values(*columns)
    for row in copied:  # the same row as the staged path's, but for whose it is
        assert {**row, "customer_id": None} == {**staged, "customer_id": None, "created_at": row["created_at"]}
        assert row["status"] == "queued" and row["context"] == {"n": 1}

    # A key that is not new after all: the unique constraint refuses the whole COPY, nothing is written.
    with pytest.raises(IntegrityError), transaction.atomic():
        messages_enqueue(
            requests=[request(customer_id=customers[2].pk, idempotency_key=key) for key in ("k9", "k1")],
            keys_are_new=True,
        )
    assert sorted(Message.objects.values_list("idempotency_key", flat=True)) == ["k0", "k1", "k2"]
