"""The outbox end to end: queue once, check the policy in order, render, hand off, record."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audiences.models import ConsentRecord, Event
from audiences.services.consent import consent_record
from messaging.backends import sms
from messaging.models import Message
from messaging.services.dispatch import outbox_dispatch
from messaging.services.suppression import suppression_add

pytestmark = pytest.mark.django_db


def dispatch():
    return outbox_dispatch()


def test_a_key_queues_one_message_and_the_email_carries_unsubscribe_headers(make_customer, make_template, enqueue):
    customer = make_customer()
    template = make_template()
    first = enqueue(customer, template, key="campaign-1:A:customer")
    again = enqueue(customer, template, key="campaign-1:A:customer")

    report = dispatch()

    assert first.pk == again.pk and Message.objects.count() == 1
    assert report.sent == 1 and len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [customer.email]
    assert email.subject == f"Hi {customer.first_name}"
    assert email.extra_headers["List-Unsubscribe"].startswith("<https://engine.example.com/u/")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "List-Id" in email.extra_headers
    assert email.metadata == {"mid": str(first.pk)}
    html = email.alternatives[0][0]
    assert "https://engine.example.com/c/" in html and 'href="https://shop.example.com/sale"' not in html
    assert "Shop (https://shop.example.com/sale)" in email.body  # text part derived from the HTML
    first.refresh_from_db()
    assert first.status == "sent" and first.sent_at and first.address == customer.email
    assert dispatch().sent == 0  # nothing is sent twice


def test_marketing_needs_consent_for_its_channel_and_topic(make_customer, make_template, enqueue):
    never_asked = make_customer(consents=())
    opted_out = make_customer()
    consent_record(customer=opted_out, channel="email", status="opted_out", source="pos")
    consented = make_customer()
    loyalty_only = make_template(code="points", topic="loyalty")
    offer = make_template()
    messages = [enqueue(c, offer) for c in (never_asked, opted_out, consented)] + [enqueue(consented, loyalty_only)]

    report = dispatch()

    assert report.sent == 1 and report.skipped == {"no_consent": 3}
    statuses = [(m.status, m.reason) for m in Message.objects.filter(pk__in=[m.pk for m in messages]).order_by("pk")]
    assert statuses == [("skipped", "no_consent")] * 2 + [("sent", "")] + [("skipped", "no_consent")]
    assert [email.to for email in mail.outbox] == [[consented.email]]


def test_transactional_needs_no_consent_but_never_reaches_a_suppressed_address(make_customer, make_template, enqueue):
    receipt = make_template(code="receipt", kind="transactional")
    plain = make_customer(consents=())
    bounced = make_customer(consents=())
    suppression_add(channel="email", address=bounced.email.upper(), reason="hard_bounce")

    enqueue(plain, receipt)
    suppressed = enqueue(bounced, receipt)
    report = dispatch()

    assert report.sent == 1 and report.skipped == {"suppressed": 1}
    assert [email.to for email in mail.outbox] == [[plain.email]]
    suppressed.refresh_from_db()
    assert (suppressed.status, suppressed.reason) == ("skipped", "suppressed")
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers  # transactional mail is not a list


def test_no_address_is_a_skip_with_its_reason(make_customer, make_template, enqueue):
    customer = make_customer(phone="")
    message = enqueue(customer, make_template(code="sms_offer", channel="sms"))
    dispatch()
    message.refresh_from_db()
    assert (message.status, message.reason) == ("skipped", "no_address")


def test_frequency_caps_per_channel_and_overall_with_a_campaign_override(
    settings, make_customer, make_template, enqueue
):
    settings.MESSAGING_CAP_PER_CHANNEL = "3/7"
    settings.MESSAGING_CAP_OVERALL = "4/7"
    customer = make_customer()
    email = make_template(code="e")
    text = make_template(code="s", channel="sms")
    for week_day in range(3):
        enqueue(customer, email, key=f"earlier-{week_day}")
    assert dispatch().sent == 3
    enqueue(customer, email, key="fourth")
    enqueue(customer, text, key="sms-one")
    enqueue(customer, text, key="sms-two")
    enqueue(customer, email, key="generous", frequency_cap={"per_channel": "10/7", "overall": "10/7"})

    report = dispatch()

    statuses = {m.idempotency_key: (m.status, m.reason) for m in Message.objects.all()}
    assert statuses["fourth"] == ("skipped", "frequency_cap")  # 3 emails this week already
    assert statuses["sms-one"] == ("sent", "")  # other channel, overall 4 not reached
    assert statuses["sms-two"] == ("skipped", "frequency_cap")  # overall 4 reached
    assert statuses["generous"] == ("sent", "")
    assert report.skipped == {"frequency_cap": 2}
    assert len(sms.outbox) == 1
    # a week later the window has passed
    Message.objects.update(claimed_at=timezone.now() - timedelta(days=8))
    enqueue(customer, email, key="next-week")
    assert dispatch().sent == 1


def test_transactional_messages_do_not_count_toward_caps(settings, make_customer, make_template, enqueue):
    settings.MESSAGING_CAP_PER_CHANNEL = settings.MESSAGING_CAP_OVERALL = "1/7"
    customer = make_customer()
    receipt = make_template(code="receipt", kind="transactional")
    for number in range(3):
        enqueue(customer, receipt, key=f"receipt-{number}")
    enqueue(customer, make_template(), key="offer")
    assert dispatch().sent == 4


def _window_around(local_now):
    start = (local_now - timedelta(hours=1)).strftime("%H:%M")
    end = (local_now + timedelta(hours=1)).strftime("%H:%M")
    return f"{start}-{end}"


def test_quiet_hours_defer_in_the_customers_own_time_zone(settings, make_customer, make_template, enqueue, dhaka):
    from zoneinfo import ZoneInfo

    now = timezone.now()
    settings.MESSAGING_QUIET_HOURS = _window_around(now.astimezone(ZoneInfo("Asia/Dhaka")))
    in_dhaka = make_customer(timezone="Asia/Dhaka")
    via_store = make_customer(timezone="", store=dhaka)  # no zone of their own: the store's
    in_dar = make_customer(timezone="Africa/Dar_es_Salaam")  # three hours behind: outside the window
    offer = make_template(code="sms_offer", channel="sms")
    receipt = make_template(code="receipt", channel="sms", kind="transactional")
    deferred = [enqueue(in_dhaka, offer), enqueue(via_store, offer)]
    enqueue(in_dar, offer)
    enqueue(in_dhaka, receipt)

    report = dispatch()

    assert report.sent == 2 and report.deferred == 2
    for message in deferred:
        message.refresh_from_db()
        assert (message.status, message.reason) == ("deferred", "quiet_hours")
        local_end = message.scheduled_for.astimezone(ZoneInfo("Asia/Dhaka"))
        assert local_end.strftime("%H:%M") == settings.MESSAGING_QUIET_HOURS.split("-")[1]
        assert message.scheduled_for > now
    assert {m.to for m in sms.outbox} == {in_dar.phone, in_dhaka.phone}
    assert dispatch().sent == 0  # still quiet
    Message.objects.filter(pk__in=[m.pk for m in deferred]).update(scheduled_for=now - timedelta(seconds=1))
    settings.MESSAGING_QUIET_HOURS = ""
    assert dispatch().sent == 2  # deferred, not dropped


def test_each_customer_gets_their_language_with_fallback(make_customer, make_template, enqueue):
    template = make_template(
        code="sms_offer",
        channel="sms",
        translations=[
            {"language": "en", "body": "Hello {{ customer.first_name }}"},
            {"language": "bn", "body": "স্বাগতম {{ customer.first_name }}"},
        ],
    )
    bengali = make_customer(language="bn")
    swahili = make_customer(language="sw")
    enqueue(bengali, template)
    enqueue(swahili, template)
    dispatch()
    bodies = {message.to: message.body for message in sms.outbox}
    assert bodies[bengali.phone] == f"স্বাগতম {bengali.first_name}"
    assert bodies[swahili.phone] == f"Hello {swahili.first_name}"
    assert set(Message.objects.values_list("language", flat=True)) == {"bn", "en"}


def test_whatsapp_goes_through_its_backend(make_customer, make_template, enqueue):
    customer = make_customer()
    enqueue(customer, make_template(code="wa", channel="whatsapp"))
    dispatch()
    assert [(m.channel, m.to) for m in sms.outbox] == [("whatsapp", customer.phone)]


def test_context_has_coupon_and_products(make_customer, make_template, enqueue):
    from audiences.models import Product

    Product.objects.create(sku="TV-55", name="55in TV", price="54000.00", currency="BDT")
    template = make_template(
        code="coupon_sms",
        channel="sms",
        translations=[
            {
                "language": "en",
                "body": "Use {{ coupon.code }}{% for p in products %}"
                " on {{ p.name }} ({{ p.price }} {{ p.currency }}){% endfor %}",
            }
        ],
    )
    enqueue(make_customer(), template, context={"coupon": {"code": "WIN-ABCD"}, "products": ["TV-55", "GONE"]})
    dispatch()
    assert sms.outbox[0].body == "Use WIN-ABCD on 55in TV (54000.00 BDT)"


class FlakySMSBackend(sms.BaseTextBackend):
    transient = True

    def send_messages(self, messages):
        raise sms.SendError("gateway timeout", transient=type(self).transient)


def test_a_transient_error_is_retried_later_and_a_permanent_one_fails(settings, make_customer, make_template, enqueue):
    settings.SMS_BACKEND = "tests.messaging.test_outbox.FlakySMSBackend"
    settings.MESSAGING_MAX_ATTEMPTS = 2
    message = enqueue(make_customer(), make_template(code="s", channel="sms"))

    before = timezone.now()
    report = dispatch()
    message.refresh_from_db()
    assert report.retried == 1
    assert (message.status, message.reason, message.attempts) == ("queued", "retry", 1)
    assert message.scheduled_for >= before + timedelta(minutes=1)
    assert "gateway timeout" in message.error

    Message.objects.filter(pk=message.pk).update(scheduled_for=before)
    dispatch()
    message.refresh_from_db()
    assert (message.status, message.reason, message.attempts) == ("failed", "provider_error", 2)

    FlakySMSBackend.transient = False
    try:
        rejected = enqueue(make_customer(), message.template, key="other")
        dispatch()
        rejected.refresh_from_db()
        assert (rejected.status, rejected.reason) == ("failed", "rejected")
    finally:
        FlakySMSBackend.transient = True


def test_a_template_without_the_needed_part_fails_with_a_reason(make_customer, make_template, enqueue):
    template = make_template(code="empty", channel="sms", translations=[{"language": "en", "subject": "x"}])
    message = enqueue(make_customer(), template)
    dispatch()
    message.refresh_from_db()
    assert (message.status, message.reason) == ("failed", "template_error")


def test_a_tracked_click_records_the_click_and_carries_the_message_id(client, make_customer, make_template, enqueue):
    customer = make_customer()
    message = enqueue(customer, make_template())
    dispatch()
    html = mail.outbox[0].alternatives[0][0]
    tracked = html.split('href="https://engine.example.com')[1].split('"')[0]

    response = client.get(tracked)

    assert response.status_code == 302
    assert response["Location"] == f"https://shop.example.com/sale?mid={message.pk}"
    message.refresh_from_db()
    assert message.status == "clicked" and message.clicked_at
    client.get(tracked)
    assert Event.objects.filter(customer=customer, type="message_clicked").count() == 1
    assert client.get(tracked[:-3] + "abc").status_code == 400


def test_in_app_messages_are_read_through_the_storefront_api(storefront, make_customer, make_template, enqueue):
    customer = make_customer(consents=())
    template = make_template(
        code="inbox", channel="in_app", translations=[{"language": "en", "subject": "New offer", "body": "10% off"}]
    )
    message = enqueue(customer, template)
    dispatch()

    listed = storefront.get(f"/api/v1/customers/{customer.external_id}/notifications")
    assert listed.status_code == 200
    assert listed.json()["results"] == [
        {
            "id": message.pk,
            "title": "New offer",
            "body": "10% off",
            "read": False,
            "sent_at": listed.json()["results"][0]["sent_at"],
        }
    ]
    read = storefront.post(f"/api/v1/notifications/{message.pk}/read")
    assert read.status_code == 200 and read.json()["read"] is True
    message.refresh_from_db()
    assert message.status == "opened"
    assert Event.objects.filter(customer=customer, type="message_opened").count() == 1
    assert ConsentRecord.objects.filter(customer=customer).count() == 0


def test_a_template_failing_for_one_message_fails_that_message_only(make_customer, make_template, enqueue):
    broken = make_template(
        code="broken",
        channel="sms",
        translations=[{"language": "en", "body": "{{ 5|divisibleby:customer.orders_count }}"}],
    )
    failing = enqueue(make_customer(), broken)
    fine = enqueue(make_customer(), make_template(code="fine", channel="sms"))

    report = dispatch()

    failing.refresh_from_db()
    fine.refresh_from_db()
    assert (failing.status, failing.reason) == ("failed", "template_error")
    assert "ZeroDivisionError" in failing.error
    assert fine.status == "sent" and report.sent == 1


class TakeoverSMSBackend(sms.BaseTextBackend):
    """Hands off like a provider; on its first send another worker takes over the last message."""

    sent: list[str] = []
    taken_over: int | None = None

    def send_messages(self, messages):
        type(self).sent.extend(message.to for message in messages)
        if len(type(self).sent) == 1:
            later = timezone.now() + timedelta(seconds=1)
            Message.objects.filter(pk=type(self).taken_over).update(claimed_at=later, claimed_until=later)
        return [message.idempotency_key for message in messages]


def test_a_slow_batch_leaves_what_another_worker_took_over(settings, make_customer, make_template, enqueue):
    settings.SMS_BACKEND = "tests.messaging.test_outbox.TakeoverSMSBackend"
    settings.MESSAGING_HANDOFF_GROUP = 1
    settings.MESSAGING_LEASE_SECONDS = 0  # every group is past half its lease: each checks it is still held
    template = make_template(code="slow", channel="sms")
    customers = [make_customer() for _ in range(3)]
    messages = [enqueue(customer, template) for customer in customers]
    TakeoverSMSBackend.sent, TakeoverSMSBackend.taken_over = [], messages[-1].pk

    report = dispatch()

    assert TakeoverSMSBackend.sent == [customers[0].phone, customers[1].phone]
    assert report.sent == 2
    statuses = [Message.objects.get(pk=message.pk).status for message in messages]
    assert statuses == ["sent", "sent", "sending"]  # the other worker's to send
