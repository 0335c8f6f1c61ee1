"""Which campaign earned an order: credit computed at read time from raw touches, under a chosen model.

Pure: no database, no Django. Inputs are rows the caller reads (frozen dataclasses, validated on construction;
bad input raises `config.errors.DomainError`, answered by the API as a 400 naming the problem):

- `Touch(campaign_id, customer_id, kind, channel, at)`: one thing that happened between a campaign and a
  customer. `kind` is one of `TouchKind` (sent, delivered, opened, clicked, coupon_redeemed); `channel` is the
  messaging channel ("email", "sms", "whatsapp", "in_app"); `at` is timezone-aware.
- `Order(order_id, customer_id, placed_at, revenue, coupon_campaign_ids, in_store)`: `revenue` is a Decimal in
  the currency's minor unit at most; `coupon_campaign_ids` are the campaigns whose coupons were redeemed on
  this order, in the order they were applied; `in_store` marks store-visit (POS) orders, which are matched by
  customer exactly like online ones and only reported apart. `customer_id` None is an anonymous order: only
  a coupon can attribute it.
- `Windows(click, receipt, receipt_by_channel)`: how long after a touch an order still counts. Each campaign has
  its own (`windows_by_campaign`); a touch is judged by its own campaign's windows, `windows` for the others.

The rules, first that applies wins:
1. coupon: a campaign's coupon redeemed on the order gets full credit (split if coupons of several campaigns
   were redeemed on it: linear splits them, last-touch takes the last applied, first-touch the first);
2. click: else the clicks in the click window (default 5 days);
3. receipt: else the messages received in their channel's receipt window (default 1 day, off for email,
   since opening is not needed to count and inboxes hold everything): "delivered", or "sent" for a message
   whose delivery is never reported.
Opens never earn credit (privacy proxies open emails nobody read). `coupon_redeemed` touches are for counting;
the order's own `coupon_campaign_ids` says which coupons were used on it.

Windows include both ends: a touch at exactly `placed_at - window` counts, and so does one at the same instant
as the order; a touch after the order never counts. Touches at the same instant are ordered by campaign id.

Models (`AttributionModel`), chosen per report: last-touch (the default, and the rule `order_attribution`
writes onto the order), first-touch, linear (each qualifying touch an equal share, summed per campaign).

Output per order: `Credit(campaign_id, weight, revenue, basis)` entries, by campaign id, whose weights sum to
exactly 1 and revenues to exactly the order's revenue (largest remainder, ties to the lower campaign id); or
none at all. `credits_by_campaign` adds them up per campaign.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from config.errors import DomainError

WEIGHT_PLACES = 6


class TouchKind(StrEnum):
    SENT = "sent"
    DELIVERED = "delivered"
    OPENED = "opened"
    CLICKED = "clicked"
    COUPON_REDEEMED = "coupon_redeemed"


class AttributionModel(StrEnum):
    LAST_TOUCH = "last_touch"
    FIRST_TOUCH = "first_touch"
    LINEAR = "linear"


class Basis(StrEnum):
    COUPON = "coupon"
    CLICK = "click"
    RECEIPT = "receipt"


def _invalid(code: str, message: str) -> DomainError:
    return DomainError(code=code, message=message)


def _choice(enum: type[StrEnum], value, code: str, what: str):
    try:
        return enum(value)
    except ValueError:
        raise _invalid(code, f"Unknown {what} '{value}'; use one of: {', '.join(enum)}.") from None


def parse_model(name: str) -> AttributionModel:
    return _choice(AttributionModel, name, "unknown_attribution_model", "attribution model")


def _aware(name: str, value) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise _invalid("naive_datetime", f"{name} must be a datetime with a time zone, not {value!r}.")


@dataclass(frozen=True)
class Touch:
    campaign_id: Hashable
    customer_id: Hashable
    kind: TouchKind
    channel: str
    at: datetime

    def __post_init__(self):
        object.__setattr__(self, "kind", _choice(TouchKind, self.kind, "unknown_touch_kind", "touch kind"))
        _aware("A touch's time", self.at)


@dataclass(frozen=True)
class Order:
    order_id: Hashable
    customer_id: Hashable | None
    placed_at: datetime
    revenue: Decimal
    coupon_campaign_ids: tuple = ()
    in_store: bool = False

    def __post_init__(self):
        _aware("An order's placed_at", self.placed_at)
        if not isinstance(self.revenue, Decimal) or not self.revenue.is_finite() or self.revenue < 0:
            raise _invalid("invalid_amount", f"An order's revenue is a Decimal of at least 0, not {self.revenue!r}.")
        if not isinstance(self.coupon_campaign_ids, list | tuple):
            raise _invalid("invalid_coupons", "coupon_campaign_ids is a list of campaign ids.")
        object.__setattr__(self, "coupon_campaign_ids", tuple(self.coupon_campaign_ids))


def _window(name: str, value) -> None:
    if value is not None and (not isinstance(value, timedelta) or value < timedelta(0)):
        raise _invalid(
            "invalid_window", f"The {name} window is a duration of at least 0 (or None: off), not {value!r}."
        )


@dataclass(frozen=True)
class Windows:
    """`receipt_by_channel` overrides `receipt` per channel; None switches receipt credit off for it."""

    click: timedelta = timedelta(days=5)
    receipt: timedelta | None = timedelta(days=1)
    receipt_by_channel: Mapping[str, timedelta | None] = field(
        default_factory=lambda: MappingProxyType({"email": None})
    )

    def __post_init__(self):
        if self.click is None:
            raise _invalid("invalid_window", "The click window is a duration, not None.")
        _window("click", self.click)
        _window("receipt", self.receipt)
        for channel, window in self.receipt_by_channel.items():
            _window(f"{channel} receipt", window)

    def receipt_for(self, channel: str) -> timedelta | None:
        return self.receipt_by_channel.get(channel, self.receipt)


DEFAULT_WINDOWS = Windows()
MAX_WINDOW_HOURS = 24 * 30  # a campaign's windows are at most 30 days: an order's touches are read that far back


def windows_from_hours(
    *, click_hours: int, receipt_hours: int, receipt_channels: Iterable[str], channels: Iterable[str]
) -> Windows:
    """A campaign's settings as windows: receipt credit only on `receipt_channels` among the known `channels`."""
    on = set(receipt_channels)
    return Windows(
        click=timedelta(hours=click_hours),
        receipt=timedelta(hours=receipt_hours),
        receipt_by_channel=MappingProxyType({channel: None for channel in channels if channel not in on}),
    )


