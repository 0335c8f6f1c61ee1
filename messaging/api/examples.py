"""The OpenAPI examples of the messaging API: what the schema shows for each operation's request and answer."""

from drf_spectacular.utils import OpenApiExample

TEMPLATE = {
    "code": "winback_a",
    "name": "Win back (A)",
    "channel": "sms",
    "kind": "marketing",
    "translations": [
        {"language": "en", "body": "{{ customer.first_name }}, we miss you! {{ coupon.code }} gives 15% off."},
        {"language": "bn", "body": "{{ customer.first_name }}, আপনাকে মিস করছি! {{ coupon.code }} কোডে ১৫% ছাড়।"},
        {"language": "sw", "body": "{{ customer.first_name }}, tunakukumbuka! Tumia {{ coupon.code }} upate punguzo."},
    ],
}


TEMPLATE_SAVED = {
    "code": "winback_a",
    "name": "Win back (A)",
    "channel": "sms",
    "kind": "marketing",
    "topic": "marketing",
    "timing": {"send_window_start": "18:00", "send_window_end": "21:00", "send_after": "", "send_within_hours": None},
    "offer_product": None,
    "translations": [
        {
            "language": "bn",
            "subject": "",
            "preheader": "",
            "html": "",
            "text": "",
            "body": "{{ customer.first_name }}, আপনাকে মিস করছি! {{ coupon.code }} কোডে ১৫% ছাড়।",
        },
        {
            "language": "en",
            "subject": "",
            "preheader": "",
            "html": "",
            "text": "",
            "body": "{{ customer.first_name }}, we miss you! {{ coupon.code }} gives 15% off.",
        },
        {
            "language": "sw",
            "subject": "",
            "preheader": "",
            "html": "",
            "text": "",
            "body": "{{ customer.first_name }}, tunakukumbuka! Tumia {{ coupon.code }} upate punguzo.",
        },
    ],
    "created_at": "2026-11-02T08:30:12.481022Z",
    "updated_at": "2026-11-02T08:30:12.481040Z",
}
# An offer of one car: skipped (out_of_stock) for customers whose dealer has none left when it is sent; the
# loop lists what else they viewed lately that their dealer has.
TEMPLATE_OFFER = {
    "code": "corolla_on_the_lot",
    "name": "The Corolla is on the lot",
    "channel": "email",
    "kind": "marketing",
    "offer_product": "TOY-COROLLA-24",
    "translations": [
        {
            "language": "en",
            "subject": "{{ customer.first_name }}, the Corolla is at {{ store.name }}",
            "html": "<p>Come for a test drive.</p>{% if interested_in_stock %}<p>Also in stock for you:</p><ul>"
            "{% for product in interested_in_stock %}<li>{{ product.name }}: {{ product.price }} "
            "{{ product.currency }}</li>{% endfor %}</ul>{% endif %}",
        }
    ],
}
TEMPLATE_PATCH = {
    "name": "Win back (A, Eid)",
    "translations": [
        {"language": "bn", "body": "{{ customer.first_name }}, ঈদ মোবারক! {{ coupon.code }} কোডে ২০% ছাড়।"},
    ],
}
TEMPLATE_PATCHED = {
    **TEMPLATE_SAVED,
    "name": "Win back (A, Eid)",
    "translations": [
        {**TEMPLATE_SAVED["translations"][0], **TEMPLATE_PATCH["translations"][0]},
        *TEMPLATE_SAVED["translations"][1:],
    ],
    "updated_at": "2026-11-20T10:05:41.007315Z",
}
MESSAGE = {
    "id": 48112,
    "channel": "sms",
    "template": "winback_a",
    "campaign": 12,
    "journey": "",
    "variant": "A",
    "status": "delivered",
    "reason": "",
    "created_at": "2026-11-22T04:00:02.318204Z",
    "scheduled_for": "2026-11-22T04:00:02.318020Z",
    "sent_at": "2026-11-22T04:00:05.902113Z",
    "delivered_at": "2026-11-22T04:00:09Z",
    "opened_at": None,
    "clicked_at": None,
}
NOTIFICATION = {
    "id": 48230,
    "title": "ঈদ অফার",
    "body": "সব টিভিতে ১৫% ছাড়, শুধু এই সপ্তাহে।",
    "read": False,
    "sent_at": "2026-11-22T04:10:31.554870Z",
}

TEMPLATE_INPUT = OpenApiExample("SMS in three languages", TEMPLATE, request_only=True)
TEMPLATE_OFFER_INPUT = OpenApiExample("An offer of a car in stock", TEMPLATE_OFFER, request_only=True)
TEMPLATE_OUTPUT = OpenApiExample("SMS in three languages", TEMPLATE_SAVED, response_only=True)
TEMPLATE_LIST_OUTPUT = OpenApiExample("A page of templates", TEMPLATE_SAVED, response_only=True)
TEMPLATE_PATCH_INPUT = OpenApiExample("New Bengali text for Eid", TEMPLATE_PATCH, request_only=True)
TEMPLATE_PATCHED_OUTPUT = OpenApiExample(
    "Bengali replaced, English and Swahili kept", TEMPLATE_PATCHED, response_only=True
)
MESSAGE_LIST_OUTPUT = OpenApiExample("A page of messages", MESSAGE, response_only=True)
NOTIFICATION_LIST_OUTPUT = OpenApiExample("A page of notifications", NOTIFICATION, response_only=True)
NOTIFICATION_READ_OUTPUT = OpenApiExample("Read", {**NOTIFICATION, "read": True}, response_only=True)
SMS_TEXT_INPUT = OpenApiExample("Bengali", {"text": "আপনার জন্য ১৫% ছাড়"}, request_only=True)
