"""The OpenAPI examples of the audiences API.

The customer example shows every registered profile section with the example its app gave; it is
built when the URLconf imports the views, after every app's ready() has registered its sections.
"""

from drf_spectacular.utils import OpenApiExample

from audiences.profile import profile_sections

STORE_OUTPUT_EXAMPLE = {
    "code": "DHK-01",
    "name": "Gulshan",
    "timezone": "Asia/Dhaka",
    "currency": "BDT",
    "city": "Dhaka",
    "country": "BD",
    "latitude": 23.7925,
    "longitude": 90.4078,
}
CATEGORY_OUTPUT_EXAMPLE = {"code": "tv", "name": "Televisions", "parent": "electronics", "path": "/electronics/tv/"}
PRODUCT_OUTPUT_EXAMPLE = {
    "sku": "TV-55",
    "name": "55in TV",
    "category": "tv",
    "brand": "Walton",
    "price": "54000.00",
    "currency": "BDT",
    "in_stock": True,
    "consumable": False,
}
RECOMMENDATIONS_OUTPUT_EXAMPLE = {
    "customer": "C-1001",
    "computed_at": "2026-03-01T01:15:09+00:00",
    "recommendations": [
        {
            "rank": 1,
            "sku": "AUDI-JBL-TUNE520-BD",
            "name": "JBL Tune 520BT headphones",
            "category": "audio",
            "brand": "JBL",
            "price": "5490.00",
            "currency": "BDT",
            "score": 0.4121,
            "source": "co_purchase",
        },
        {
            "rank": 2,
            "sku": "CABL-ANKE-1M-BD",
            "name": "Anker USB-C cable 1 m",
            "category": "cables",
            "brand": "Anker",
            "price": "1190.00",
            "currency": "BDT",
            "score": 0.0,
            "source": "popular",
        },
    ],
}
CUSTOMER_OUTPUT_EXAMPLE = {
    "external_id": "C-1001",
    "email": "rahim@example.com",
    "phone": "+8801712345678",
    "first_name": "Rahim",
    "last_name": "Uddin",
    "birth_date": "1990-04-02",
    "language": "bn",
    "timezone": "Asia/Dhaka",
    "store": "DHK-01",
    "city": "Dhaka",
    "signed_up_at": "2025-03-14T05:20:00Z",
    "attributes": {"car_year": 2017},
    "latitude": 23.8103,
    "longitude": 90.4125,
    "postcode": "1212",
    "location_source": "coordinates",
    "orders_count": 7,
    "currency": "BDT",
    "total_spent": "412350.00",
    "first_order_at": "2025-03-20T08:12:00Z",
    "last_order_at": "2026-11-22T04:00:00Z",
    "erased_at": None,
    **{key: section.example for key, section in profile_sections().items()},
    "consents": [
        {
            "channel": "email",
            "topic": "marketing",
            "status": "opted_in",
            "source": "storefront",
            "recorded_at": "2025-03-14T05:20:00Z",
        },
        {
            "channel": "sms",
            "topic": "marketing",
            "status": "opted_in",
            "source": "pos",
            "recorded_at": "2026-11-20T09:04:00Z",
        },
    ],
}
EVENT_BATCH_EXAMPLE = {
    "events": [
        {
            "customer": "C-1001",
            "type": "product_viewed",
            "occurred_at": "2026-11-22T09:41:00+06:00",
            "properties": {"sku": "TV-55"},
            "idempotency_key": "web-8f3a-1",
        },
        {
            "customer": "C-1001",
            "type": "cart_updated",
            "occurred_at": "2026-11-22T09:45:00+06:00",
            "properties": {"skus": ["TV-55"], "value": "54000.00", "currency": "BDT"},
            "idempotency_key": "web-8f3a-2",
        },
    ]
}
EVENT_BATCH_OUTPUT_EXAMPLE = {
    "recorded": 1,
    "duplicates": 1,
    "events": [
        {
            "id": 90211,
            "customer": "C-1001",
            "type": "product_viewed",
            "occurred_at": "2026-11-22T03:41:00Z",
            "properties": {"sku": "TV-55"},
            "idempotency_key": "web-8f3a-1",
        },
        {
            "id": 90245,
            "customer": "C-1001",
            "type": "cart_updated",
            "occurred_at": "2026-11-22T03:45:00Z",
            "properties": {"skus": ["TV-55"], "value": "54000.00", "currency": "BDT"},
            "idempotency_key": "web-8f3a-2",
        },
    ],
}

