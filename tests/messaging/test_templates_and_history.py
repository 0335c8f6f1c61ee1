"""Templates (API and rendering rules), double opt-in, and the customer's message history."""

import pytest
from django.core import mail

from audiences.models import Consent
from messaging.models import Template
from messaging.rendering import TemplateTextError, compile_text, html_to_text, render_translation
from messaging.services.dispatch import outbox_dispatch

pytestmark = pytest.mark.django_db

WINBACK = {
    "code": "winback_a",
    "name": "Win back A",
    "channel": "sms",
    "kind": "marketing",
    "translations": [
        {"language": "en", "body": "{{ customer.first_name }}, {{ coupon.code }} gives 15% off."},
        {"language": "bn", "body": "{{ customer.first_name }}, {{ coupon.code }} কোডে ১৫% ছাড়।"},
    ],
}


def test_create_read_and_patch_a_template(marketer):
    created = marketer.post("/api/v1/templates", WINBACK, format="json")
    assert created.status_code == 201, created.json()
    assert [t["language"] for t in created.json()["translations"]] == ["bn", "en"]

    patched = marketer.patch(
        "/api/v1/templates/winback_a",
        {"name": "Win back (A)", "translations": [{"language": "sw", "body": "Tumia {{ coupon.code }}"}]},
        format="json",
    )
    assert patched.status_code == 200
    body = marketer.get("/api/v1/templates/winback_a").json()
    assert body["name"] == "Win back (A)"
    assert {t["language"]: t["body"] for t in body["translations"]}["sw"] == "Tumia {{ coupon.code }}"
    assert len(body["translations"]) == 3
    # double_opt_in, the guide's five, the first journeys' ten, the later ready-made journeys' fourteen, the
    # warranty reminder's two
    assert marketer.get("/api/v1/templates").json()["count"] == 33


def test_a_template_that_does_not_compile_is_a_400_naming_the_line(marketer):
    broken = {
        **WINBACK,
        "translations": [{"language": "en", "body": "Hello\n{% if customer.first_name %}\n{{ customer.first_name }}"}],
    }
    response = marketer.post("/api/v1/templates", broken, format="json")
    assert response.status_code == 400
    problem = response.json()["fields"]["translations[0].body"]
    assert "line 2" in str(problem) and "endif" in str(problem)
    assert not Template.objects.filter(code="winback_a").exists()


@pytest.mark.parametrize(
    "source", ["{% load static %}", "{% include 'x.html' %}", "{% debug %}", "{% url 'admin:index' %}"]
)
def test_tags_that_reach_outside_the_message_are_refused(source):
    with pytest.raises(TemplateTextError):
        compile_text(source)


def test_a_duplicate_code_or_language_is_refused(marketer):
    marketer.post("/api/v1/templates", WINBACK, format="json")
    again = marketer.post("/api/v1/templates", WINBACK, format="json")
    assert again.status_code == 400 and "code" in again.json()["fields"]
    twice = {**WINBACK, "code": "other", "translations": [WINBACK["translations"][0]] * 2}
    assert "translations[1].language" in marketer.post("/api/v1/templates", twice, format="json").json()["fields"]


def test_an_analyst_may_read_templates_but_not_write_them(analyst):
    assert analyst.get("/api/v1/templates").status_code == 200
    assert analyst.post("/api/v1/templates", WINBACK, format="json").status_code == 403


def test_html_is_escaped_text_is_not_and_text_is_derived():
    rendered = render_translation(
        {"subject": "Hi {{ customer.first_name }}", "html": "<p>Hi {{ customer.first_name }}</p>"},
        {"customer": {"first_name": "<Tom & Jerry>"}},
    )
    assert rendered.subject == "Hi <Tom & Jerry>"
    assert rendered.html == "<p>Hi &lt;Tom &amp; Jerry&gt;</p>"
    assert rendered.text == "Hi <Tom & Jerry>"


def test_html_to_text_keeps_links_and_blocks():
    html = '<style>p{}</style><h1>Sale</h1><p>Up to 30%<br>today</p><a href="https://s.example/x">Shop now</a>'
    assert html_to_text(html) == "Sale\nUp to 30%\ntoday\nShop now (https://s.example/x)"


def test_message_history_lists_statuses_and_reasons_newest_first(
    marketer, analyst, make_customer, make_template, enqueue
):
    customer = make_customer(consents=("sms",))
    first = enqueue(customer, make_template(code="e"), campaign_id=12, variant="A")
    second = enqueue(customer, make_template(code="s", channel="sms"), journey="welcome")
    outbox_dispatch()

    response = analyst.get(f"/api/v1/customers/{customer.external_id}/messages")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["id"], r["status"], r["reason"]) for r in rows] == [
        (second.pk, "sent", ""),
        (first.pk, "skipped", "no_consent"),
    ]
    assert rows[1]["campaign"] == 12 and rows[1]["template"] == "e" and rows[0]["journey"] == "welcome"
    assert marketer.get("/api/v1/customers/NOPE/messages").status_code == 404


def test_double_opt_in_holds_email_consent_until_confirmed(
    settings, storefront, client, make_customer, django_capture_on_commit_callbacks
):
    settings.EMAIL_DOUBLE_OPT_IN = True
    customer = make_customer(consents=())

    with django_capture_on_commit_callbacks(execute=True):  # the email is asked for after commit
        with_confirmation = storefront.post(
            f"/api/v1/customers/{customer.external_id}/consents",
            {"channel": "email", "status": "opted_in", "source": "storefront"},
            format="json",
        )
    assert with_confirmation.status_code in (200, 201)
    assert Consent.objects.get(customer=customer, channel="email").status == "pending"
    assert len(mail.outbox) == 1 and "confirm" in mail.outbox[0].subject.lower()
    link = next(part for part in mail.outbox[0].body.split() if "/confirm/" in part).strip("()")

    assert client.get(link.replace("https://engine.example.com", "")[:-2] + "xx").status_code == 400
    assert Consent.objects.get(customer=customer, channel="email").status == "pending"
    confirmed = client.get(link.replace("https://engine.example.com", ""))

    assert confirmed.status_code == 200
    consent = Consent.objects.get(customer=customer, channel="email")
    assert (consent.status, consent.source) == ("opted_in", "double_opt_in")
