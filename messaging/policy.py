"""The delivery policy: may this message go out now, later, or not at all? Pure logic.

A message whose template's offer (its product) is out of stock at the customer's store is skipped first,
whatever its kind or channel (`out_of_stock`). Marketing messages are then checked in this order: an
address, consent for the channel and topic, suppression, the sender's postal address (emails), the
frequency caps, quiet hours in the customer's time zone (deferred to their end, never dropped), then the
template's send window (deferred to its next start). Transactional messages need only an address that is
not suppressed. In-app messages have no address, consent channel or quiet hours.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from messaging.quiet_hours import next_allowed_at


@dataclass(frozen=True)
class Cap:
    limit: int
    days: int

    @classmethod
    def parse(cls, text: str) -> "Cap":
        """ "3/7" is at most 3 messages in any 7 days."""
        limit, _, days = str(text).partition("/")
        try:
            cap = cls(int(limit), int(days))
        except ValueError:
            raise ValueError(f"A frequency cap is written messages/days, such as 3/7; got {text!r}.") from None
        if cap.limit < 0 or cap.days < 1:
            raise ValueError(f"A frequency cap needs a limit of 0 or more and at least 1 day; got {text!r}.")
        return cap


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> "QuietHours | None":
        """ "21:00-08:00"; empty means no quiet hours."""
        if not text.strip():
            return None
        try:
            start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
        except ValueError:
            raise ValueError(f"Quiet hours are written HH:MM-HH:MM, such as 21:00-08:00; got {text!r}.") from None
        return cls(start, end)


@dataclass(frozen=True)
class Policy:
    per_channel: Cap
    overall: Cap
    quiet_hours: QuietHours | None

    @property
    def window_days(self) -> int:
        return max(self.per_channel.days, self.overall.days)


@dataclass(frozen=True)
class Decision:
    action: str  # "send", "skip" or "defer"
    reason: str = ""
    not_before: datetime | None = None


SEND = Decision("send")
CAPPED_CHANNELS = frozenset({"email", "sms", "whatsapp"})  # the channels frequency caps count (not in-app)


def _count_since(times: list[datetime], since: datetime) -> int:
    return sum(1 for moment in times if moment >= since)


def delivery_decision(
    *,
    marketing: bool,
    channel: str,
    address: str,
    consented: bool,
    suppressed: bool,
    recent_by_channel: dict[str, list[datetime]],
    policy: Policy,
    now: datetime,
    timezone: str,
    has_postal_address: bool = True,
    send_window: tuple[time, time] | None = None,
    offer_in_stock: bool = True,
) -> Decision:
    """`recent_by_channel`: when this customer's marketing messages were sent, per channel;
    `send_window`: the template's local (start, end) outside which it waits; `offer_in_stock`: False when
    the product the template promotes is out of stock at the customer's store."""
    if not offer_in_stock:
        return Decision("skip", "out_of_stock")
    if channel == "in_app":
        return SEND
    if not address:
        return Decision("skip", "no_address")
    if marketing and not consented:
        return Decision("skip", "no_consent")
    if suppressed:
        return Decision("skip", "suppressed")
    if not marketing:
        return SEND
    if channel == "email" and not has_postal_address:
        return Decision("skip", "no_postal_address")
    channel_cap, overall_cap = policy.per_channel, policy.overall
    if _count_since(recent_by_channel.get(channel, []), now - timedelta(days=channel_cap.days)) >= channel_cap.limit:
        return Decision("skip", "frequency_cap")
    overall_since = now - timedelta(days=overall_cap.days)
    if sum(_count_since(times, overall_since) for times in recent_by_channel.values()) >= overall_cap.limit:
        return Decision("skip", "frequency_cap")
    if policy.quiet_hours:
        allowed = next_allowed_at(now, timezone=timezone, start=policy.quiet_hours.start, end=policy.quiet_hours.end)
        if allowed > now:
            return Decision("defer", "quiet_hours", allowed)
    if send_window:
        start, end = send_window
        # Outside the window is a quiet period from its end to its next start.
        allowed = next_allowed_at(now, timezone=timezone, start=end, end=start)
        if allowed > now:
            return Decision("defer", "send_window", allowed)
    return SEND
