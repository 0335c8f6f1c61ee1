"""The ready-made journeys (off by default, editable) and their SMS/WhatsApp templates in English, Bengali
and Swahili. A journey or template whose code already exists is left as the operator has it."""

import datetime

from django.db import migrations

OPT_OUT = {"en": "Reply STOP to opt out.", "sw": "Tuma ACHA kujiondoa.", "bn": "বন্ধ করতে 'বন্ধ' লিখে পাঠান।"}
NAME = "{% if customer.first_name %} {{ customer.first_name }}{% endif %}"

# code: (name, {language: body without the opt-out line})
TEMPLATES = {
    "journey_welcome_1": (
        "Welcome 1: hello",
        {
            "en": f"Welcome{NAME}! Thank you for joining us. We will only write when it is worth it.",
            "bn": f"স্বাগতম{NAME}! আমাদের সাথে যোগ দেওয়ার জন্য ধন্যবাদ। দরকারি কিছু থাকলেই আমরা লিখব।",
            "sw": f"Karibu{NAME}! Asante kwa kujiunga nasi. Tutakuandikia tu pale inapofaa.",
        },
    ),
    "journey_welcome_2": (
        "Welcome 2: what we offer",
        {
            "en": f"Hi{NAME}, discover our best sellers this week in store and online.",
            "bn": f"হ্যালো{NAME}, এই সপ্তাহের সবচেয়ে জনপ্রিয় পণ্যগুলো দেখুন, দোকানে ও অনলাইনে।",
            "sw": f"Habari{NAME}, gundua bidhaa zetu zinazouzwa zaidi wiki hii dukani na mtandaoni.",
        },
    ),
    "journey_cart_1h": (
        "Abandoned cart: 1 hour reminder",
        {
            "en": f"{NAME} you left something in your cart. It is still waiting for you.",
            "bn": f"{NAME} আপনার কার্টে কিছু পণ্য রয়ে গেছে। সেগুলো এখনও আপনার অপেক্ষায়।",
            "sw": f"{NAME} umeacha bidhaa kwenye kikapu chako. Bado zinakusubiri.",
        },
    ),
    "journey_cart_24h": (
        "Abandoned cart: 24 hours, with a coupon",
        {
            "en": f"Still thinking{NAME}? Finish your order with code {{{{ coupon.code }}}} for 10% off.",
            "bn": f"এখনও ভাবছেন{NAME}? {{{{ coupon.code }}}} কোডে ১০% ছাড়ে অর্ডারটি সম্পূর্ণ করুন।",
            "sw": f"Bado unafikiria{NAME}? Kamilisha oda yako kwa msimbo {{{{ coupon.code }}}} upate punguzo la 10%.",
        },
    ),
    "journey_cart_72h": (
        "Abandoned cart: 72 hours, last call",
        {
            "en": f"Last call{NAME}: your cart and your code {{{{ coupon.code }}}} expire soon.",
            "bn": f"শেষ সুযোগ{NAME}: আপনার কার্ট ও কোড শীঘ্রই মেয়াদোত্তীর্ণ হবে।",
            "sw": f"Nafasi ya mwisho{NAME}: kikapu chako na msimbo wako vinaisha muda hivi karibuni.",
        },
    ),
    "journey_birthday": (
        "Birthday: a gift three days ahead",
        {
            "en": f"Happy birthday in advance{NAME}! Here is a gift: code {{{{ coupon.code }}}} for 15% off.",
            "bn": f"অগ্রিম শুভ জন্মদিন{NAME}! আপনার জন্য উপহার: {{{{ coupon.code }}}} কোডে ১৫% ছাড়।",
            "sw": f"Heri ya siku ya kuzaliwa mapema{NAME}! Zawadi yako: msimbo {{{{ coupon.code }}}} kwa punguzo la 15%.",
        },
    ),
    "journey_win_back": (
        "Win back: we miss you",
        {
            "en": f"We miss you{NAME}! Come back with code {{{{ coupon.code }}}} for 20% off.",
            "bn": f"আমরা আপনাকে মিস করছি{NAME}! {{{{ coupon.code }}}} কোডে ২০% ছাড়ে ফিরে আসুন।",
            "sw": f"Tunakukumbuka{NAME}! Rudi kwa msimbo {{{{ coupon.code }}}} upate punguzo la 20%.",
        },
    ),
}

HOUR = datetime.timedelta(hours=1)
TEN = datetime.time(10)

