"""Refusals of the promotions services, raised by `order_place` and caught by whoever places orders."""

from config.errors import Conflict


class RedemptionConflict(Conflict):
    """A code or promotion of the order can no longer be redeemed; nothing was recorded.

    `code` is the reason (`usage_limit_reached`, `not_found`, ...), repeated in `extra["reason"]`
    beside the `coupon` (None for an automatic promotion) and the `promotion` id.
    """

    def __init__(self, *, reason: str, message: str, coupon: str | None, promotion: int, **facts):
        super().__init__(code=reason, message=message, reason=reason, **facts, coupon=coupon, promotion=promotion)

    @property
    def coupon(self) -> str | None:
        return self.extra["coupon"]


class OrderExists(Conflict):
    """The order was recorded without promotions (an import) and cannot be placed again."""

    def __init__(self, *, external_id: str):
        super().__init__(
            code="order_exists",
            message=f"Order '{external_id}' was recorded without promotions (an import); it cannot be placed again.",
        )