@dataclass(frozen=True)
class Credit:
    campaign_id: Hashable
    weight: Decimal
    revenue: Decimal
    basis: Basis


@dataclass(frozen=True)
class OrderAttribution:
    order: Order
    credits: tuple[Credit, ...]


def _in_window(touch: Touch, placed_at: datetime, window: timedelta | None) -> bool:
    return window is not None and placed_at - window <= touch.at <= placed_at


WindowsByCampaign = Mapping[Hashable, Windows]


def _qualifying(
    order: Order, touches: Iterable[Touch], windows: Windows, by_campaign: WindowsByCampaign
) -> tuple[Basis | None, list]:
    """The basis that applies and its qualifying campaign ids, in time order (coupons: in the order applied)."""
    if order.coupon_campaign_ids:
        return Basis.COUPON, list(order.coupon_campaign_ids)
    if order.customer_id is None:
        return None, []
    mine = sorted((t for t in touches if t.customer_id == order.customer_id), key=lambda t: (t.at, t.campaign_id))
    clicks = [
        t.campaign_id
        for t in mine
        if t.kind is TouchKind.CLICKED and _in_window(t, order.placed_at, by_campaign.get(t.campaign_id, windows).click)
    ]
    if clicks:
        return Basis.CLICK, clicks
    # Delivery is "known" for a campaign's message on a channel once any delivery was reported, even one after
    # the order: then only the delivery counts as receipt, never the send before it.
    delivery_known = {(t.campaign_id, t.channel) for t in mine if t.kind is TouchKind.DELIVERED}
    receipts = [
        t.campaign_id
        for t in mine
        if (
            t.kind is TouchKind.DELIVERED
            or (t.kind is TouchKind.SENT and (t.campaign_id, t.channel) not in delivery_known)
        )
        and _in_window(t, order.placed_at, by_campaign.get(t.campaign_id, windows).receipt_for(t.channel))
    ]
    return Basis.RECEIPT, receipts


def _shares(
    order: Order, touches: Iterable[Touch], model: AttributionModel, windows: Windows, by_campaign: WindowsByCampaign
) -> tuple[Basis | None, list[tuple[Hashable, Fraction]]]:
    """The basis and each credited campaign's exact share, by campaign id; no campaigns when nothing qualifies."""
    basis, campaign_ids = _qualifying(order, touches, windows, by_campaign)
    if not campaign_ids:
        return basis, []
    if model is AttributionModel.LAST_TOUCH:
        return basis, [(campaign_ids[-1], Fraction(1))]
    if model is AttributionModel.FIRST_TOUCH:
        return basis, [(campaign_ids[0], Fraction(1))]
    counts = Counter(campaign_ids)
    return basis, [(campaign, Fraction(counts[campaign], len(campaign_ids))) for campaign in sorted(counts)]


