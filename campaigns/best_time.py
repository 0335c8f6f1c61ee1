"""Sending at each customer's best hour (pure): which hours a send window allows, which arm a customer is in,
and the moment their message goes.

A campaign sending "at each customer's best hour within 09:00-21:00" sends on the day it starts, in each
customer's own zone, at the hour audiences.send_time finds best for them among the window's hours that quiet
hours leave open. Two arms keep the gain measured, not claimed: an exploration share gets a random allowed hour
(so the hours we never send at still gather clicks) and a control group gets the campaign's own fixed local
time (its start's wall-clock hour), as a recipient-local-time campaign would. The arms are drawn from the
customer's id and the campaign's salt, independently of the holdout and the variants.
"""

import hashlib
from datetime import UTC, datetime, time, timedelta

from audiences.send_time import HOURS, best_hour
from campaigns.scheduling import zone
from messaging.quiet_hours import in_quiet_hours

BEST = "best"
EXPLORE = "explore"
CONTROL = "control"
ARMS = (BEST, EXPLORE, CONTROL)


def allowed_hours(*, start: time, end: time, quiet: tuple[time, time] | None = None) -> list[int]:
    """The whole hours h with h:00 in the window [start, end) (it may wrap past midnight; start == end: all day)
    and out of quiet hours."""
    hours = [hour for hour in range(HOURS) if _within(time(hour), start, end)]
    if quiet is not None:
        hours = [hour for hour in hours if not in_quiet_hours(time(hour), start=quiet[0], end=quiet[1])]
    return hours


def _within(moment: time, start: time, end: time) -> bool:
    # A window and quiet hours are the same kind of interval: from start (inclusive) to end, maybe past midnight.
    return start == end or in_quiet_hours(moment, start=start, end=end)


def _draw(salt: str, campaign_id: int, customer_id: int, purpose: str) -> float:
    digest = hashlib.sha256(f"{salt}:{purpose}:{campaign_id}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def arm_of(*, salt: str, campaign_id: int, customer_id: int, explore_percent: float, control_percent: float) -> str:
    draw = _draw(salt, campaign_id, customer_id, "send-time") * 100
    if draw < control_percent:
        return CONTROL
    if draw < control_percent + explore_percent:
        return EXPLORE
    return BEST


def chosen_hour(
    *, arm: str, distribution, allowed: list[int], fixed_hour: int, salt: str, campaign_id: int, customer_id: int
) -> int:
    """The local hour of the customer's message in their arm."""
    if arm == CONTROL or not allowed:
        return fixed_hour
    if arm == EXPLORE:
        return allowed[int(_draw(salt, campaign_id, customer_id, "explore") * len(allowed))]
    return best_hour(distribution, allowed)


def moment_at_hour(*, hour: int, recipient_zone: str, not_before: datetime) -> datetime:
    """The first moment at or after `not_before` when the recipient's clock reads hour:00 (aware, UTC)."""
    local_zone = zone(recipient_zone)
    local_start = not_before.astimezone(local_zone)
    candidate = datetime.combine(local_start.date(), time(hour), tzinfo=local_zone)
    if candidate < local_start:
        candidate = datetime.combine(local_start.date() + timedelta(days=1), time(hour), tzinfo=local_zone)
    return candidate.astimezone(UTC)
