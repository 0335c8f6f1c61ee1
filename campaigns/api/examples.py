"""OpenAPI examples of the campaigns API (the contract's own example first)."""

from drf_spectacular.utils import OpenApiExample

CAMPAIGN_INPUT = {
    "name": "Win back Dhaka",
    "objective": "reactivation",
    "type": "broadcast",
    "audience": {"include": ["inactive_90d"], "exclude": ["complaint"]},
    "stores": ["DHK-01"],
    "channels": ["sms", "email"],
    "promotion": 12,
    "budget": "20000.00",
    "starts_at": "2026-12-01T10:00:00+06:00",
    "ends_at": "2026-12-31T23:59:00+06:00",
    "holdout_percent": 10,
    "variants": [
        {"name": "A", "template": "winback_a", "weight": 50},
        {"name": "B", "template": "winback_b", "weight": 50},
    ],
}

CAMPAIGN_OUTPUT = {
    "id": 7,
    "name": "Win back Dhaka",
    "objective": "reactivation",
    "type": "broadcast",
    "status": "running",
    "allowed_actions": ["pause", "complete"],
    "audience": {"include": ["inactive_90d"], "exclude": ["complaint"], "consent_topic": "marketing"},
    "stores": ["DHK-01"],
    "store_match": "home",
    "channels": ["email", "sms"],
    "promotions": [12],
    "starts_at": "2026-12-01T10:00:00+06:00",
    "ends_at": "2026-12-31T23:59:00+06:00",
    "send_mode": "at_time",
    "best_hour_from": "09:00",
    "best_hour_to": "21:00",
    "best_hour_explore_percent": "10.00",
    "best_hour_control_percent": "10.00",
    "holdout_percent": "10.00",
    "coupon_pattern": "WB-####-####",
    "currency": "BDT",
    "budget": "20000.00",
    "budget_alert_percent": 80,
    "prices": {"email": "0.10", "sms_segment": "0.35", "whatsapp": "0.80"},
    "sending_cost": "3120.45",
    "requires_approval": True,
    "approved_at": "2026-11-28T16:02:00+06:00",
    "approved_by": "head_of_marketing",
    "variants": [
        {"name": "A", "weight": 50, "template": "winback_a", "promotion": 12},
        {"name": "B", "weight": 50, "template": "winback_b", "promotion": 12},
    ],
    "progress": {
        "frozen": 42000,
        "holdout": 4187,
        "queued": 31254,
        "skipped": {"no_consent": 6120, "frequency_cap": 439},
        "launch_started_at": "2026-12-01T10:00:03+06:00",
        "launch_finished_at": "2026-12-01T10:00:41+06:00",
    },
    "created_at": "2026-11-28T15:40:00+06:00",
    "updated_at": "2026-12-01T10:00:41+06:00",
}

RESULTS_OUTPUT = {
    "status": "running",
    "model": "last_touch",
    "metric": "conversion",
    "audience_size": 42000,
    "holdout_size": 4187,
    "frozen": 42000,
    "queued": 31254,
    "sent": 30988,
    "delivered": 30410,
    "opened": 0,
    "clicked": 2480,
    "skipped": {"no_consent": 6120, "frequency_cap": 439, "suppressed": 12},
    "converted": 1366,
    "conversions": "1402",
    "revenue": "2104500.00",
    "currency": "BDT",
    "sending_cost": "3120.45",
    "discount_cost": "18250.00",
    "leads": 41,
    "won_leads": 3,
    "won_lead_value": "7500000.00",
    "won_lead_revenue": "5000000.00",
    "roi": "331.4450",
    "launch_started_at": "2026-12-01T10:00:03+06:00",
    "launch_finished_at": "2026-12-01T10:00:41+06:00",
    "variants": [
        {"name": "A", "weight": 50, "recipients": 18920, "queued": 15640, "sent": 15502, "delivered": 15214,
         "opened": 0, "clicked": 1190, "skipped": 3280, "converted": 610, "conversions": "626",
         "conversion_rate": 0.03224, "revenue": "939000.00", "discount_cost": "8150.00", "sending_cost": "1561.25",
         "roi": "95.6924"},
        {"name": "B", "weight": 50, "recipients": 18893, "queued": 15614, "sent": 15486, "delivered": 15196,
         "opened": 0, "clicked": 1290, "skipped": 3279, "converted": 756, "conversions": "776",
         "conversion_rate": 0.04001, "revenue": "1165500.00", "discount_cost": "10100.00", "sending_cost": "1559.20",
         "roi": "98.9625"},
    ],
    "holdout": {
        "recipients": 4187,
        "would_skip": 742,
        "would_skip_by_reason": {"no_consent": 694, "frequency_cap": 48},
    },
    "winner": {"variant": "B", "confidence": 0.9999},
    "decision": {"metric": "conversion", "reason": "winner", "message": "B converts best (p < 0.001).",
                 "rates": {"A": 0.03224, "B": 0.04001}, "sample_ratio_p_value": 0.89, "sample_ratio_mismatch": False},
    "lift": {"treatment_rate": 0.0512, "control_rate": 0.0401, "absolute": 0.0111, "relative": 0.2768,
             "ci_low": 0.0043, "ci_high": 0.0179, "p_value": 0.0016, "incremental": 419.7,
             "incremental_ci_low": 162.6, "incremental_ci_high": 676.8,
             "revenue": {"treatment_per_recipient": "61.20", "control_per_recipient": "48.90", "absolute": "12.30",
                         "ci_low": "4.10", "ci_high": "20.50", "p_value": 0.0033, "incremental": "465099.90",
                         "incremental_ci_low": "155033.30", "incremental_ci_high": "775166.50"}},
    "lift_status": {"measurable": True, "status": "measured", "treated_recipients": 37813, "holdout_recipients": 4187,
                    "message": "Against the holdout the campaign added +1.11 points of conversion rate and +12.30 "
                    "revenue per recipient."},
    "daily": [
        {"date": "2026-12-01", "sent": 30988, "clicked": 1710, "conversions": "802", "revenue": "1203000.00"},
        {"date": "2026-12-02", "sent": 0, "clicked": 770, "conversions": "600", "revenue": "901500.00"},
    ],
    "send_times": [],
}  # fmt: skip

