"""Sender postal addresses, a template's send timing, and the guide's five messages per segment.

The guide's templates (SMS, English, Swahili and Bengali) are installed once, with the guide's
timing as their defaults; a template whose code already exists is left exactly as the operator
has it, so migrating again never overwrites their edits.
"""

import datetime

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models


OPT_OUT = {"en": "Reply STOP to opt out.", "sw": "Tuma ACHA kujiondoa.", "bn": "বন্ধ করতে 'বন্ধ' লিখে পাঠান।"}
NAME_EN = "{% if customer.first_name %}, {{ customer.first_name }}{% endif %}"
NAME_SW = "{% if customer.first_name %} {{ customer.first_name }}{% endif %}"
NAME_BN = NAME_EN

# code: (name, topic, timing, {language: body without the opt-out line})
GUIDE_TEMPLATES = {
    "guide_vip_20": (
        "VIP: exclusive 20% on premium services (high_value)",
        "marketing",
        {"send_window_start": datetime.time(9), "send_window_end": datetime.time(17)},
        {
            "en": f"Thank you for being one of our best customers{NAME_EN}! Enjoy an exclusive 20% off our "
            "premium services with code {{ coupon.code }}.",
            "sw": f"Asante kwa kuwa mmoja wa wateja wetu bora{NAME_SW}! Furahia punguzo maalum la 20% kwa huduma "
            "zetu za hadhi ya juu kwa msimbo {{ coupon.code }}.",
            "bn": f"আমাদের সেরা গ্রাহকদের একজন হওয়ার জন্য ধন্যবাদ{NAME_BN}! {{{{ coupon.code }}}} কোডে আমাদের "
            "প্রিমিয়াম সেবায় পান এক্সক্লুসিভ ২০% ছাড়।",
        },
    ),
    "guide_comeback_30": (
        "Comeback: we miss you, 30% off (inactive_90d)",
        "marketing",
        {"send_window_start": datetime.time(18), "send_window_end": datetime.time(21)},
        {
            "en": f"We miss you{NAME_EN}! Come back for a special 30% off with code {{{{ coupon.code }}}}.",
            "sw": f"Tumekukumbuka{NAME_SW}! Rudi upate punguzo maalum la 30% kwa msimbo {{{{ coupon.code }}}}.",
            "bn": f"আমরা আপনাকে মিস করছি{NAME_BN}! ফিরে আসুন, {{{{ coupon.code }}}} কোডে পান বিশেষ ৩০% ছাড়।",
        },
    ),
    "guide_welcome_15": (
        "Welcome: 15% off the first purchase (new_30d)",
        "marketing",
        {"send_after": "first_contact", "send_within_hours": 1},
        {
            "en": f"Welcome{NAME_EN}! Get 15% off your first purchase with code {{{{ coupon.code }}}}.",
            "sw": f"Karibu{NAME_SW}! Pata punguzo la 15% kwenye ununuzi wako wa kwanza kwa msimbo "
            "{{ coupon.code }}.",
            "bn": f"স্বাগতম{NAME_BN}! প্রথম কেনাকাটায় {{{{ coupon.code }}}} কোডে পান ১৫% ছাড়।",
        },
    ),
    "guide_service_recovery_25": (
        "Service recovery: apology and 25% off (complaint)",
        "marketing",
        {"send_after": "complaint_resolved", "send_within_hours": 24},
        {
            "en": f"We are sorry for the inconvenience{NAME_EN}. To make it right, here is 25% off your next "
            "purchase with code {{ coupon.code }}.",
            "sw": f"Samahani kwa usumbufu uliopata{NAME_SW}. Ili kurekebisha, pata punguzo la 25% kwenye ununuzi "
            "wako ujao kwa msimbo {{ coupon.code }}.",
            "bn": f"অসুবিধার জন্য আমরা আন্তরিকভাবে দুঃখিত{NAME_BN}। ক্ষতিপূরণ হিসেবে পরের কেনাকাটায় "
            "{{ coupon.code }} কোডে পান ২৫% ছাড়।",
        },
    ),
    "guide_loyalty_referral": (
        "Loyalty: member benefits and a referral reward (loyal)",
        "loyalty",
        {},
        {
            "en": f"Thank you for your loyalty{NAME_EN}! Enjoy your exclusive member benefits, and share code "
            "{{ coupon.code }} with a friend: you both get a reward.",
            "sw": f"Asante kwa uaminifu wako{NAME_SW}! Furahia manufaa yako maalum ya mwanachama, na mpe rafiki "
            "msimbo {{ coupon.code }}: nyote wawili mtapata zawadi.",
            "bn": f"আপনার আস্থার জন্য ধন্যবাদ{NAME_BN}! সদস্য হিসেবে আপনার বিশেষ সুবিধা উপভোগ করুন, আর বন্ধুকে "
            "{{ coupon.code }} কোডটি দিন: দুজনেই পাবেন পুরস্কার।",
        },
    ),
}


