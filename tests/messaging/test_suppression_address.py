"""A suppressed email address is in the one form customers' addresses are stored in (audiences/contact.py)."""

import pytest

from audiences.services.customers import customer_upsert
from messaging.models import Channel
from messaging.services.suppression import suppression_add


@pytest.mark.django_db
def test_a_customer_and_a_suppression_keep_the_same_address():
    customer, _ = customer_upsert(external_id="C-1", email="  Rahim@Example.COM")
    suppression = suppression_add(channel=Channel.EMAIL, address="RAHIM@example.com ", reason="hard_bounce")
    assert customer.email == suppression.address == "rahim@example.com"
