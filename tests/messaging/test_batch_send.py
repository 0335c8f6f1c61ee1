"""Email batch sends through anymail merge data: one provider call per hand-off group, each
recipient getting exactly the email the one-by-one path would have sent them."""

import re

import pytest
import requests
from anymail.backends.test import EmailBackend
from anymail.exceptions import AnymailAPIError, AnymailUnsupportedFeature
from anymail.message import AnymailRecipientStatus
from django.core import mail
from django.utils.html import escape

from messaging import links
from messaging.models import Message
from messaging.services.dispatch import outbox_dispatch

pytestmark = pytest.mark.django_db

MERGE_FIELD = "%recipient.{name}%"
TRANSLATION = {
    "language": "en",
    "subject": "{{ customer.first_name }}, 15% off today",
    "preheader": "Only for {{ customer.first_name }}",
    "html": '<p>Hello {{ customer.first_name }}</p><p><a href="https://shop.example.com/sale">Shop</a></p>',
}


@pytest.fixture
def batch_sends(settings):
    settings.MESSAGING_EMAIL_MERGE_FIELD = MERGE_FIELD


def delivered_copy(email, address: str) -> dict:
    """What the provider delivers to `address`: the shared message filled with that recipient's values."""
    values = email.merge_data[address]

    def fill(text: str) -> str:
        return re.sub(r"%recipient\.(\w+)%", lambda match: values[match.group(1)], text)

    return {
        "subject": fill(email.subject),
        "text": fill(email.body),
        "html": fill(email.alternatives[0][0]),
        "headers": {**email.extra_headers, **email.merge_headers[address]},
        "metadata": email.merge_metadata[address],
    }


def single_copy(email) -> dict:
    return {
        "subject": email.subject,
        "text": email.body,
        "html": email.alternatives[0][0],
        "headers": email.extra_headers,
        "metadata": email.metadata,
    }


def _generic(copy: dict, customer, message) -> dict:
    """A copy with what differs per recipient (name, signed links, ids) replaced by markers."""

    def generic(text: str, name: str = customer.first_name) -> str:
        return re.sub(r"https://engine\.example\.com/[cu]/[^\"<> )]+", "LINK", text).replace(name, "NAME")

    return {
        "subject": generic(copy["subject"]),
        "text": generic(copy["text"]),
        "html": generic(copy["html"], escape(customer.first_name)),
        "headers": {name: generic(value).replace(str(message.pk), "ID") for name, value in copy["headers"].items()},
        "metadata": {key: value.replace(str(message.pk), "ID") for key, value in copy["metadata"].items()},
    }


def test_a_group_is_one_batch_send_and_each_recipient_gets_their_own_email(
    batch_sends, make_customer, make_template, enqueue
):
    template = make_template(translations=[TRANSLATION])
    customers = [make_customer(first_name="Tom & <b>Jerry</b>"), make_customer(), make_customer()]
    messages = [enqueue(customer, template) for customer in customers]

    report = outbox_dispatch()

    assert report.sent == 3
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.anymail_test_params["is_batch_send"]
    assert email.to == [customer.email for customer in customers]
    for customer, message in zip(customers, messages, strict=True):
        copy = delivered_copy(email, customer.email)
        assert copy["subject"] == f"{customer.first_name}, 15% off today"
        assert f"Hello {escape(customer.first_name)}" in copy["html"]
        assert f"<title>{escape(customer.first_name)}, 15% off today</title>" in copy["html"]
        assert copy["metadata"] == {"mid": str(message.pk)}
        unsubscribe = copy["headers"]["List-Unsubscribe"].strip("<>")
        assert links.unsubscribe_payload(unsubscribe.rsplit("/", 1)[1])["c"] == customer.pk
        click = re.search(r'href="https://engine\.example\.com/c/([^"]+)"', copy["html"]).group(1)
        assert links.click_payload(click)["m"] == message.pk
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}


