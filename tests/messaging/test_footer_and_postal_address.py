"""Every marketing email carries the sender's postal address (CAN-SPAM) and a footer in its own
language; without an address it is not sent, and says why."""

import pytest
from django.core import mail

from audiences.models import Store
from messaging.models import Message, SenderAddress
from messaging.services.dispatch import outbox_dispatch

from .conftest import DEFAULT_POSTAL_ADDRESS

pytestmark = pytest.mark.django_db

SWAHILI = {
    "language": "sw",
    "subject": "Habari {{ customer.first_name }}",
    "html": '<p>Punguzo la 15% leo.</p><p><a href="https://shop.example.com/sale">Nunua</a></p>',
}
ENGLISH = {
    "language": "en",
    "subject": "Hi {{ customer.first_name }}",
    "html": '<p>15% off today.</p><p><a href="https://shop.example.com/sale">Shop</a></p>',
}


def _dar_store(address: str) -> Store:
    store = Store.objects.create(code="DAR-01", name="Dar", timezone="Africa/Dar_es_Salaam", currency="TZS")
    SenderAddress.objects.create(store=store, postal_address=address)
    return store


def test_a_marketing_email_without_a_postal_address_is_skipped_with_its_reason(
    make_customer, make_template, enqueue, admin_client
):
    SenderAddress.objects.all().delete()
    customer = make_customer()
    offer = enqueue(customer, make_template())
    receipt = enqueue(customer, make_template(code="receipt", kind="transactional"))

    report = outbox_dispatch()

    offer.refresh_from_db()
    assert (offer.status, offer.reason) == ("skipped", "no_postal_address")
    assert report.skipped["no_postal_address"] == 1
    assert [email.to for email in mail.outbox] == [[customer.email]]  # the receipt only
    assert Message.objects.get(pk=receipt.pk).status == "sent"
    listed = admin_client.get("/admin/messaging/message/?reason=no_postal_address").content.decode()
    assert f"/admin/messaging/message/{offer.pk}/change/" in listed
    assert f"/admin/messaging/message/{receipt.pk}/change/" not in listed


def test_sms_are_not_held_for_a_postal_address(make_customer, make_template, enqueue):
    SenderAddress.objects.all().delete()
    message = enqueue(make_customer(), make_template(code="sms_offer", channel="sms"))
    assert outbox_dispatch().sent == 1
    message.refresh_from_db()
    assert message.status == "sent"


def test_the_footer_carries_the_stores_own_address_else_the_default(make_customer, make_template, enqueue):
    dar = _dar_store("Duka Ltd\nMlimani City, Sam Nujoma Rd\nDar es Salaam")
    at_dar = make_customer(store=dar)
    without_store = make_customer()
    template = make_template()
    enqueue(at_dar, template)
    enqueue(without_store, template)

    outbox_dispatch()

    emails = {email.to[0]: email for email in mail.outbox}
    dar_email, default_email = emails[at_dar.email], emails[without_store.email]
    assert "Duka Ltd<br>Mlimani City, Sam Nujoma Rd<br>Dar es Salaam" in dar_email.alternatives[0][0]
    assert dar_email.body.endswith("Duka Ltd Mlimani City, Sam Nujoma Rd Dar es Salaam")
    assert DEFAULT_POSTAL_ADDRESS in default_email.alternatives[0][0]
    assert default_email.body.endswith(DEFAULT_POSTAL_ADDRESS)
    assert "Duka Ltd" not in default_email.alternatives[0][0]


def test_footer_lang_and_unsubscribe_text_follow_the_messages_language(make_customer, make_template, enqueue):
    template = make_template(translations=[ENGLISH, SWAHILI])
    swahili = make_customer(language="sw")
    english = make_customer(language="en")
    enqueue(swahili, template)
    enqueue(english, template)

    outbox_dispatch()

    emails = {email.to[0]: email for email in mail.outbox}
    swahili_html, english_html = emails[swahili.email].alternatives[0][0], emails[english.email].alternatives[0][0]
    assert '<html lang="sw">' in swahili_html and '<html lang="en">' not in swahili_html
    assert "Jiondoe au badilisha mapendeleo yako" in swahili_html
    assert "Unsubscribe or change your preferences" not in swahili_html
    assert "Jiondoe au badilisha mapendeleo yako: https://engine.example.com/u/" in emails[swahili.email].body
    assert '<html lang="en">' in english_html and "Unsubscribe or change your preferences" in english_html


def test_bengali_footer(make_customer, make_template, enqueue):
    bengali = {"language": "bn", "subject": "অফার", "html": "<p>আজ ১৫% ছাড়</p>"}
    enqueue(make_customer(language="bn"), make_template(translations=[bengali]))
    outbox_dispatch()
    html = mail.outbox[0].alternatives[0][0]
    assert '<html lang="bn">' in html and "আনসাবস্ক্রাইব করুন বা আপনার পছন্দ বদলান" in html


def test_a_transactional_email_has_no_marketing_footer_but_its_own_lang(make_customer, make_template, enqueue):
    enqueue(make_customer(language="sw"), make_template(code="receipt", kind="transactional", translations=[SWAHILI]))
    outbox_dispatch()
    html = mail.outbox[0].alternatives[0][0]
    assert '<html lang="sw">' in html
    assert DEFAULT_POSTAL_ADDRESS not in html and "Jiondoe" not in html


def test_batch_sends_keep_each_stores_address_and_language(settings, make_customer, make_template, enqueue):
    settings.MESSAGING_EMAIL_MERGE_FIELD = "{{{name}}}"
    dar = _dar_store("Duka Ltd, Dar es Salaam")
    template = make_template(translations=[ENGLISH, SWAHILI])
    for customer in (make_customer(store=dar), make_customer(store=dar), make_customer(), make_customer(language="sw")):
        enqueue(customer, template)

    outbox_dispatch()

    # One batch per postal address and language, each layout with its own footer.
    batches = {
        ("Duka Ltd" in html, '<html lang="sw">' in html): len(email.to)
        for email in mail.outbox
        for html in [email.alternatives[0][0]]
    }
    assert batches == {(True, False): 2, (False, False): 1, (False, True): 1}
    for email in mail.outbox:
        texts = [values["text"] for values in getattr(email, "merge_data", {}).values()] or [email.body]
        assert all(text.endswith(("Duka Ltd, Dar es Salaam", DEFAULT_POSTAL_ADDRESS)) for text in texts)


def test_the_preview_shows_the_footer_the_customer_would_get(admin_client, make_customer, make_template):
    template = make_template(translations=[ENGLISH, SWAHILI])
    customer = make_customer(language="sw")
    page = admin_client.get(f"/admin/messaging/template/{template.pk}/preview/?customer={customer.external_id}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Jiondoe au badilisha mapendeleo yako" in html and DEFAULT_POSTAL_ADDRESS in html


def test_sender_addresses_are_edited_in_the_admin_one_default_only(admin_client):
    add = "/admin/messaging/senderaddress/add/"
    saved = admin_client.post(add, {"store": "", "postal_address": "Shop Ltd, Dhaka"})
    assert saved.status_code == 302
    second = admin_client.post(add, {"store": "", "postal_address": "Another default"})
    assert second.status_code == 200 and "errornote" in second.content.decode()
    blank = admin_client.post(add, {"store": "", "postal_address": ""})
    assert blank.status_code == 200 and "This field is required" in blank.content.decode()
    assert list(SenderAddress.objects.values_list("postal_address", flat=True)) == ["Shop Ltd, Dhaka"]
