"""Leads' reads: the filtered list, the pipeline summary, and what won leads add to a campaign's or journey's
results (the rule against counting a sale twice is in `won_leads_credit`)."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from campaigns.leads.models import Lead
from campaigns.models import Campaign, Conversion, Journey
from messaging.models import Message

ZERO = Decimal(0)


def lead_get(*, lead_id: int) -> Lead | None:
    return lead_list().filter(pk=lead_id).first()


def campaign_by_id(*, campaign_id: int) -> Campaign | None:
    return Campaign.objects.filter(pk=campaign_id).first()


def journey_by_code(*, code: str) -> Journey | None:
    return Journey.objects.filter(code=code).first()


def message_by_id(*, message_id: int) -> Message | None:
    return Message.objects.filter(pk=message_id).first()


def staff_user(*, username: str):
    """An active staff user (a lead's owner), or None."""
    return get_user_model().objects.filter(username=username, is_staff=True, is_active=True).first()


def lead_list(**filters) -> QuerySet[Lead]:
    """Newest first; `filters` are field lookups the caller checked (status, store__code, campaign_id, ...)."""
    return Lead.objects.select_related("customer", "campaign", "journey", "product", "store", "owner", "order").filter(
        **filters
    )


def pipeline_summary(leads: QuerySet[Lead]) -> list[dict]:
    """Per status in pipeline order: how many leads, and their value per currency (none: an empty dict)."""
    counts = dict(leads.order_by().values_list("status").annotate(n=Count("pk")))
    values: dict[str, dict[str, Decimal]] = {}
    for status, currency, total in (
        leads.filter(value__isnull=False).order_by().values_list("status", "currency").annotate(total=Sum("value"))
    ):
        values.setdefault(status, {})[currency] = total
    return [
        {"status": status, "label": label, "count": counts.get(status, 0), "value": values.get(status, {})}
        for status, label in Lead.Status.choices
    ]


@dataclass(frozen=True)
class WonLeads:
    """`count` won leads worth `value`; `revenue` is the part of it results add to attributed revenue."""

    leads: int
    count: int
    value: Decimal
    revenue: Decimal


def won_leads_credit(*, campaign_id: int, currency: str, model: str) -> WonLeads:
    """What a campaign's won leads in its currency add to its results under attribution `model`.

    The rule against double counting: a won lead whose closing `order` is already credited to this campaign under
    `model` (a `Conversion` row) counts among the won leads and their value, but adds nothing to revenue, since
    its order's attributed revenue already holds the sale. Leads in another currency than the campaign's are not
    summed (a sum across currencies means nothing).
    """
    leads = Lead.objects.filter(campaign_id=campaign_id)
    credited = Conversion.objects.filter(order_id=OuterRef("order_id"), campaign_id=campaign_id, model=model)
    won = leads.filter(status=Lead.Status.WON, currency=currency).annotate(already=Exists(credited))
    totals = won.aggregate(won=Count("pk"), worth=Sum("value"), adds=Sum("value", filter=Q(already=False)))
    return WonLeads(
        leads=leads.count(), count=totals["won"], value=totals["worth"] or ZERO, revenue=totals["adds"] or ZERO
    )


def journey_leads(*, journey_id: int) -> dict:
    """A journey's leads, those won, and their value per currency (a journey has no currency of its own)."""
    leads = Lead.objects.filter(journey_id=journey_id)
    won = leads.filter(status=Lead.Status.WON).order_by()
    value = dict(won.values_list("currency").annotate(worth=Sum("value")).values_list("currency", "worth"))
    return {"leads": leads.count(), "won_leads": won.count(), "won_lead_value": value}
