"""The OpenAPI examples of the promotions API: what the schema shows for each operation's request and answer."""

from drf_spectacular.utils import OpenApiExample

from promotions.order_hooks import cancel_answer_defaults, place_answer_defaults

CART = {
    "customer": "C-1001",
    "store": "DHK-01",
    "channel": "web",
    "payment_method": "bkash",
    "currency": "BDT",
    "lines": [
        {"sku": "TV-55", "quantity": 1, "unit_price": "54000.00"},
        {"sku": "HDMI-2", "quantity": 3, "unit_price": "450.00", "category": "cables"},
    ],
    "shipping_price": "120.00",
    "codes": ["WELCOME15", "OLD10"],
}
CART_INPUT = OpenApiExample("A cart with two codes", CART, request_only=True)
COUPON_INPUT = OpenApiExample(
    "A code", {"code": "WELCOME15", "customer": "C-1001", "store": "DHK-01"}, request_only=True
)

PROMOTION = {
    "name": "Welcome 15%",
    "status": "active",
    "starts_at": "2026-11-01T00:00:00+06:00",
    "ends_at": None,
    "trigger": "code",
    "code": "WELCOME15",
    "stores": [],
    "channels": [],
    "priority": 10,
    "stacking": "combinable",
    "usage_limit": 1000,
    "usage_limit_per_customer": 1,
    "budget": "50000.00",
    "eligibility": {"first_order_only": True, "min_subtotal": "1000.00"},
    "target": {"categories": ["electronics"], "exclude_skus": ["GIFT-CARD"]},
    "reward": {"type": "percentage", "value": "15", "max_discount": "5000.00"},
}
PROMOTION_INPUT = OpenApiExample("Welcome 15%", PROMOTION, request_only=True)
PROMOTION_OUTPUT = OpenApiExample(
    "Welcome 15%",
    {
        "id": 42,
        **PROMOTION,
        "currency": "BDT",
        "budget": "50000.00",
        "used": 118,
        "budget_spent": "23450.00",
        "redemptions": 118,
        "created_at": "2026-10-28T09:12:00+06:00",
        "updated_at": "2026-11-20T17:40:11+06:00",
    },
    response_only=True,
)
PROMOTION_PAUSE = OpenApiExample("Pause it", {"status": "paused"}, request_only=True)
PROMOTION_RAISE_CAP = OpenApiExample(
    "Raise the cap",
    {"reward": {"type": "percentage", "value": "15", "max_discount": "8000.00"}},
    request_only=True,
)

CODE_JOB_INPUT = OpenApiExample("100,000 codes", {"count": 100000, "pattern": "WIN-####-####"}, request_only=True)
CODE_JOB_OUTPUT = OpenApiExample(
    "Half way",
    {
        "id": 7,
        "promotion": 42,
        "pattern": "WIN-####-####",
        "count": 100000,
        "generated": 50000,
        "progress": 0.5,
        "status": "running",
        "error": "",
        "url": "https://promotions.example.com/api/v1/promotions/code-jobs/7",
        "codes_csv": "https://promotions.example.com/api/v1/promotions/42/codes.csv",
        "created_at": "2026-11-24T10:00:00+06:00",
        "finished_at": None,
    },
    response_only=True,
)
CODES_CSV = OpenApiExample(
    "Unique codes",
    "code,usage_limit,used\r\nWIN-7K3Q-MX9D,1,0\r\nWIN-R4TB-2HWN,1,1\r\n",
    response_only=True,
    media_type="text/csv",
)