CREATE_EXAMPLES = [
    OpenApiExample("Win back Dhaka (A/B with a 10% holdout)", CAMPAIGN_INPUT, request_only=True),
    OpenApiExample("The campaign", CAMPAIGN_OUTPUT, response_only=True),
]
PATCH_EXAMPLES = [
    OpenApiExample("Raise the budget", {"budget": "25000.00"}, request_only=True),
    OpenApiExample("Move the start", {"starts_at": "2026-12-02T10:00:00+06:00"}, request_only=True),
    OpenApiExample("The campaign", CAMPAIGN_OUTPUT, response_only=True),
]
READ_EXAMPLES = [OpenApiExample("The campaign", CAMPAIGN_OUTPUT, response_only=True)]
RESULTS_EXAMPLES = [OpenApiExample("Running, launch finished", RESULTS_OUTPUT, response_only=True)]
RESULTS_CSV_EXAMPLES = [
    OpenApiExample(
        "Two variants and the total",
        "variant,recipients,sent,delivered,opened,clicked,customers_converted,attributed_orders,conversion_rate,revenue,"
        "discount_cost,sending_cost,roi,currency,model,won_leads,won_lead_value,won_lead_revenue\n"
        "A,18920,15502,15214,0,1190,610,626,0.032241,939000.00,8150.00,1561.25,95.6924,BDT,last_touch,,,\n"
        "B,18893,15486,15196,0,1290,756,776,0.040015,1165500.00,10100.00,1559.20,98.9625,BDT,last_touch,,,\n"
        "total,37813,30988,30410,0,2480,1366,1402,0.036125,2104500.00,18250.00,3120.45,331.4450,BDT,last_touch,"
        "3,7500000.00,5000000.00\n",
        response_only=True,
        media_type="text/csv",
    )
]
CONFLICT_EXAMPLE = OpenApiExample(
    "Not from this status",
    {
        "code": "transition_not_allowed",
        "message": "A campaign cannot pause while it is draft (only from running).",
        "status": "draft",
        "action": "pause",
    },
    response_only=True,
    status_codes=["409"],
)

LEAD_INPUT = {
    "customer": "C-1001",
    "external_id": "DMS-5521",
    "interest": "Corolla Cross Hybrid",
    "vehicle_vin": "JTDKBRFU9J3059307",
    "store": "DLR-X",
    "value": "4850000.00",
    "currency": "BDT",
    "note": "Wants a test drive on Saturday.",
}
LEAD_NEW_OUTPUT = {
    "id": 57,
    "external_id": "DMS-5521",
    "customer": "C-1001",
    "source": {"type": "campaign", "campaign": 12, "journey": None, "message": 90412},
    "product": None,
    "vehicle_vin": "JTDKBRFU9J3059307",
    "interest": "Corolla Cross Hybrid",
    "store": "DLR-X",
    "status": "new",
    "lost_reason": "",
    "value": "4850000.00",
    "currency": "BDT",
    "order": None,
    "owner": None,
    "note": "Wants a test drive on Saturday.",
    "created_at": "2026-12-03T15:20:00+06:00",
    "contacted_at": None,
    "test_drive_at": None,
    "won_at": None,
    "lost_at": None,
}
LEAD_WON_INPUT = {"status": "won", "value": "4790000.00", "order": "O-9921", "owner": "rahim"}
LEAD_OUTPUT = {
    **LEAD_NEW_OUTPUT,
    "status": "won",
    "value": "4790000.00",
    "order": "O-9921",
    "owner": "rahim",
    "contacted_at": "2026-12-03T17:02:00+06:00",
    "test_drive_at": "2026-12-06T11:00:00+06:00",
    "won_at": "2026-12-09T16:45:00+06:00",
}
LEAD_CONFLICT = OpenApiExample(
    "Not a move the pipeline allows",
    {
        "code": "invalid_transition",
        "message": "A lead that is won cannot become contacted; it may become: nothing (it is final).",
        "status": "won",
    },
    response_only=True,
    status_codes=["409"],
)
