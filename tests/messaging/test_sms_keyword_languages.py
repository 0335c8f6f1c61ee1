"""STOP and START are confirmed in the language the customer wrote the keyword in."""

import pytest
from django.conf import settings
from twilio.request_validator import RequestValidator

from audiences.models import Consent
from messaging.keywords import HELP, START, STOP, Keyword, keyword_of
from messaging.models import Suppression

pytestmark = pytest.mark.django_db

URL = "https://engine.example.com/webhooks/sms/inbound"


@pytest.fixture
def inbound(client, settings):
    settings.SMS_WEBHOOK_SECRET = "twilio-auth-token"

    def post(sender: str, body: str) -> str:
        params = {"From": sender, "Body": body, "MessageSid": f"SM-{body}"}
        signature = RequestValidator(settings.SMS_WEBHOOK_SECRET).compute_signature(URL, params)
        response = client.post("/webhooks/sms/inbound", params, HTTP_X_TWILIO_SIGNATURE=signature)
        assert response.status_code == 200
        return response.content.decode()

    return post


@pytest.mark.parametrize(
    ("stop", "start", "stopped", "started"),
    [
        ("STOP", "START", "You are unsubscribed", "You are subscribed again. Reply STOP"),
        ("acha", "anza", "Umejiondoa na hutapokea ujumbe zaidi. Tuma ANZA", "Umejiunga tena. Tuma ACHA"),
        ("Sitisha", "ANZA", "Umejiondoa", "Umejiunga tena"),
        ("বন্ধ", "চালু", "আপনি আনসাবস্ক্রাইব করেছেন", "আপনি আবার সাবস্ক্রাইব করেছেন। আনসাবস্ক্রাইব করতে বন্ধ"),
    ],
)
def test_stop_and_start_are_confirmed_in_the_keywords_language(inbound, make_customer, stop, start, stopped, started):
    customer = make_customer(language="en")

    reply = inbound(customer.phone, stop)
    assert stopped in reply
    assert Suppression.objects.filter(address=customer.phone, reason="sms_stop").exists()
    assert Consent.objects.get(customer=customer, channel="sms", topic="marketing").status == "opted_out"

    reply = inbound(customer.phone, start)
    assert started in reply
    assert not Suppression.objects.exists()
    assert Consent.objects.get(customer=customer, channel="sms", topic="marketing").status == "opted_in"


def test_keywords_are_read_from_the_first_word_in_any_case():
    assert keyword_of("  stop please") == Keyword(STOP, "en")
    assert keyword_of("Msaada") == Keyword(HELP, "sw")
    assert keyword_of("চালু করুন") == Keyword(START, "bn")
    assert keyword_of("Is the TV on offer?") is None
    assert keyword_of("   ") is None


def test_help_still_answers_the_configured_text(inbound, make_customer):
    assert settings.MESSAGING_SMS_HELP_TEXT.split()[0] in inbound(make_customer().phone, "MSAADA")
