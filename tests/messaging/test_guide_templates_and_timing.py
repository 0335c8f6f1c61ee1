"""The guide's messages per segment ship as editable templates in three languages, with the guide's
timing as stored defaults: a send window the outbox keeps, a trigger and delay journeys read."""

import importlib
import re
from datetime import UTC, datetime, time
from unittest import mock

import pytest
from django.apps import apps

from messaging.backends import sms
from messaging.keywords import STOP, keyword_of
from messaging.models import Message, Template
from messaging.rendering import render_translation
from messaging.services.dispatch import outbox_dispatch
from messaging.services.templates import template_update

from .test_admin import template_form

pytestmark = pytest.mark.django_db

install = importlib.import_module(
    "messaging.migrations.0003_sender_address_send_timing_guide_templates"
).install_guide_templates

# code: (the guide's percentage in English/Swahili digits, in Bengali digits, timing)
GUIDE = {
    "guide_vip_20": ("20%", "২০%", (time(9), time(17), "", None)),
    "guide_comeback_30": ("30%", "৩০%", (time(18), time(21), "", None)),
    "guide_welcome_15": ("15%", "১৫%", (None, None, "first_contact", 1)),
    "guide_service_recovery_25": ("25%", "২৫%", (None, None, "complaint_resolved", 24)),
    "guide_loyalty_referral": ("", "", (None, None, "", None)),
}


def _timing(template: Template) -> tuple:
    return (template.send_window_start, template.send_window_end, template.send_after, template.send_within_hours)


def test_the_guides_templates_are_installed_with_its_offers_and_timing():
    for code, (percent, bengali_percent, timing) in GUIDE.items():
        template = Template.objects.get(code=code)
        bodies = {t.language: t.body for t in template.translations.all()}
        assert set(bodies) == {"en", "sw", "bn"}, code
        assert (template.channel, template.kind) == ("sms", "marketing")
        assert _timing(template) == timing, code
        assert percent in bodies["en"] and percent in bodies["sw"] and bengali_percent in bodies["bn"]
        rendered = {
            language: render_translation(
                {"body": body}, {"customer": {"first_name": "Asha"}, "coupon": {"code": "VIP-7K2Q"}}
            ).body
            for language, body in bodies.items()
        }
        for language, text in rendered.items():
            assert "Asha" in text and "VIP-7K2Q" in text and "{" not in text, (code, language)
            # Each language tells the customer how to opt out with a keyword we answer in that language.
            found = [keyword_of(word.strip("'.,।!")) for word in text.split()]
            found = [keyword for keyword in found if keyword]
            assert found and all((k.action, k.language) == (STOP, language) for k in found), (code, language)
    assert Template.objects.get(code="guide_loyalty_referral").topic == "loyalty"


def test_installing_again_keeps_an_operators_edits():
    vip = Template.objects.get(code="guide_vip_20")
    template_update(
        template=vip,
        name="VIP (our words)",
        timing={"send_window_start": time(10), "send_window_end": time(12)},
        translations=[{"language": "sw", "body": "Ofa yetu ya VIP: {{ coupon.code }}. Tuma ACHA kujiondoa."}],
    )
    vip.translations.filter(language="bn").delete()
    Template.objects.filter(code="guide_comeback_30").delete()

    install(apps, None)

    vip.refresh_from_db()
    assert vip.name == "VIP (our words)" and _timing(vip) == (time(10), time(12), "", None)
    assert vip.translations.get(language="sw").body.startswith("Ofa yetu ya VIP")
    assert not vip.translations.filter(language="bn").exists()  # removed on purpose: not brought back
    assert Template.objects.get(code="guide_comeback_30").translations.count() == 3  # deleted: installed again


def test_the_outbox_holds_a_marketing_message_to_its_templates_send_window(make_customer, enqueue):
    vip = Template.objects.get(code="guide_vip_20")  # 09:00-17:00 in the customer's time zone
    customer = make_customer(timezone="Asia/Dhaka")  # UTC+6
    evening = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 20:00 in Dhaka
    with mock.patch("django.utils.timezone.now", return_value=evening):
        message = enqueue(customer, vip, context={"coupon": {"code": "VIP-1"}})
        report = outbox_dispatch()

    message.refresh_from_db()
    assert report.deferred == 1 and sms.outbox == []
    assert (message.status, message.reason) == ("deferred", "send_window")
    assert message.scheduled_for == datetime(2026, 3, 3, 3, 0, tzinfo=UTC)  # 09:00 the next morning in Dhaka

    with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 3, 3, 3, 0, tzinfo=UTC)):
        assert outbox_dispatch().sent == 1
    assert Message.objects.get(pk=message.pk).status == "sent"
    assert "VIP-1" in sms.outbox[0].body


def test_a_template_without_a_window_sends_at_any_hour(make_customer, enqueue):
    referral = Template.objects.get(code="guide_loyalty_referral")
    customer = make_customer(timezone="Asia/Dhaka", consents=())
    from audiences.services.consent import consent_record

    consent_record(customer=customer, channel="sms", topic="loyalty", status="opted_in", source="test")
    with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 3, 2, 14, 0, tzinfo=UTC)):
        enqueue(customer, referral, context={"coupon": {"code": "REF-1"}})
        assert outbox_dispatch().sent == 1


def test_the_api_shows_and_edits_the_timing(marketer):
    vip = marketer.get("/api/v1/templates/guide_vip_20").json()
    assert vip["timing"] == {
        "send_window_start": "09:00",
        "send_window_end": "17:00",
        "send_after": "",
        "send_within_hours": None,
    }
    welcome = marketer.get("/api/v1/templates/guide_welcome_15").json()["timing"]
    assert (welcome["send_after"], welcome["send_within_hours"]) == ("first_contact", 1)

    moved = marketer.patch(
        "/api/v1/templates/guide_vip_20",
        {"timing": {"send_window_start": "10:30", "send_window_end": "16:00"}},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["timing"]["send_window_start"] == "10:30"

    half = marketer.patch(
        "/api/v1/templates/guide_vip_20", {"name": "Half", "timing": {"send_window_end": None}}, format="json"
    )
    assert half.status_code == 400
    assert half.json()["code"] == "invalid" and "timing" in half.json()["fields"]
    vip = Template.objects.get(code="guide_vip_20")
    assert vip.name != "Half" and _timing(vip)[:2] == (time(10, 30), time(16))


def test_the_admin_shows_and_edits_the_timing(admin_client):
    listed = admin_client.get("/admin/messaging/template/").content.decode()
    assert "09:00-17:00" in listed and "after a complaint&#x27;s resolution within 24 h" in listed
    page = admin_client.get(f"/admin/messaging/template/{Template.objects.get(code='guide_vip_20').pk}/change/")
    assert re.search(r'name="send_window_start"[^>]*value="09:00', page.content.decode())

    half = admin_client.post("/admin/messaging/template/add/", template_form(send_window_start="09:00"))
    assert half.status_code == 200 and not Template.objects.filter(code="spring").exists()
    saved = admin_client.post(
        "/admin/messaging/template/add/",
        template_form(
            send_window_start="18:00", send_window_end="21:00", send_after="first_contact", send_within_hours=2
        ),
    )
    assert saved.status_code == 302
    assert _timing(Template.objects.get(code="spring")) == (time(18), time(21), "first_contact", 2)
