"""What a campaign's messages cost and where its budget stands (pure; Decimal money).

Sending cost per message: a price per email, per SMS segment (a long or Bengali SMS is several
segments) or per WhatsApp message; in-app messages are free. The budget covers that sending cost and
the discounts the campaign's promotions gave; an alert is raised once spending passes a share of it,
and queueing stops before a message would take it over.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Prices:
    email: Decimal
    sms_segment: Decimal
    whatsapp: Decimal

    def message(self, channel: str, sms_segments: int = 1) -> Decimal:
        if channel == "email":
            return self.email
        if channel == "sms":
            return self.sms_segment * sms_segments
        if channel == "whatsapp":
            return self.whatsapp
        return Decimal(0)


def affordable(*, costs: list[Decimal], budget: Decimal | None, spent: Decimal) -> int:
    """How many of `costs`, taken in order, fit in what is left of the budget (all of them without one)."""
    if budget is None:
        return len(costs)
    left = budget - spent
    for count, cost in enumerate(costs):
        if cost > left:
            return count
        left -= cost
    return len(costs)


def alert_due(*, budget: Decimal | None, spent: Decimal, alert_percent: int) -> bool:
    return budget is not None and budget > 0 and spent * 100 >= budget * alert_percent


def exhausted(*, budget: Decimal | None, spent: Decimal) -> bool:
    return budget is not None and spent >= budget
