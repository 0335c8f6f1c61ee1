"""The rest of the ready-made journeys (off by default, editable): post_purchase, vip_reward,
milestone_10th_order, complaint_recovery, service_reminder, frequency_drop, spend_decrease, re_engagement,
with their templates in English, Bengali and Swahili. A journey or template whose code already exists is
left as the operator has it."""

import datetime

from django.db import migrations

OPT_OUT = {"en": "Reply STOP to opt out.", "sw": "Tuma ACHA kujiondoa.", "bn": "বন্ধ করতে 'বন্ধ' লিখে পাঠান।"}
NAME = "{% if customer.first_name %} {{ customer.first_name }}{% endif %}"
CODE = "{{ coupon.code }}"

# code: (name, channels, {language: body without the opt-out line})
TEMPLATES = {
    "journey_post_purchase_thanks": (
        "Post-purchase 1: thank you",
        ("sms",),
        {
            "en": f"Thank you for your order{NAME}! We hope you enjoy it.",
            "bn": f"আপনার অর্ডারের জন্য ধন্যবাদ{NAME}! আশা করি পণ্যটি আপনার ভালো লাগবে।",
            "sw": f"Asante kwa oda yako{NAME}! Tunatumaini utaifurahia.",
        },
    ),
    "journey_post_purchase_review": (
        "Post-purchase 2: a review",
        ("sms",),
        {
            "en": f"How was your purchase{NAME}? Tell us in a short review: it helps other shoppers.",
            "bn": f"আপনার কেনাকাটা কেমন লাগল{NAME}? একটি ছোট রিভিউ লিখে জানান, এতে অন্য ক্রেতারাও উপকৃত হন।",
            "sw": f"Ununuzi wako ulikuwaje{NAME}? Tuambie kwa maoni mafupi: yanasaidia wanunuzi wengine.",
        },
    ),
    "journey_post_purchase_cross_sell": (
        "Post-purchase 3: what goes with it",
        ("sms",),
        {
            "en": f"Hi{NAME}, customers who bought what you chose also like these picks. Have a look in store or "
            "online.",
            "bn": f"হ্যালো{NAME}, আপনার কেনা পণ্যের সাথে অন্য ক্রেতারা এগুলোও পছন্দ করেন। দোকানে বা অনলাইনে দেখে নিন।",
            "sw": f"Habari{NAME}, wateja walionunua ulichochagua pia wanapenda bidhaa hizi. Angalia dukani au "
            "mtandaoni.",
        },
    ),
    "journey_vip_reward": (
        "VIP: welcome among our best customers",
        ("sms",),
        {
            "en": f"You are now one of our VIPs{NAME}! Thank you. Enjoy 15% off with code {CODE}.",
            "bn": f"আপনি এখন আমাদের ভিআইপি গ্রাহক{NAME}! ধন্যবাদ। {CODE} কোডে ১৫% ছাড় উপভোগ করুন।",
            "sw": f"Sasa wewe ni mmoja wa wateja wetu maalum (VIP){NAME}! Asante. Furahia punguzo la 15% kwa msimbo "
            f"{CODE}.",
        },
    ),
    "journey_milestone_10th": (
        "10th order: a thank-you gift",
        ("sms",),
        {
            "en": f"That was your 10th order{NAME}! To say thank you: 20% off your next one with code {CODE}.",
            "bn": f"এটি ছিল আপনার ১০ম অর্ডার{NAME}! ধন্যবাদ জানাতে পরের অর্ডারে {CODE} কোডে ২০% ছাড়।",
            "sw": f"Hiyo ilikuwa oda yako ya 10{NAME}! Kama shukrani: punguzo la 20% kwenye oda ijayo kwa msimbo "
            f"{CODE}.",
        },
    ),
    "journey_complaint_apology": (
        "Complaint recovery: an apology and an offer",
        ("whatsapp", "sms"),
        {
            "en": f"We are sorry for the trouble{NAME}. Thank you for your patience: 25% off your next order with "
            f"code {CODE}.",
            "bn": f"অসুবিধার জন্য আমরা দুঃখিত{NAME}। ধৈর্য ধরার জন্য ধন্যবাদ: পরের অর্ডারে {CODE} কোডে ২৫% ছাড়।",
            "sw": f"Samahani kwa usumbufu{NAME}. Asante kwa uvumilivu wako: punguzo la 25% kwenye oda ijayo kwa "
            f"msimbo {CODE}.",
        },
    ),
    "journey_service_due_14": (
        "Service reminder: due in two weeks",
        ("sms",),
        {
            "en": f"Hi{NAME}, your vehicle's service is due in two weeks. Book a slot at your store.",
            "bn": f"হ্যালো{NAME}, দুই সপ্তাহ পরে আপনার গাড়ির সার্ভিসের সময়। আপনার দোকানে একটি সময় বুক করুন।",
            "sw": f"Habari{NAME}, huduma ya gari lako inahitajika baada ya wiki mbili. Weka nafasi kwenye duka lako.",
        },
    ),
    "journey_service_due_3": (
        "Service reminder: due in three days",
        ("sms",),
        {
            "en": f"Reminder{NAME}: your vehicle's service is due in 3 days.",
            "bn": f"মনে করিয়ে দিচ্ছি{NAME}: ৩ দিন পরে আপনার গাড়ির সার্ভিসের সময়।",
            "sw": f"Kikumbusho{NAME}: huduma ya gari lako inahitajika baada ya siku 3.",
        },
    ),
    "journey_service_overdue": (
        "Service reminder: a week overdue",
        ("sms",),
        {
            "en": f"Hi{NAME}, your vehicle's service is a week overdue. Book now to keep your warranty.",
            "bn": f"হ্যালো{NAME}, আপনার গাড়ির সার্ভিস এক সপ্তাহ পেরিয়ে গেছে। ওয়ারেন্টি বজায় রাখতে এখনই বুক করুন।",
            "sw": f"Habari{NAME}, huduma ya gari lako imechelewa kwa wiki moja. Weka nafasi sasa ili kulinda "
            "dhamana yako.",
        },
    ),
    "journey_frequency_drop": (
        "Frequency drop: we have not seen you",
        ("sms",),
        {
            "en": f"We have not seen you for a while{NAME}. Here is 10% off your next order: code {CODE}.",
            "bn": f"অনেক দিন আপনাকে দেখিনি{NAME}। পরের অর্ডারে ১০% ছাড়: কোড {CODE}।",
            "sw": f"Hatujakuona kwa muda{NAME}. Punguzo la 10% kwenye oda yako ijayo: msimbo {CODE}.",
        },
    ),
    "journey_spend_decrease": (
        "Spend decrease: something for you",
        ("sms",),
        {
            "en": f"Something for you{NAME}: 10% off your next order with code {CODE}.",
            "bn": f"আপনার জন্য বিশেষ কিছু{NAME}: পরের অর্ডারে {CODE} কোডে ১০% ছাড়।",
            "sw": f"Kitu maalum kwako{NAME}: punguzo la 10% kwenye oda ijayo kwa msimbo {CODE}.",
        },
    ),
    "journey_re_engagement": (
        "Re-engagement: what is new",
        ("whatsapp", "sms"),
        {
            "en": f"Hi{NAME}, it has been a while. See what is new this month in store and online.",
            "bn": f"হ্যালো{NAME}, অনেক দিন হয়ে গেল। এই মাসে নতুন কী এসেছে, দোকানে ও অনলাইনে দেখে নিন।",
            "sw": f"Habari{NAME}, ni muda sasa. Angalia kilichopya mwezi huu dukani na mtandaoni.",
        },
    ),
}

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
TEN = datetime.time(10)
ORDER_GOAL = {"goal_event_type": "order_placed"}

