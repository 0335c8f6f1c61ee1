"""Test sends from the admin's preview: who may send them, and where they may go (issue #14 item 4)."""

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail

from messaging.backends import sms

pytestmark = pytest.mark.django_db


def staff_client(client, *, group: str, email: str = ""):
    user = User.objects.create_user(username=group.lower(), password="x", email=email, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


def preview_url(template) -> str:
    return f"/admin/messaging/template/{template.pk}/preview/"


def test_a_view_only_analyst_sees_the_preview_but_cannot_send_a_test(client, make_customer, make_template, settings):
    settings.MESSAGING_TEST_RECIPIENTS = ["+8801711111111", "qa@example.com"]
    analyst = staff_client(client, group="Analyst", email="ana@example.com")
    customer = make_customer()
    email, text = make_template(), make_template(code="sms_t", channel="sms")

    page = analyst.get(preview_url(email), {"customer": customer.external_id})
    assert page.status_code == 200
    assert f"Hello {customer.first_name}" in page.content.decode()
    assert "Send test" not in page.content.decode()

    for template, to in ((email, "ana@example.com"), (text, "+8801711111111")):
        sent = analyst.post(preview_url(template), {"customer": customer.external_id, "language": "en", "to": to})
        assert sent.status_code == 403
    assert mail.outbox == [] and sms.outbox == []


def test_a_marketer_may_send_only_to_their_own_address_or_a_configured_test_recipient(
    client, make_customer, make_template, settings
):
    settings.MESSAGING_TEST_RECIPIENTS = ["+8801711111111", "qa@example.com"]
    marketer = staff_client(client, group="Marketer", email="mira@example.com")
    customer = make_customer()
    email, text = make_template(), make_template(code="sms_t", channel="sms")

    page = marketer.get(preview_url(email), {"customer": customer.external_id}).content.decode()
    assert '<option value="mira@example.com">' in page and '<option value="qa@example.com">' in page
    assert "+8801711111111" not in page  # a number is no recipient for an email

    refused = marketer.post(
        preview_url(email),
        {"customer": customer.external_id, "language": "en", "to": customer.email},
        follow=True,
    )
    refused_number = marketer.post(
        preview_url(text), {"customer": customer.external_id, "language": "en", "to": "+8801799999999"}, follow=True
    )
    assert "A test goes only to your own email address" in refused.content.decode()
    assert "&#x27;+8801799999999&#x27; is neither" in refused_number.content.decode()
    assert mail.outbox == [] and sms.outbox == []

    for template, to in ((email, "mira@example.com"), (email, "qa@example.com"), (text, "+8801711111111")):
        marketer.post(preview_url(template), {"customer": customer.external_id, "language": "en", "to": to})
    assert [m.to for m in mail.outbox] == [["mira@example.com"], ["qa@example.com"]]
    assert [m.to for m in sms.outbox] == ["+8801711111111"]
    assert not customer.messages.exists()


def test_without_an_email_or_test_recipients_the_preview_says_where_tests_can_go(
    client, make_customer, make_template, settings
):
    settings.MESSAGING_TEST_RECIPIENTS = []
    marketer = staff_client(client, group="Marketer")
    customer = make_customer()

    page = marketer.get(preview_url(make_template()), {"customer": customer.external_id}).content.decode()

    assert "Send test" not in page
    assert "A test goes to your own email address" in page and "MESSAGING_TEST_RECIPIENTS" in page
