"""Installs the transactional email that asks a customer to confirm an email opt-in (editable)."""

from django.db import migrations

TRANSLATIONS = {
    "en": (
        "Please confirm your subscription",
        "One click and you will get our offers.",
        "<p>Hello {{ customer.first_name|default:'there' }},</p>"
        "<p>Please confirm that you want our offers by email.</p>"
        '<p><a href="{{ confirm_url }}">Yes, subscribe me</a></p>'
        "<p>If you did not ask for this, ignore this email.</p>",
    ),
    "bn": (
        "অনুগ্রহ করে আপনার সাবস্ক্রিপশন নিশ্চিত করুন",
        "এক ক্লিকেই আমাদের অফার পাবেন।",
        "<p>প্রিয় {{ customer.first_name|default:'গ্রাহক' }},</p>"
        "<p>ইমেইলে আমাদের অফার পেতে চাইলে নিশ্চিত করুন।</p>"
        '<p><a href="{{ confirm_url }}">হ্যাঁ, সাবস্ক্রাইব করুন</a></p>'
        "<p>আপনি এটি না চাইলে এই ইমেইলটি উপেক্ষা করুন।</p>",
    ),
    "sw": (
        "Tafadhali thibitisha usajili wako",
        "Bofya mara moja upate ofa zetu.",
        "<p>Habari {{ customer.first_name|default:'mteja' }},</p>"
        "<p>Tafadhali thibitisha kwamba unataka kupokea ofa zetu kwa barua pepe.</p>"
        '<p><a href="{{ confirm_url }}">Ndiyo, nisajili</a></p>'
        "<p>Kama hukuomba hili, puuza barua pepe hii.</p>",
    ),
}


def install(apps, schema_editor):
    Template = apps.get_model("messaging", "Template")
    TemplateTranslation = apps.get_model("messaging", "TemplateTranslation")
    template, created = Template.objects.get_or_create(
        code="double_opt_in",
        defaults={"name": "Email opt-in confirmation", "channel": "email", "kind": "transactional", "topic": "service"},
    )
    if created:
        for language, (subject, preheader, html) in TRANSLATIONS.items():
            TemplateTranslation.objects.create(
                template=template, language=language, subject=subject, preheader=preheader, html=html
            )


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
