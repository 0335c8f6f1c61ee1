"""Service and warranty reminders on the vehicles' own dates (issue #20): the ready-made service reminder reads an
owned vehicle's next_service_due (it read the customer's attributes.next_service_due) when nobody has entered it
yet, and a new ready-made warranty_ending journey (off by default, editable) reminds 30 and 7 days before a
vehicle's warranty ends, in English, Bengali and Swahili. A journey or template whose code exists is left as the
operator has it."""

import datetime

from django.db import migrations, models

OPT_OUT = {"en": "Reply STOP to opt out.", "sw": "Tuma ACHA kujiondoa.", "bn": "বন্ধ করতে 'বন্ধ' লিখে পাঠান।"}
NAME = "{% if customer.first_name %} {{ customer.first_name }}{% endif %}"
DAY = datetime.timedelta(days=1)
TEN = datetime.time(10)

TEMPLATES = {
    "journey_warranty_ending_30": (
        "Warranty ending: a month left",
        {
            "en": f"Hi{NAME}, your vehicle's warranty ends in 30 days. Book a check-up at your dealer while it "
            "still covers the repairs.",
            "bn": f"হ্যালো{NAME}, ৩০ দিন পরে আপনার গাড়ির ওয়ারেন্টি শেষ হবে। ওয়ারেন্টি থাকতেই আপনার ডিলারের কাছে একটি চেক-আপ বুক করুন।",
            "sw": f"Habari{NAME}, dhamana ya gari lako inaisha baada ya siku 30. Weka nafasi ya ukaguzi kwa muuzaji "
            "wako wakati bado inalipia matengenezo.",
        },
    ),
    "journey_warranty_ending_7": (
        "Warranty ending: a week left",
        {
            "en": f"Reminder{NAME}: your vehicle's warranty ends in 7 days. Ask your dealer about an extended "
            "warranty.",
            "bn": f"মনে করিয়ে দিচ্ছি{NAME}: ৭ দিন পরে আপনার গাড়ির ওয়ারেন্টি শেষ হবে। বর্ধিত ওয়ারেন্টির জন্য আপনার ডিলারকে জিজ্ঞাসা করুন।",
            "sw": f"Kikumbusho{NAME}: dhamana ya gari lako inaisha baada ya siku 7. Muulize muuzaji wako kuhusu "
            "dhamana ya ziada.",
        },
    ),
}

WARRANTY_ENDING = (
    "Vehicle warranty ending",
    "From an owned vehicle's warranty end (once per vehicle and date): reminders 30 and 7 days before at 10:00 "
    "local time. Goal: service_booked within 30 days.",
    {"trigger": "date", "date_field": "vehicle.warranty_ends", "offset_days": -30, "reentry": "per_key",
     "goal_event_type": "service_booked", "goal_window_days": 30},
    [
        ("wait_until", {"local_time": TEN}, []),
        ("send", {}, ["journey_warranty_ending_30"]),
        ("wait", {"wait": 23 * DAY}, []),
        ("send", {}, ["journey_warranty_ending_7"]),
    ],
)  # fmt: skip


def install_vehicle_date_reminders(apps, schema_editor):
    Template = apps.get_model("messaging", "Template")
    TemplateTranslation = apps.get_model("messaging", "TemplateTranslation")
    Journey = apps.get_model("campaigns", "Journey")
    JourneyVersion = apps.get_model("campaigns", "JourneyVersion")
    JourneyStep = apps.get_model("campaigns", "JourneyStep")
    JourneyStepTemplate = apps.get_model("campaigns", "JourneyStepTemplate")
    Enrollment = apps.get_model("campaigns", "Enrollment")

    service = JourneyVersion.objects.filter(
        journey__code="service_reminder", journey__predefined=True, date_field="attributes.next_service_due"
    ).first()
    if service is not None and not Enrollment.objects.filter(version=service).exists():
        JourneyVersion.objects.filter(pk=service.pk).update(date_field="vehicle.next_service_due")
        Journey.objects.filter(pk=service.journey_id).update(
            description="From an owned vehicle's next service due date (once per vehicle and date): reminders 14 "
            "and 3 days before at 10:00 local time, and 7 days after when no service_booked came. Goal: "
            "service_booked within 30 days."
        )
    for code, (name, bodies) in TEMPLATES.items():
        template, created = Template.objects.get_or_create(
            code=code, defaults={"name": f"{name} (sms)", "channel": "sms", "kind": "marketing"}
        )
        if created:
            TemplateTranslation.objects.bulk_create(
                TemplateTranslation(template=template, language=language, body=f"{body} {OPT_OUT[language]}")
                for language, body in bodies.items()
            )
    if Journey.objects.filter(code="warranty_ending").exists():
        return
    name, description, fields, steps = WARRANTY_ENDING
    journey = Journey.objects.create(code="warranty_ending", name=name, description=description, predefined=True)
    version = JourneyVersion.objects.create(
        journey=journey, number=1, published_at=datetime.datetime.now(datetime.UTC), **fields
    )
    for position, (kind, step_fields, templates) in enumerate(steps, start=1):
        step = JourneyStep.objects.create(version=version, position=position, kind=kind, **step_fields)
        for order, template_code in enumerate(templates, start=1):
            JourneyStepTemplate.objects.create(step=step, template=Template.objects.get(code=template_code), order=order)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0014_campaign_store_match"),
    ]

    operations = [
        migrations.AlterField(
            model_name="journeyversion",
            name="date_field",
            field=models.CharField(
                blank=True,
                help_text="birth_date or signed_up_at (yearly), attributes.<name> (an ISO date, once), or an owned "
                "vehicle's vehicle.next_service_due or vehicle.warranty_ends (once per vehicle and date).",
                max_length=64,
            ),
        ),
        migrations.RunPython(install_vehicle_date_reminders, migrations.RunPython.noop),
    ]