def split_exactly(total: int, shares: Sequence[Fraction]) -> list[int]:
    """`total` whole units split in proportion to `shares` (which sum to 1) by the largest-remainder method.

    Each part is its share rounded down; the units left over go one each to the largest remainders, ties to
    the earlier share. The parts always add up to `total`.
    """
    exact = [total * share for share in shares]
    parts = [int(value) for value in exact]  # shares and total are non-negative: int() is the floor
    leftover = total - sum(parts)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return parts


def attribute_order(
    order: Order,
    touches: Iterable[Touch],
    *,
    model: AttributionModel | str = AttributionModel.LAST_TOUCH,
    windows: Windows = DEFAULT_WINDOWS,
    windows_by_campaign: WindowsByCampaign = MappingProxyType({}),
    minor_unit_exponent: int = 2,
) -> tuple[Credit, ...]:
    """The order's credits under `model`; `touches` may include other customers' (they are ignored)."""
    model = parse_model(model)
    units = order.revenue.scaleb(minor_unit_exponent)
    if units != units.to_integral_value():
        raise _invalid(
            "invalid_amount", f"The revenue {order.revenue} has more than {minor_unit_exponent} decimal places."
        )
    basis, shares = _shares(order, touches, model, windows, windows_by_campaign)
    if not shares:
        return ()
    fractions = [share for _, share in shares]
    weights = split_exactly(10**WEIGHT_PLACES, fractions)
    revenues = split_exactly(int(units), fractions)
    return tuple(
        Credit(
            campaign_id=campaign,
            weight=Decimal(weight).scaleb(-WEIGHT_PLACES),
            revenue=Decimal(revenue).scaleb(-minor_unit_exponent),
            basis=basis,
        )
        for (campaign, _), weight, revenue in zip(shares, weights, revenues, strict=True)
    )


def attribute_orders(
    orders: Iterable[Order],
    touches: Iterable[Touch],
    *,
    model: AttributionModel | str = AttributionModel.LAST_TOUCH,
    windows: Windows = DEFAULT_WINDOWS,
    windows_by_campaign: WindowsByCampaign = MappingProxyType({}),
    minor_unit_exponent: int = 2,
) -> list[OrderAttribution]:
    """Every order's credits; touches are grouped by customer once, so this is linear in orders and touches."""
    by_customer: dict[Hashable, list[Touch]] = defaultdict(list)
    for touch in touches:
        by_customer[touch.customer_id].append(touch)
    return [
        OrderAttribution(
            order,
            attribute_order(
                order,
                by_customer.get(order.customer_id, ()),
                model=model,
                windows=windows,
                windows_by_campaign=windows_by_campaign,
                minor_unit_exponent=minor_unit_exponent,
            ),
        )
        for order in orders
    ]


def order_attribution(
    order: Order,
    touches: Iterable[Touch],
    *,
    windows: Windows = DEFAULT_WINDOWS,
    windows_by_campaign: WindowsByCampaign = MappingProxyType({}),
) -> Hashable | None:
    """The order's one campaign (last touch), or None: its `attributed_campaign`."""
    _, shares = _shares(order, touches, AttributionModel.LAST_TOUCH, windows, windows_by_campaign)
    return shares[0][0] if shares else None


@dataclass(frozen=True)
class CampaignCredit:
    """A campaign's attributed totals: `orders` is the sum of its weights (linear credit counts fractions)."""

    campaign_id: Hashable
    orders: Decimal
    attributed_orders: int
    revenue: Decimal
    store_revenue: Decimal


def credits_by_campaign(attributions: Iterable[OrderAttribution]) -> dict[Hashable, CampaignCredit]:
    """Per campaign: weighted orders, orders with any credit, revenue, and the part of it from store visits."""
    totals: dict[Hashable, list] = {}
    for attribution in attributions:
        for credit in attribution.credits:
            entry = totals.setdefault(credit.campaign_id, [Decimal(0), 0, Decimal(0), Decimal(0)])
            entry[0] += credit.weight
            entry[1] += 1
            entry[2] += credit.revenue
            if attribution.order.in_store:
                entry[3] += credit.revenue
    return {campaign: CampaignCredit(campaign, *entry) for campaign, entry in sorted(totals.items())}
