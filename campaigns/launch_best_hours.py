"""A best-hour launch (campaigns/best_time.py): what it reads once, and each batch's send moments and arms."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from audiences import send_time
from campaigns import best_time, scheduling, send_times
from campaigns.models import Campaign
from campaigns.selectors import reference_zone
from campaigns.suppression import Recipient
from messaging.services.dispatch_decisions import configured_policy


@dataclass(frozen=True)
class BestHours:
    """What a best-hour launch reads once: the window's open hours, the control's hour, the arms' shares and the
    stores' and segments' engagement hours the customers' own are shrunk toward."""

    allowed: list[int]
    fixed_hour: int
    explore_percent: float
    control_percent: float
    store_counts: dict[int, list[int]]
    segment_counts: list[int] | None

    @classmethod
    def of(cls, campaign: Campaign) -> "BestHours":
        quiet = configured_policy().quiet_hours
        store_counts, segment_counts = send_times.group_hour_counts(
            store_ids=[store.pk for store in campaign.stores.all()],
            segment_ids=[segment.pk for segment in campaign.include_segments.all()],
            now=timezone.now(),
        )
        return cls(
            allowed=best_time.allowed_hours(
                start=campaign.best_hour_from,
                end=campaign.best_hour_to,
                quiet=(quiet.start, quiet.end) if quiet else None,
            ),
            fixed_hour=scheduling.wall_clock(campaign.starts_at, reference_zone(campaign)).hour,
            explore_percent=float(campaign.best_hour_explore_percent),
            control_percent=float(campaign.best_hour_control_percent),
            store_counts=store_counts,
            segment_counts=segment_counts,
        )

    def prior(self, store_id: int | None) -> list[float]:
        groups = [counts for counts in (self.store_counts.get(store_id), self.segment_counts) if counts is not None]
        return send_time.group_prior(*groups)


def best_hour_moments(
    campaign: Campaign, best: BestHours, customers: list[Recipient], now: datetime
) -> tuple[list[datetime], list[str]]:
    counts = send_times.customer_hour_counts(zones={c.pk: c.zone for c in customers}, now=now)
    not_before = max(campaign.starts_at, now)
    moments, arms = [], []
    for customer in customers:
        arm = best_time.arm_of(
            salt=campaign.salt,
            campaign_id=campaign.pk,
            customer_id=customer.pk,
            explore_percent=best.explore_percent,
            control_percent=best.control_percent,
        )
        hour = best_time.chosen_hour(
            arm=arm,
            distribution=send_time.customer_distribution(counts[customer.pk], best.prior(customer.store_id)),
            allowed=best.allowed,
            fixed_hour=best.fixed_hour,
            salt=campaign.salt,
            campaign_id=campaign.pk,
            customer_id=customer.pk,
        )
        moments.append(best_time.moment_at_hour(hour=hour, recipient_zone=customer.zone, not_before=not_before))
        arms.append(arm)
    return moments, arms