def install_guide_templates(apps, schema_editor):
    Template = apps.get_model("messaging", "Template")
    TemplateTranslation = apps.get_model("messaging", "TemplateTranslation")
    for code, (name, topic, timing, bodies) in GUIDE_TEMPLATES.items():
        template, created = Template.objects.get_or_create(
            code=code, defaults={"name": name, "channel": "sms", "kind": "marketing", "topic": topic, **timing}
        )
        if created:
            TemplateTranslation.objects.bulk_create(
                TemplateTranslation(template=template, language=language, body=f"{body} {OPT_OUT[language]}")
                for language, body in bodies.items()
            )


class Migration(migrations.Migration):

    dependencies = [
        ('audiences', '0006_alter_consent_status_alter_consentrecord_status'),
        ('messaging', '0002_double_opt_in_template'),
    ]

    operations = [
        migrations.CreateModel(
            name='SenderAddress',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('postal_address', models.TextField(help_text="As it should appear in the footer, e.g. 'Shop Ltd, 12 Road, Dhaka'.")),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name_plural': 'sender addresses',
            },
        ),
        migrations.AddField(
            model_name='template',
            name='send_window_end',
            field=models.TimeField(blank=True, help_text='... until this local time; outside the window they wait for its next start.', null=True),
        ),
        migrations.AddField(
            model_name='template',
            name='send_window_start',
            field=models.TimeField(blank=True, help_text="Marketing messages go out from this local time (the customer's time zone); with the end.", null=True),
        ),
        migrations.AddField(
            model_name='template',
            name='send_within_hours',
            field=models.PositiveSmallIntegerField(blank=True, help_text='How many hours after the trigger a journey may still send it.', null=True),
        ),
        migrations.AddField(
            model_name='template',
            name="send_after",
            field=models.CharField(blank=True, choices=[('first_contact', "The customer's first contact"), ('complaint_resolved', "A complaint's resolution")], default='', help_text='The moment a journey sends this message after; empty: whenever a campaign sends it.', max_length=32),
        ),
        migrations.AddConstraint(
            model_name='template',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('send_window_end__isnull', True), ('send_window_start__isnull', True)), models.Q(('send_window_end__isnull', False), ('send_window_start__isnull', False)), _connector='OR'), name='template_send_window_complete'),
        ),
        migrations.AddField(
            model_name='senderaddress',
            name='store',
            field=models.OneToOneField(blank=True, help_text='Empty: the default sender, for every store without its own address.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='sender_address', to='audiences.store'),
        ),
        migrations.AddConstraint(
            model_name='senderaddress',
            constraint=models.UniqueConstraint(django.db.models.functions.comparison.Coalesce('store', models.Value(0)), name='sender_address_one_per_store'),
        ),
        migrations.AddConstraint(
            model_name='senderaddress',
            constraint=models.CheckConstraint(condition=models.Q(('postal_address', ''), _negated=True), name='sender_address_not_blank'),
        ),
        migrations.RunPython(install_guide_templates, migrations.RunPython.noop),
    ]