ORDER_INPUT = OpenApiExample(
    "An order",
    {
        "external_id": "O-778",
        "customer": "C-1001",
        "store": "DHK-01",
        "channel": "web",
        "payment_method": "bkash",
        "currency": "BDT",
        "placed_at": "2026-11-22T10:00:00+06:00",
        "lines": [{"sku": "TV-55", "quantity": 1, "unit_price": "54000.00"}],
        "shipping_price": "120.00",
        "codes": ["WELCOME15"],
    },
    request_only=True,
)
ORDER_DROPPED_OUTPUT = OpenApiExample(
    "Recorded without a used-up code",
    {
        "order": "O-779",
        "currency": "BDT", "subtotal": "100.00", "discount_total": "0.00", "shipping_price": "0.00",
        "shipping_discount": "0.00", "total": "100.00", "applied": [], "codes": [], "gifts": [],
        "lines": [{"sku": "RICE", "quantity": 1, "unit_price": "100.00", "subtotal": "100.00", "discount": "0.00",
                   "total": "100.00"}],
        "dropped_codes": [{"code": "ONCE", "reason": "usage_limit_reached",
                           "message": "This code has been used as many times as it may be."}],
        # The URLconf imports this module after every app's ready() has registered its order hooks.
        **place_answer_defaults(),
    },
    response_only=True,
    status_codes=["201"],
)  # fmt: skip
ORDER_DETAIL_OUTPUT = OpenApiExample(
    "A placed order",
    {
        "order": "O-778",
        "status": "placed",
        "customer": "C-1001",
        "store": "DHK-01",
        "channel": "web",
        "payment_method": "bkash",
        "currency": "BDT",
        "placed_at": "2026-11-22T10:00:00+06:00",
        "cancelled_at": None,
        "subtotal": "54000.00",
        "discount_total": "5000.00",
        "shipping_price": "120.00",
        "shipping_discount": "0.00",
        "total": "49120.00",
        "lines": [
            {
                "sku": "TV-55",
                "quantity": 1,
                "unit_price": "54000.00",
                "subtotal": "54000.00",
                "discount": "5000.00",
                "total": "49000.00",
            }
        ],
        "applied": [
            {"promotion": 42, "name": "Welcome 15%", "code": "WELCOME15", "reward": "percentage", "amount": "5000.00"}
        ],
        "gifts": [],
        "dropped_codes": [],
        "redemptions": [
            {
                "promotion": 42,
                "name": "Welcome 15%",
                "code": "WELCOME15",
                "amount": "5000.00",
                "status": "active",
                "created_at": "2026-11-22T10:00:01+06:00",
                "released_at": None,
            }
        ],
    },
    response_only=True,
)
ORDER_CANCEL_OUTPUT = OpenApiExample(
    "Released",
    {
        "order": "ORD-1001",
        "status": "cancelled",
        "currency": "BDT",
        "released": [{"promotion": 42, "code": "WELCOME15", "amount": "1350.00"}],
        "released_discount": "1350.00",
        **cancel_answer_defaults(),
    },
    response_only=True,
)


OFFERS_OUTPUT = OpenApiExample(
    "A tier reward and a segment's discount, best first",
    {
        "customer": "C-1001",
        "qualifying": 2,
        "offers": [
            {
                "rank": 1,
                "promotion": 42,
                "name": "Gold members: 15% off",
                "trigger": "automatic",
                "code": None,
                "reward_type": "percentage",
                "ends_at": "2026-03-31T18:00:00+00:00",
                "stores": [],
                "channels": [],
                "currency": "BDT",
                "basket": "4200.00",
                "saving": "630.00",
                "expected_value": "630.00",
                "uses_left": None,
                "customer_uses_left": 2,
                "budget_left": "184500.00",
            },
            {
                "rank": 2,
                "promotion": 17,
                "name": "Win back: 300 off 5,000",
                "trigger": "code",
                "code": "COMEBACK",
                "reward_type": "fixed_amount",
                "ends_at": None,
                "stores": ["DHK-01"],
                "channels": [],
                "currency": "BDT",
                "basket": "5000.00",
                "saving": "300.00",
                "expected_value": "452.20",
                "uses_left": 880,
                "customer_uses_left": 1,
                "budget_left": None,
            },
        ],
    },
    response_only=True,
)
