"""One form of an email address, in Python and in SQL (audiences/contact.py)."""

import pytest

from audiences.contact import normalised_email, normalised_email_sql
from audiences.models import Customer


@pytest.mark.django_db
@pytest.mark.parametrize("raw", [" Rahim@Example.COM ", "rahim@example.com", "RAHIM@EXAMPLE.COM  "])
def test_the_python_and_sql_forms_agree(raw):
    Customer.objects.create(external_id="C-1", email=raw)  # as the admin or a bulk load may store it
    in_sql = Customer.objects.annotate(address=normalised_email_sql("email")).get().address
    assert in_sql == normalised_email(raw) == "rahim@example.com"