# code: name, description, version fields, steps [(kind, fields, [template codes in fallback order])]
JOURNEYS = {
    "welcome": (
        "Welcome series",
        "On sign-up: a hello now, what we offer two days later at 10:00 local time. Goal: a first order in 14 days.",
        {"trigger": "event", "event_type": "signed_up", "reentry": "once", "goal_event_type": "order_placed",
         "goal_window_days": 14},
        [
            ("send", {}, ["journey_welcome_1"]),
            ("wait", {"wait": 48 * HOUR}, []),
            ("wait_until", {"local_time": TEN}, []),
            ("send", {}, ["journey_welcome_2"]),
        ],
    ),
    "abandoned_cart": (
        "Abandoned cart",
        "On cart_updated, once per cart: reminders after 1 h, 24 h (with a unique 10% code) and 72 h, on WhatsApp "
        "falling back to SMS. Goal: the order of that cart (its attribution's cart_id) within 7 days.",
        {"trigger": "event", "event_type": "cart_updated", "key_property": "cart_id", "reentry": "per_key",
         "goal_event_type": "order_placed", "goal_matches_key": True, "goal_window_days": 7},
        [
            ("wait", {"wait": HOUR}, []),
            ("send", {}, ["journey_cart_1h_whatsapp", "journey_cart_1h"]),
            ("wait", {"wait": 23 * HOUR}, []),
            ("send", {"coupon_percent": 10}, ["journey_cart_24h_whatsapp", "journey_cart_24h"]),
            ("wait", {"wait": 48 * HOUR}, []),
            ("send", {}, ["journey_cart_72h_whatsapp", "journey_cart_72h"]),
        ],
    ),
    "birthday": (
        "Birthday",
        "Three days before the birthday (once a year): a 15% gift code at 10:00 local time. Goal: an order in 7 days.",
        {"trigger": "date", "date_field": "birth_date", "offset_days": -3, "reentry": "per_key",
         "goal_event_type": "order_placed", "goal_window_days": 7},
        [
            ("wait_until", {"local_time": TEN}, []),
            ("send", {"coupon_percent": 15}, ["journey_birthday"]),
        ],
    ),
    "win_back": (
        "Win back",
        "On entering inactive_90d (at most every 90 days): a 20% code at 10:00 local time. Goal: an order in 14 days.",
        {"trigger": "segment_entered", "segment": "inactive_90d", "reentry": "cooldown", "cooldown_days": 90,
         "goal_event_type": "order_placed", "goal_window_days": 14},
        [
            ("wait_until", {"local_time": TEN}, []),
            ("send", {"coupon_percent": 20}, ["journey_win_back"]),
        ],
    ),
}  # fmt: skip


def install_ready_made_journeys(apps, schema_editor):
    Template = apps.get_model("messaging", "Template")
    TemplateTranslation = apps.get_model("messaging", "TemplateTranslation")
    Segment = apps.get_model("audiences", "Segment")
    Journey = apps.get_model("campaigns", "Journey")
    JourneyVersion = apps.get_model("campaigns", "JourneyVersion")
    JourneyStep = apps.get_model("campaigns", "JourneyStep")
    JourneyStepTemplate = apps.get_model("campaigns", "JourneyStepTemplate")

    for code, (name, bodies) in TEMPLATES.items():
        for channel, suffix in (("sms", ""), ("whatsapp", "_whatsapp")):
            if channel == "whatsapp" and not code.startswith("journey_cart"):
                continue
            template, created = Template.objects.get_or_create(
                code=code + suffix, defaults={"name": f"{name} ({channel})", "channel": channel, "kind": "marketing"}
            )
            if created:
                TemplateTranslation.objects.bulk_create(
                    TemplateTranslation(template=template, language=language, body=f"{body} {OPT_OUT[language]}")
                    for language, body in bodies.items()
                )
    now = datetime.datetime.now(datetime.UTC)
    for code, (name, description, fields, steps) in JOURNEYS.items():
        if Journey.objects.filter(code=code).exists():
            continue
        journey = Journey.objects.create(code=code, name=name, description=description, predefined=True)
        fields = dict(fields)
        if "segment" in fields:
            fields["segment"] = Segment.objects.filter(code=fields["segment"]).first()
            if fields["segment"] is None:
                continue
        version = JourneyVersion.objects.create(journey=journey, number=1, published_at=now, **fields)
        for position, (kind, step_fields, templates) in enumerate(steps, start=1):
            step = JourneyStep.objects.create(version=version, position=position, kind=kind, **step_fields)
            for order, template_code in enumerate(templates, start=1):
                JourneyStepTemplate.objects.create(
                    step=step, template=Template.objects.get(code=template_code), order=order
                )


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_journeys"),
        ("audiences", "0010_records_have_no_delete_permission"),
        ("messaging", "0004_records_have_no_delete_permission"),
    ]

    operations = [migrations.RunPython(install_ready_made_journeys, migrations.RunPython.noop)]
