"""After the hand-off: provider webhooks (through anymail), unsubscribe links, inbound SMS keywords."""

import base64

import pytest
from django.core import mail
from twilio.request_validator import RequestValidator

from audiences.models import Consent, ConsentRecord, Event
from messaging import links
from messaging.models import Message, Suppression, TrackingEvent
from messaging.services.dispatch import outbox_dispatch

pytestmark = pytest.mark.django_db

WEBHOOK_AUTH = "anymail:webhook-secret"


@pytest.fixture
def postmark(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": WEBHOOK_AUTH}
    auth = "Basic " + base64.b64encode(WEBHOOK_AUTH.encode()).decode()

    def post(payload, authorization=auth):
        return client.post(
            "/anymail/postmark/tracking/", payload, content_type="application/json", HTTP_AUTHORIZATION=authorization
        )

    return post


@pytest.fixture
def sent_email(make_customer, make_template, enqueue):
    customer = make_customer()
    message = enqueue(customer, make_template())
    outbox_dispatch()
    message.refresh_from_db()
    assert message.status == "sent"
    return message


def bounce(message, *, event_id=1, kind="HardBounce"):
    return {
        "RecordType": "Bounce",
        "ID": event_id,
        "Type": kind,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Email": message.address,
        "BouncedAt": "2026-11-23T10:00:00Z",
        "Description": "The server was unable to deliver your message",
        "Metadata": {"mid": str(message.pk)},
    }


def test_a_hard_bounce_suppresses_the_address_once(postmark, sent_email, make_template, enqueue):
    assert postmark(bounce(sent_email)).status_code == 200
    assert postmark(bounce(sent_email)).status_code == 200  # the provider retried its webhook

    sent_email.refresh_from_db()
    assert (sent_email.status, sent_email.reason) == ("bounced", "hard_bounce")
    assert list(Suppression.objects.values_list("channel", "address", "reason")) == [
        ("email", sent_email.address, "hard_bounce")
    ]
    assert TrackingEvent.objects.count() == 1
    mail.outbox.clear()
    again = enqueue(sent_email.customer, make_template(code="receipt", kind="transactional"))
    outbox_dispatch()
    again.refresh_from_db()
    assert (again.status, again.reason) == ("skipped", "suppressed") and mail.outbox == []


def test_a_webhook_without_the_secret_changes_nothing(postmark, sent_email):
    response = postmark(bounce(sent_email), authorization="Basic " + base64.b64encode(b"x:y").decode())
    assert response.status_code in (400, 403)
    assert not Suppression.objects.exists() and not TrackingEvent.objects.exists()


def test_soft_bounces_suppress_only_after_the_configured_count(settings, postmark, sent_email):
    settings.MESSAGING_SOFT_BOUNCE_LIMIT = 3
    for event_id in (11, 12):
        postmark(bounce(sent_email, event_id=event_id, kind="SoftBounce"))
    assert not Suppression.objects.exists()
    postmark(bounce(sent_email, event_id=13, kind="Transient"))
    assert Suppression.objects.get().reason == "soft_bounces"


def test_a_complaint_suppresses_and_opts_out(postmark, sent_email):
    payload = {**bounce(sent_email, event_id=77), "RecordType": "SpamComplaint", "Type": "SpamComplaint"}
    postmark(payload)
    assert Suppression.objects.get().reason == "complaint"
    consent = Consent.objects.get(customer=sent_email.customer, channel="email", topic="marketing")
    assert (consent.status, consent.source) == ("opted_out", "complaint:postmark")


def test_delivery_and_open_move_the_status_forward_and_record_engagement(postmark, sent_email):
    delivered = {
        "RecordType": "Delivery",
        "MessageID": "m-1",
        "Recipient": sent_email.address,
        "DeliveredAt": "2026-11-23T10:00:00Z",
        "Metadata": {"mid": str(sent_email.pk)},
    }
    opened = {
        "RecordType": "Open",
        "MessageID": "m-1",
        "Recipient": sent_email.address,
        "ReceivedAt": "2026-11-23T10:05:00Z",
        "Metadata": {"mid": str(sent_email.pk)},
    }
    postmark(opened)
    postmark(delivered)  # arrives late: the status does not go back
    postmark(opened)

    sent_email.refresh_from_db()
    assert sent_email.status == "opened" and sent_email.delivered_at and sent_email.opened_at
    assert Event.objects.filter(customer=sent_email.customer, type="message_opened").count() == 1


def test_one_click_unsubscribe_opts_out_and_stops_marketing(client, sent_email, make_template, enqueue):
    token = sent_email_token(sent_email)
    assert client.get(f"/u/{token}").status_code == 200

    response = client.post(f"/u/{token}", {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    consent = Consent.objects.get(customer=sent_email.customer, channel="email", topic="marketing")
    assert (consent.status, consent.source) == ("opted_out", "unsubscribe_link")
    later = enqueue(sent_email.customer, make_template(code="later"))
    outbox_dispatch()
    later.refresh_from_db()
    assert (later.status, later.reason) == ("skipped", "no_consent")


def sent_email_token(message: Message) -> str:
    header = mail.outbox[-1].extra_headers["List-Unsubscribe"]
    return header.strip("<>").rsplit("/u/", 1)[1]


@pytest.mark.parametrize("tamper", ["forged", "altered", "other-purpose"])
def test_a_forged_or_altered_token_changes_nothing(client, sent_email, tamper):
    customer = sent_email.customer
    if tamper == "forged":
        token = "eyJjIjoxfQ:1tZ:forgedsignature"
    elif tamper == "altered":
        good = sent_email_token(sent_email)
        token = good[:5] + ("A" if good[5] != "A" else "B") + good[6:]
    else:  # a valid click token is not an unsubscribe token
        token = links.click_token(message_id=sent_email.pk, url="https://shop.example.com")
    records = ConsentRecord.objects.count()

    for response in (client.get(f"/u/{token}"), client.post(f"/u/{token}", {"List-Unsubscribe": "One-Click"})):
        assert response.status_code == 400
        assert b"not valid" in response.content

    assert ConsentRecord.objects.count() == records
    assert Consent.objects.get(customer=customer, channel="email", topic="marketing").status == "opted_in"


def test_the_preference_centre_saves_choices(client, sent_email):
    token = sent_email_token(sent_email)
    page = client.get(f"/u/{token}")
    assert b'value="sms:marketing" checked' in page.content

    client.post(f"/u/{token}", {"action": "save", "consent": ["email:marketing", "whatsapp:loyalty"]})

    statuses = {(c.channel, c.topic): c.status for c in Consent.objects.filter(customer=sent_email.customer)}
    assert statuses[("email", "marketing")] == "opted_in"
    assert statuses[("sms", "marketing")] == "opted_out"
    assert statuses[("whatsapp", "loyalty")] == "opted_in"
    assert ConsentRecord.objects.filter(source="preference_centre").count() == 3


def test_the_preference_centre_speaks_the_customers_language(client, make_customer):
    bengali = make_customer(language="bn", first_name="রহিম")
    swahili = make_customer(language="sw", first_name="Baraka")

    def page(customer, **kwargs):
        token = links.unsubscribe_token(customer_id=customer.pk, channel="sms", topic="marketing")
        return client.post(f"/u/{token}", {"action": "unsubscribe"}, **kwargs).content.decode()

    bengali_page = page(bengali, HTTP_ACCEPT_LANGUAGE="en")  # their language, not the browser's
    assert '<html lang="bn">' in bengali_page
    assert "আপনার বার্তার পছন্দ" in bengali_page and "রহিম, আমরা আপনাকে কী পাঠাতে পারি" in bengali_page
    assert "এসএমএস-এ আপনার কাছে আর অফার যাবে না" in bengali_page and "অফার ও খবর" in bengali_page
    swahili_page = page(swahili)
    assert "Umejiondoa kwenye ofa za SMS" in swahili_page and "Hifadhi chaguo zangu" in swahili_page
    english = client.get(
        f"/u/{links.unsubscribe_token(customer_id=make_customer().pk, channel='sms', topic='marketing')}"
    )
    assert "Your message preferences" in english.content.decode()


def test_a_bad_link_is_explained_in_the_browsers_language(client):
    page = client.get("/u/not-a-token", HTTP_ACCEPT_LANGUAGE="sw").content.decode()
    assert "Kiungo hiki hakifanyi kazi" in page and "Kiungo hiki si halali" in page


@pytest.fixture
def inbound(client, settings):
    settings.SMS_WEBHOOK_SECRET = "twilio-auth-token"
    url = "https://engine.example.com/webhooks/sms/inbound"

    def post(sender, body, *, signature=None, sid="SM1"):
        params = {"From": sender, "Body": body, "MessageSid": sid}
        signed = signature or RequestValidator(settings.SMS_WEBHOOK_SECRET).compute_signature(url, params)
        return client.post("/webhooks/sms/inbound", params, HTTP_X_TWILIO_SIGNATURE=signed)

    return post


def test_inbound_sms_needs_the_providers_signature(inbound, make_customer):
    customer = make_customer()
    response = inbound(customer.phone, "STOP", signature="bad")
    assert response.status_code == 403
    assert not Suppression.objects.exists()


def test_stop_suppresses_and_opts_out_start_undoes_it(inbound, make_customer, make_template, enqueue):
    customer = make_customer()

    stopped = inbound(customer.phone, "stop please")
    assert stopped.status_code == 200 and b"unsubscribed" in stopped.content
    assert Suppression.objects.get().reason == "sms_stop"
    assert Consent.objects.get(customer=customer, channel="sms", topic="marketing").status == "opted_out"
    message = enqueue(customer, make_template(code="receipt", channel="sms", kind="transactional"))
    outbox_dispatch()
    message.refresh_from_db()
    assert message.reason == "suppressed"

    started = inbound(customer.phone, "START")
    assert b"subscribed again" in started.content
    assert not Suppression.objects.exists()
    assert Consent.objects.get(customer=customer, channel="sms", topic="marketing").status == "opted_in"


def test_help_replies_and_other_text_is_a_reply_event(inbound, make_customer):
    customer = make_customer()
    assert b"Reply STOP" in inbound(customer.phone, "HELP").content
    inbound(customer.phone, "Is the TV still on offer?", sid="SM9")
    inbound(customer.phone, "Is the TV still on offer?", sid="SM9")  # the provider retried
    replies = Event.objects.filter(customer=customer, type="message_replied")
    assert [event.properties["text"] for event in replies] == ["Is the TV still on offer?"]


def test_whatsapp_stop_suppresses_whatsapp(inbound, make_customer):
    customer = make_customer()
    inbound(f"whatsapp:{customer.phone}", "ACHA")  # Swahili
    assert list(Suppression.objects.values_list("channel", "address")) == [("whatsapp", customer.phone)]