def test_a_batched_copy_is_the_email_sent_one_by_one(settings, make_customer, make_template, enqueue):
    template = make_template(translations=[TRANSLATION])
    alone, batched = make_customer(first_name="Asha & Co"), make_customer(first_name="Baraka <Ltd>")
    alone_message = enqueue(alone, template)
    outbox_dispatch()
    settings.MESSAGING_EMAIL_MERGE_FIELD = MERGE_FIELD
    batched_message = enqueue(batched, template)
    enqueue(make_customer(), template)  # a second recipient, so that the group is a batch send
    outbox_dispatch()

    single, batch = mail.outbox
    assert not single.anymail_test_params["is_batch_send"] and batch.anymail_test_params["is_batch_send"]
    assert _generic(delivered_copy(batch, batched.email), batched, batched_message) == _generic(
        single_copy(single), alone, alone_message
    )


def test_an_address_twice_goes_in_two_sends(batch_sends, make_customer, make_template, enqueue):
    template = make_template(translations=[TRANSLATION])
    shared = [make_customer(email="family@example.com"), make_customer(email="family@example.com")]
    for customer in shared:
        enqueue(customer, template)

    assert outbox_dispatch().sent == 2
    assert [email.to for email in mail.outbox] == [["family@example.com"], ["family@example.com"]]


def test_the_hand_off_group_sets_the_batch_size(batch_sends, settings, make_customer, make_template, enqueue):
    settings.MESSAGING_HANDOFF_GROUP = 2
    template = make_template(translations=[TRANSLATION])
    for _ in range(5):
        enqueue(make_customer(), template)

    assert outbox_dispatch().sent == 5
    assert [len(email.to) for email in mail.outbox] == [2, 2, 1]


class UnavailableESP(EmailBackend):
    def post_to_esp(self, payload, message):
        response = requests.Response()
        response.status_code, response.reason, response._content = 503, "Service Unavailable", b"try later"
        raise AnymailAPIError("The ESP is down", status_code=503, response=response)


class LimitedESP(EmailBackend):
    """A provider whose backend cannot send per-recipient headers."""

    def build_message_payload(self, message, defaults):
        raise AnymailUnsupportedFeature("LimitedESP does not support merge_headers")


class PickyESP(EmailBackend):
    """Takes the batch but refuses addresses at example.org."""

    def parse_recipient_status(self, response, payload, message):
        return {
            address: AnymailRecipientStatus(
                message_id=None, status="rejected" if address.endswith("example.org") else "sent"
            )
            for address in payload.recipient_emails
        }


def test_a_provider_outage_retries_the_whole_group(batch_sends, settings, make_customer, make_template, enqueue):
    settings.EMAIL_BACKEND = "tests.messaging.test_batch_send.UnavailableESP"
    template = make_template(translations=[TRANSLATION])
    messages = [enqueue(make_customer(), template) for _ in range(3)]

    report = outbox_dispatch()

    assert (report.sent, report.retried) == (0, 3)
    assert {(m.status, m.reason) for m in Message.objects.filter(pk__in=[m.pk for m in messages])} == {
        ("queued", "retry")
    }


def test_an_address_the_provider_refuses_fails_and_the_rest_are_sent(
    batch_sends, settings, make_customer, make_template, enqueue
):
    settings.EMAIL_BACKEND = "tests.messaging.test_batch_send.PickyESP"
    template = make_template(translations=[TRANSLATION])
    refused = enqueue(make_customer(email="someone@example.org"), template)
    taken = enqueue(make_customer(), template)

    report = outbox_dispatch()

    assert (report.sent, report.failed) == (1, 1)
    refused.refresh_from_db()
    taken.refresh_from_db()
    assert (refused.status, refused.reason) == ("failed", "rejected")
    assert "rejected" in refused.error
    assert taken.status == "sent"


def test_a_message_the_email_backend_cannot_build_fails_with_the_reason_instead_of_stopping_the_outbox(
    batch_sends, settings, make_customer, make_template, enqueue
):
    settings.EMAIL_BACKEND = "tests.messaging.test_batch_send.LimitedESP"
    template = make_template(translations=[TRANSLATION])
    messages = [enqueue(make_customer(), template) for _ in range(2)]

    report = outbox_dispatch()

    assert (report.sent, report.failed) == (0, 2)
    for message in messages:
        message.refresh_from_db()
        assert message.status == "failed"
        assert "does not support merge_headers" in message.error
