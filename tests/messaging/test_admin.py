"""The campaign manager's messaging screens."""

import pytest
from django.core import mail

from messaging.backends import sms
from messaging.models import Suppression, Template

pytestmark = pytest.mark.django_db


def template_form(**overrides):
    data = {
        "code": "spring",
        "name": "Spring sale",
        "channel": "sms",
        "kind": "marketing",
        "topic": "marketing",
        "translations-TOTAL_FORMS": "1",
        "translations-INITIAL_FORMS": "0",
        "translations-MIN_NUM_FORMS": "1",
        "translations-MAX_NUM_FORMS": "1000",
        "translations-0-language": "en",
        "translations-0-body": "Hi {{ customer.first_name }}",
    }
    return {**data, **overrides}


def test_the_admin_saves_a_template_and_refuses_one_that_does_not_compile(admin_client):
    broken = admin_client.post(
        "/admin/messaging/template/add/", template_form(**{"translations-0-body": "Hi\n{% if x %}"})
    )
    assert broken.status_code == 200
    assert "line 2" in broken.content.decode()
    assert not Template.objects.filter(code="spring").exists()

    saved = admin_client.post("/admin/messaging/template/add/", template_form())
    assert saved.status_code == 302
    assert Template.objects.get(code="spring").translations.get().body == "Hi {{ customer.first_name }}"


def test_preview_renders_for_a_sample_customer_and_counts_sms_parts(admin_client, make_customer, make_template):
    customer = make_customer(language="bn")
    template = make_template(
        code="bn_sms",
        channel="sms",
        translations=[{"language": "bn", "body": "{{ customer.first_name }}, আজ ১৫% ছাড়"}],
    )
    page = admin_client.get(f"/admin/messaging/template/{template.pk}/preview/?customer={customer.external_id}")
    html = page.content.decode()
    assert page.status_code == 200
    assert f"{customer.first_name}, আজ ১৫% ছাড়" in html
    assert "Bengali text is sent as Unicode (UCS-2): 70 characters per message" in html
    assert "UCS-2 because of" not in html and "errornote" not in html  # information, not an error listing letters


def test_a_test_send_goes_to_the_marketer_only(admin_client, admin_user, make_customer, make_template, settings):
    settings.MESSAGING_TEST_RECIPIENTS = ["+8801711111111"]
    customer = make_customer()
    email = make_template()
    text = make_template(code="sms_t", channel="sms")

    admin_client.post(
        f"/admin/messaging/template/{email.pk}/preview/",
        {"customer": customer.external_id, "language": "en", "to": admin_user.email},
    )
    admin_client.post(
        f"/admin/messaging/template/{text.pk}/preview/",
        {"customer": customer.external_id, "language": "en", "to": "+8801711111111"},
    )

    assert [(m.to, m.subject) for m in mail.outbox] == [([admin_user.email], f"[Test] Hi {customer.first_name}")]
    assert [m.to for m in sms.outbox] == ["+8801711111111"]
    assert not customer.messages.exists()  # not in the customer's history


def test_the_template_page_links_to_the_preview(admin_client, make_template):
    template = make_template()
    page = admin_client.get(f"/admin/messaging/template/{template.pk}/change/")
    assert f"/admin/messaging/template/{template.pk}/preview/" in page.content.decode()


def test_a_suppression_added_by_hand_is_normalised(admin_client):
    admin_client.post(
        "/admin/messaging/suppression/add/",
        {"channel": "email", "address": " Someone@Example.COM ", "reason": "manual", "source": ""},
    )
    assert list(Suppression.objects.values_list("address", "reason")) == [("someone@example.com", "manual")]


def test_outbox_and_provider_event_lists_open(admin_client, make_customer, make_template, enqueue):
    enqueue(make_customer(), make_template())
    assert admin_client.get("/admin/messaging/message/").status_code == 200
    assert admin_client.get("/admin/messaging/trackingevent/").status_code == 200


def test_a_template_shows_only_its_channels_fields(admin_client, make_template):
    sms_template = make_template(code="sms_only", channel="sms")
    email_template = make_template(code="email_only", channel="email")
    sms_page = admin_client.get(f"/admin/messaging/template/{sms_template.pk}/change/").text
    email_page = admin_client.get(f"/admin/messaging/template/{email_template.pk}/change/").text
    assert 'name="translations-0-body"' in sms_page
    for email_field in ("subject", "preheader", "html", "text"):
        assert f'name="translations-0-{email_field}"' not in sms_page
        assert f'name="translations-0-{email_field}"' in email_page
    assert 'name="translations-0-body"' not in email_page
    # Saving the SMS form keeps the translation's other fields as they were.
    kept = sms_template.translations.get()
    form = template_form(
        code="sms_only",
        **{
            "translations-INITIAL_FORMS": "1",
            "translations-0-id": str(kept.pk),
            "translations-0-template": str(sms_template.pk),
            "translations-0-body": "New text",
        },
    )
    assert admin_client.post(f"/admin/messaging/template/{sms_template.pk}/change/", form).status_code == 302
    kept.refresh_from_db()
    assert kept.body == "New text" and kept.subject == "Hi {{ customer.first_name }}"