STORE_INPUT_EXAMPLE = {
    "name": "Gulshan",
    "timezone": "Asia/Dhaka",
    "currency": "BDT",
    "city": "Dhaka",
    "latitude": 23.7925,
    "longitude": 90.4078,
}
CATEGORY_INPUT_EXAMPLE = {"name": "Televisions", "parent": "electronics"}
PRODUCT_INPUT_EXAMPLE = {"name": "55in TV", "category": "tv", "price": "54000.00", "currency": "BDT", "brand": "Walton"}
CUSTOMER_INPUT_EXAMPLE = {
    "email": "rahim@example.com",
    "phone": "01712345678",
    "first_name": "Rahim",
    "language": "bn",
    "store": "DHK-01",
    "city": "Dhaka",
    "attributes": {"car_year": 2017},
    "latitude": 23.8103,
    "longitude": 90.4125,
    "postcode": "1212",
}
CONSENT_INPUT_EXAMPLE = {
    "channel": "sms",
    "topic": "marketing",
    "status": "opted_in",
    "source": "pos",
    "recorded_at": "2026-11-20T15:04:00+06:00",
}
EVENT_INPUT_EXAMPLE = {"customer": "C-1001", "type": "complaint_opened", "properties": {"ref": 7}}

EXAMPLE_RULES = {
    "all": [
        {"field": "city", "op": "eq", "value": "Dhaka"},
        {"field": "total_spent", "op": "gte", "value": "100000", "currency": "BDT"},
        {"field": "last_order_at", "op": "older_than_days", "value": 90},
        {
            "any": [
                {"event": "complaint_opened", "within_days": 30, "min_count": 1},
                {"field": "orders_count", "op": "gte", "value": 5},
            ]
        },
        {"not": {"segment": "staff"}},
    ]
}

SEGMENT_INPUT_EXAMPLE = {"code": "vip_dhaka", "name": "VIP in Dhaka", "rules": EXAMPLE_RULES}
SEGMENT_OUTPUT_EXAMPLE = {
    "code": "vip_dhaka",
    "name": "VIP in Dhaka",
    "description": "VIP customers living in Dhaka.",
    "rules": {
        "all": [
            {"field": "city", "op": "eq", "value": "Dhaka"},
            {"field": "attributes.vip", "op": "eq", "value": True},
        ]
    },
    "predefined": False,
    "count": 1840,
    "refreshed_at": "2026-11-22T03:15:07.412853Z",
}
SEGMENT_PATCH_EXAMPLE = {
    "name": "VIP in Dhaka, big spenders",
    "rules": {
        "all": [
            {"field": "city", "op": "eq", "value": "Dhaka"},
            {"field": "attributes.vip", "op": "eq", "value": True},
            {"field": "total_spent", "op": "gte", "value": "100000", "currency": "BDT"},
        ]
    },
}
SEGMENT_PATCHED_EXAMPLE = {**SEGMENT_OUTPUT_EXAMPLE, **SEGMENT_PATCH_EXAMPLE}  # count: the refresh before the edit
PREVIEW_RULES_EXAMPLE = {
    "all": [
        {"field": "city", "op": "eq", "value": "Dhaka"},
        {"field": "last_order_at", "op": "older_than_days", "value": 90},
    ]
}

SEGMENT_MEMBERS_PAGE_EXAMPLE = {
    "count": 1840,
    "next": "https://engine.example.com/api/v1/segments/vip_dhaka/members?page=3",
    "previous": "https://engine.example.com/api/v1/segments/vip_dhaka/members",
    "results": [f"C-{number}" for number in range(1051, 1101)],
}
PREVIEW_OUTPUT_EXAMPLE = {
    "count": 3127,
    "sample": ["C-1003", "C-1017", "C-1042", "C-1058", "C-1101", "C-1123", "C-1160", "C-1204", "C-1231", "C-1290"],
}
ORDER_RETURN_INPUT_EXAMPLE = {"return_id": "R-778-1", "lines": [{"line_no": 1, "quantity": 2}]}
ORDER_RETURN_OUTPUT_EXAMPLE = {
    "order": "O-778",
    "return_id": "R-778-1",
    "currency": "BDT",
    "amount": "1800.00",
    "returned_at": "2026-11-29T15:00:00+06:00",
    "lines": [{"line_no": 1, "sku": "RICE-5KG", "quantity": 2, "amount": "1800.00"}],
    "points_reversed": 180,
}