# code: name, description, version fields, steps [(kind, fields, [template codes in fallback order])]
JOURNEYS = {
    "post_purchase": (
        "Post-purchase",
        "On each order (at most once in 30 days): a thank-you an hour later, a review request a week later and "
        "what goes with it two weeks later, at 10:00 local time. Goal: the next order within 30 days.",
        {"trigger": "event", "event_type": "order_placed", "key_property": "order", "reentry": "cooldown",
         "cooldown_days": 30, **ORDER_GOAL, "goal_window_days": 30},
        [
            ("wait", {"wait": HOUR}, []),
            ("send", {}, ["journey_post_purchase_thanks"]),
            ("wait", {"wait": 7 * DAY}, []),
            ("wait_until", {"local_time": TEN}, []),
            ("send", {}, ["journey_post_purchase_review"]),
            ("wait", {"wait": 7 * DAY}, []),
            ("wait_until", {"local_time": TEN}, []),
            ("send", {}, ["journey_post_purchase_cross_sell"]),
        ],
    ),
    "vip_reward": (
        "VIP reward",
        "On entering high_value (once): marks the customer vip_since today and records vip_welcomed, then a 15% "
        "code at 10:00 local time. Goal: an order in 30 days.",
        {"trigger": "segment_entered", "segment": "high_value", "reentry": "once", **ORDER_GOAL,
         "goal_window_days": 30},
        [
            ("update_customer", {"attribute_name": "vip_since", "attribute_value": "$today",
                                 "record_event_type": "vip_welcomed"}, []),
            ("wait_until", {"local_time": TEN}, []),
            ("send", {"coupon_percent": 15}, ["journey_vip_reward"]),
        ],
    ),
    "milestone_10th_order": (
        "10th order milestone",
        "On the customer's 10th order (or visit, in food and beverage): a thank-you with a 20% code an hour later. "
        "Goal: an order in 30 days.",
        {"trigger": "nth_order", "order_number": 10, "reentry": "per_key", **ORDER_GOAL, "goal_window_days": 30},
        [
            ("wait", {"wait": HOUR}, []),
            ("send", {"coupon_percent": 20}, ["journey_milestone_10th"]),
        ],
    ),
    "complaint_recovery": (
        "Complaint recovery",
        "On complaint_resolved (once per complaint_id): the store's manager is emailed at once with a 2-hour "
        "service target; unless the complaint is reopened within the hour, an apology with a 25% code on WhatsApp, "
        "then SMS when not read within 24 h. Goal: an order in 30 days.",
        {"trigger": "event", "event_type": "complaint_resolved", "key_property": "complaint_id",
         "reentry": "per_key", **ORDER_GOAL, "goal_window_days": 30},
        [
            ("notify_staff", {"staff_subject": "Complaint resolved: call the customer to make it right",
                              "service_target": 2 * HOUR}, []),
            ("wait_event", {"wait_event_type": "complaint_reopened", "wait_matches_key": True, "wait": HOUR,
                            "on_event": "exit"}, []),
            ("send", {"coupon_percent": 25, "fallback_after": 24 * HOUR},
             ["journey_complaint_apology_whatsapp", "journey_complaint_apology"]),
        ],
    ),
    "service_reminder": (
        "Vehicle service reminder",
        "From the customer's attributes.next_service_due (once per due date): reminders 14 and 3 days before at "
        "10:00 local time, and 7 days after when no service_booked came. Goal: service_booked within 30 days.",
        {"trigger": "date", "date_field": "attributes.next_service_due", "offset_days": -14, "reentry": "per_key",
         "goal_event_type": "service_booked", "goal_window_days": 30},
        [
            ("wait_until", {"local_time": TEN}, []),
            ("send", {}, ["journey_service_due_14"]),
            ("wait", {"wait": 11 * DAY}, []),
            ("send", {}, ["journey_service_due_3"]),
            ("wait", {"wait": 10 * DAY}, []),
            ("send", {}, ["journey_service_overdue"]),
        ],
    ),
    "frequency_drop": (
        "Purchase frequency drop",
        "Daily: a customer whose time since the last order passes twice their median gap between orders (once "
        "per lapse) gets a 10% code at 10:00 local time. Goal: an order in 14 days.",
        {"trigger": "frequency_drop", "gap_factor": 2, "reentry": "per_key", **ORDER_GOAL, "goal_window_days": 14},
        [
            ("wait_until", {"local_time": TEN}, []),
            ("send", {"coupon_percent": 10}, ["journey_frequency_drop"]),
        ],
    ),
    "spend_decrease": (
        "Spend decrease",
        "Daily: a customer whose last 90 days' spend is 30% or more below the 90 days before (once per 90-day "
        "period) gets a 10% code at 10:00 local time. Goal: an order in 14 days.",
        {"trigger": "spend_decrease", "spend_drop_percent": 30, "reentry": "per_key", **ORDER_GOAL,
         "goal_window_days": 14},
        [
            ("wait_until", {"local_time": TEN}, []),
            ("send", {"coupon_percent": 10}, ["journey_spend_decrease"]),
        ],
    ),
    "re_engagement": (
        "Re-engagement",
        "Daily: a customer messaged but with no open or click in 90 days (once per 90 days) gets what is new on "
        "WhatsApp at 10:00 local time, then SMS when not read within 48 h. Goal: a click within 14 days.",
        {"trigger": "no_engagement", "lapsed_days": 90, "reentry": "per_key", "goal_event_type": "message_clicked",
         "goal_window_days": 14},
        [
            ("wait_until", {"local_time": TEN}, []),
            ("send", {"fallback_after": 48 * HOUR}, ["journey_re_engagement_whatsapp", "journey_re_engagement"]),
        ],
    ),
}  # fmt: skip


