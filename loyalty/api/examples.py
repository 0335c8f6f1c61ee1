from drf_spectacular.utils import OpenApiExample

from loyalty.profile import MEMBER_SUMMARY_EXAMPLE

MEMBER = OpenApiExample("A silver member", MEMBER_SUMMARY_EXAMPLE, response_only=True)
REWARDS = OpenApiExample(
    "The catalog",
    [{"id": 3, "name": "500 off", "points_cost": 1000, "currency": "BDT", "promotion": 12,
      "reward": {"type": "fixed_amount", "value": "500.00"}}],
    response_only=True,
)  # fmt: skip
REDEMPTION_INPUT = OpenApiExample("Spend points on reward 3", {"reward": 3}, request_only=True)
REDEMPTION = OpenApiExample(
    "The code issued", {"code": "PTS-7K2M9QX4TB", "points_spent": 1000, "points_balance": 250}, response_only=True
)
INSUFFICIENT = OpenApiExample(
    "Not enough points",
    {"code": "insufficient_points", "message": "This needs 1000 points and the balance is 250.",
     "points_needed": 1000, "points_balance": 250},
    response_only=True,
    status_codes=["409"],
)  # fmt: skip
RESERVATION_INPUT = OpenApiExample(
    "Hold 300 points for the checkout of O-778",
    {"order": "O-778", "points": 300, "hold_minutes": 30},
    request_only=True,
)
RESERVATION = OpenApiExample(
    "Held",
    {"order": "O-778", "points": 300, "status": "held", "expires_at": "2026-11-22T10:30:00+06:00",
     "points_balance": 950},
    response_only=True,
)  # fmt: skip
RESERVATION_RELEASED = OpenApiExample(
    "Released",
    {"order": "O-778", "points": 300, "status": "released", "expires_at": "2026-11-22T10:30:00+06:00",
     "points_balance": 1250},
    response_only=True,
)  # fmt: skip
REFERRAL_CODE = OpenApiExample("The member's code", {"code": "REF-7K2M9QX4"}, response_only=True)
