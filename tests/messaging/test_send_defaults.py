"""A fresh install sends email in batches where its provider takes them: the merge-field syntax
defaults to the provider's own, and "" still sends one provider call per email."""

import json

import pytest
import requests

from messaging.models import Message
from messaging.senders import email_merge_field
from messaging.services.dispatch import outbox_dispatch

pytestmark = pytest.mark.django_db

MAILGUN = "anymail.backends.mailgun.EmailBackend"


@pytest.mark.parametrize(
    ("backend", "configured", "expected"),
    [
        (MAILGUN, None, "%recipient.{name}%"),
        ("anymail.backends.sparkpost.EmailBackend", None, "{{{name}}}"),
        ("anymail.backends.mandrill.EmailBackend", None, "*|{name}|*"),
        ("anymail.backends.postmark.EmailBackend", None, ""),  # merge data only with Postmark's stored templates
        ("django.core.mail.backends.smtp.EmailBackend", None, ""),
        (MAILGUN, "", ""),  # switched off
        ("django.core.mail.backends.smtp.EmailBackend", "[[{name}]]", "[[{name}]]"),
    ],
)
def test_the_merge_field_is_the_providers_unless_set(settings, backend, configured, expected):
    settings.EMAIL_BACKEND = backend
    settings.MESSAGING_EMAIL_MERGE_FIELD = configured
    assert email_merge_field() == expected


@pytest.fixture
def mailgun_api(settings, monkeypatch):
    """Mailgun at its defaults, its HTTP API replaced by a recorder that answers as Mailgun does."""
    settings.EMAIL_BACKEND = MAILGUN
    settings.ANYMAIL = {"MAILGUN_API_KEY": "key-test", "MAILGUN_SENDER_DOMAIN": "mg.example.com"}
    settings.MESSAGING_EMAIL_MERGE_FIELD = None
    calls = []

    def request(session, method, url, **params):
        calls.append({"url": url, "data": dict(params.get("data") or [])})
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps({"id": "<1@mg.example.com>", "message": "Queued. Thank you."}).encode()
        return response

    monkeypatch.setattr(requests.Session, "request", request)
    return calls


def test_with_mailgun_at_its_defaults_a_group_of_emails_is_one_api_call(
    mailgun_api, make_customer, make_template, enqueue
):
    template = make_template()
    customers = [make_customer() for _ in range(3)]
    for customer in customers:
        enqueue(customer, template)

    assert outbox_dispatch().sent == 3

    assert len(mailgun_api) == 1
    call = mailgun_api[0]
    assert call["url"].endswith("/mg.example.com/messages")
    assert call["data"]["subject"] == "%recipient.subject%"
    variables = json.loads(call["data"]["recipient-variables"])
    assert {address: values["subject"] for address, values in variables.items()} == {
        customer.email: f"Hi {customer.first_name}" for customer in customers
    }
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}


def test_switched_off_every_email_is_its_own_api_call(settings, mailgun_api, make_customer, make_template, enqueue):
    settings.MESSAGING_EMAIL_MERGE_FIELD = ""
    template = make_template()
    for _ in range(3):
        enqueue(make_customer(), template)

    assert outbox_dispatch().sent == 3
    assert len(mailgun_api) == 3
    assert all(call["data"]["subject"].startswith("Hi Rahim") for call in mailgun_api)