def install_more_ready_made_journeys(apps, schema_editor):
    Template = apps.get_model("messaging", "Template")
    TemplateTranslation = apps.get_model("messaging", "TemplateTranslation")
    Segment = apps.get_model("audiences", "Segment")
    Journey = apps.get_model("campaigns", "Journey")
    JourneyVersion = apps.get_model("campaigns", "JourneyVersion")
    JourneyStep = apps.get_model("campaigns", "JourneyStep")
    JourneyStepTemplate = apps.get_model("campaigns", "JourneyStepTemplate")

    for code, (name, channels, bodies) in TEMPLATES.items():
        for channel in channels:
            suffix = "_whatsapp" if channel == "whatsapp" else ""
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
        fields = dict(fields)
        if "segment" in fields:
            fields["segment"] = Segment.objects.filter(code=fields["segment"]).first()
            if fields["segment"] is None:
                continue
        if Journey.objects.filter(code=code).exists():
            continue
        journey = Journey.objects.create(code=code, name=name, description=description, predefined=True)
        version = JourneyVersion.objects.create(journey=journey, number=1, published_at=now, **fields)
        for position, (kind, step_fields, templates) in enumerate(steps, start=1):
            step = JourneyStep.objects.create(version=version, position=position, kind=kind, **step_fields)
            for order, template_code in enumerate(templates, start=1):
                JourneyStepTemplate.objects.create(
                    step=step, template=Template.objects.get(code=template_code), order=order
                )


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0007_journey_triggers_and_step_kinds"),
        ("audiences", "0010_records_have_no_delete_permission"),
        ("messaging", "0004_records_have_no_delete_permission"),
    ]

    operations = [migrations.RunPython(install_more_ready_made_journeys, migrations.RunPython.noop)]
