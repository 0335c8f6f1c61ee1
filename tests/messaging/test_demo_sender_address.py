"""The demo data set comes with a sender postal address, so the demo's marketing emails go out."""

import pytest
from django.core import mail
from django.core.management import call_command

from audiences.models import Consent, Customer
from messaging.demo import DEMO_POSTAL_ADDRESS
from messaging.models import Message, SenderAddress
from messaging.services.dispatch import outbox_dispatch
from messaging.services.outbox import message_enqueue

pytestmark = pytest.mark.django_db

SMALL = {"customers": 30, "orders": 60, "products": 12, "stores": 2, "no_progress": True}


def test_seed_demo_installs_a_sender_address_and_demo_emails_are_sent(make_template):
    SenderAddress.objects.all().delete()
    call_command("seed_demo", **SMALL)

    assert list(SenderAddress.objects.values_list("store", "postal_address")) == [(None, DEMO_POSTAL_ADDRESS)]
    opted_in = Consent.objects.filter(channel="email", topic="marketing", status="opted_in").values("customer")
    customer = Customer.objects.filter(pk__in=opted_in).exclude(email="").first()
    message_enqueue(customer=customer, template=make_template(), idempotency_key="demo-offer")
    outbox_dispatch()
    assert DEMO_POSTAL_ADDRESS in mail.outbox[0].alternatives[0][0]

    Message.objects.all().delete()  # messages refer to customers: flush refuses while they exist
    call_command("seed_demo", flush=True, **SMALL)  # flushing stores is not blocked by the address
    assert SenderAddress.objects.get().postal_address == DEMO_POSTAL_ADDRESS


def test_an_operators_own_address_is_kept(make_template):
    call_command("seed_demo", **SMALL)
    assert SenderAddress.objects.get().postal_address != DEMO_POSTAL_ADDRESS  # the one the tests set up
