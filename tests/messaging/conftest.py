"""Messaging fixtures: customers with consents, templates, and the test backends of each channel."""

import itertools

import pytest
from django.core import mail

from audiences.models import Customer, Store
from audiences.services.consent import consent_record
from messaging.backends import sms
from messaging.models import SenderAddress, Template
from messaging.services.outbox import message_enqueue
from messaging.services.templates import template_create

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _test_backends(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.SMS_BACKEND = "messaging.backends.sms.LocmemSMSBackend"
    settings.WHATSAPP_BACKEND = "messaging.backends.sms.LocmemSMSBackend"
    settings.MESSAGING_QUIET_HOURS = ""  # tests of quiet hours set their own window
    settings.MESSAGING_RATE_LIMITS = {}
    settings.SITE_URL = "https://engine.example.com"
    mail.outbox = []
    sms.outbox.clear()
    yield
    sms.outbox.clear()


DEFAULT_POSTAL_ADDRESS = "Shop Ltd, House 12, Road 7, Gulshan 1, Dhaka 1212"


@pytest.fixture
def sender_address(db) -> SenderAddress:
    """The default sender's postal address: without one no marketing email goes out."""
    return SenderAddress.objects.create(store=None, postal_address=DEFAULT_POSTAL_ADDRESS)


@pytest.fixture
def make_customer(db, sender_address):
    def make(*, consents=("email", "sms", "whatsapp"), language="en", timezone="Asia/Dhaka", **fields):
        number = next(_numbers)
        defaults = {
            "external_id": f"C-{number}",
            "email": f"customer{number}@example.com",
            "phone": f"+88017{number:08d}",
            "first_name": f"Rahim{number}",
            "language": language,
            "timezone": timezone,
        }
        customer = Customer.objects.create(**{**defaults, **fields})
        for channel in consents:
            consent_record(customer=customer, channel=channel, status="opted_in", source="test")
        return customer

    return make


@pytest.fixture
def dhaka(db) -> Store:
    return Store.objects.create(
        code="DHK-01", name="Dhaka Gulshan", timezone="Asia/Dhaka", currency="BDT", city="Dhaka"
    )


@pytest.fixture
def make_template(db, sender_address):
    def make(code="offer", channel="email", kind="marketing", translations=None, **fields):
        if translations is None:
            translations = [
                {
                    "language": "en",
                    "subject": "Hi {{ customer.first_name }}",
                    "html": '<p>Hello {{ customer.first_name }}</p><p><a href="https://shop.example.com/sale">Shop</a></p>',
                    "body": "Hi {{ customer.first_name }}, 15% off today. Reply STOP to opt out.",
                }
            ]
        return template_create(
            code=code, name=code.title(), channel=channel, kind=kind, translations=translations, **fields
        )

    return make


@pytest.fixture
def enqueue():
    def enqueue(customer, template: Template, key: str | None = None, **options):
        message, _ = message_enqueue(
            customer=customer, template=template, idempotency_key=key or f"{template.code}:{customer.pk}", **options
        )
        return message

    return enqueue