CUSTOMER_DATA_EXAMPLE = {
    "customer": "C-1001",
    "exported_at": "2026-11-28T03:00:00Z",
    "sections": {
        "consents": {
            "in_force": [{"channel": "sms", "topic": "marketing", "status": "opted_in", "source": "pos",
                          "recorded_at": "2025-03-14T05:20:00Z"}],
            "history": [{"channel": "sms", "topic": "marketing", "status": "opted_in", "source": "pos",
                         "recorded_at": "2025-03-14T05:20:00Z"}],
        },
        "orders": [{"external_id": "O-5001", "store": "DHK-01", "currency": "BDT", "placed_at": "2026-11-22T04:00:00Z",
                    "status": "placed", "total": "45900.000", "lines": [{"line_no": 1, "sku": "TV-55", "quantity": 1,
                    "unit_price": "54000.000", "total": "45900.000"}], "returns": []}],
        "events": [{"type": "product_viewed", "occurred_at": "2026-11-21T10:00:00Z", "properties": {"sku": "TV-55"}}],
        "messages": {"messages": [{"template": "winback", "channel": "sms", "status": "delivered",
                                   "sent_at": "2026-11-20T09:00:00Z", "delivery_events": []}], "suppressions": []},
        "profile": {"external_id": "C-1001", "email": "rahim@example.com", "phone": "+8801712345678",
                    "first_name": "Rahim", "erased_at": None},
    },
}  # fmt: skip
EXPORT_QUEUED_EXAMPLE = {
    "id": 42,
    "kind": "export",
    "customer": "C-1001",
    "status": "queued",
    "requested_by": "marketer",
    "requested_at": "2026-11-28T03:00:00Z",
    "finished_at": None,
    "error": "",
    "download": "/api/v1/customers/C-1001/export?request=42",
}
ERASURE_EXAMPLE = {
    "id": 43,
    "kind": "erasure",
    "customer": "C-1001",
    "status": "queued",
    "requested_by": "marketer",
    "requested_at": "2026-11-28T03:00:00Z",
    "finished_at": None,
    "error": "",
    "download": None,
}
EXPORT_FAILED_EXAMPLE = OpenApiExample(
    "The background export failed",
    {"code": "export_failed", "message": "The export stopped: disk full."},
    response_only=True,
    status_codes=["409"],
)
CUSTOMER_ERASED_EXAMPLE = OpenApiExample(
    "The customer was erased",
    {
        "code": "customer_erased",
        "message": "Customer 'C-1001' was erased at their request; a new account needs a new id.",
    },
    response_only=True,
    status_codes=["409"],
)
STOCK_INPUT_EXAMPLE = {"store": "DLR-X", "quantity": 3}
STOCK_CHANGE_EXAMPLE = {
    "sku": "TOY-COROLLA-24",
    "store": "DLR-X",
    "quantity": 3,
    "restocked": True,
    "back_in_stock_events": 41,
}
STOCK_BATCH_INPUT_EXAMPLE = {
    "levels": [
        {"sku": "TOY-COROLLA-24", "store": "DLR-X", "quantity": 3},
        {"sku": "TOY-YARIS-24", "store": "DLR-X", "quantity": 0},
    ]
}
STOCK_BATCH_OUTPUT_EXAMPLE = {
    "levels": [
        STOCK_CHANGE_EXAMPLE,
        {"sku": "TOY-YARIS-24", "store": "DLR-X", "quantity": 0, "restocked": False, "back_in_stock_events": 0},
    ]
}
PRODUCT_STOCK_EXAMPLE = {
    "sku": "TOY-COROLLA-24",
    "in_stock": True,
    "levels": [
        {"store": "DLR-X", "quantity": 3, "updated_at": "2026-11-27T09:30:00Z"},
        {"store": "DLR-Y", "quantity": 0, "updated_at": "2026-11-26T17:02:00Z"},
    ],
}
