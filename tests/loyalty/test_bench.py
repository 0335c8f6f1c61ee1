"""`bench_loyalty` expires every lot it wrote, set-based, and leaves nothing behind."""

import io

import pytest
from django.core.management import call_command

from loyalty.models import Lot, Program


@pytest.mark.django_db
def test_the_expiry_benchmark_expires_every_lot_and_rolls_back():
    out = io.StringIO()
    call_command("bench_loyalty", lots=2_000, stdout=out)
    assert out.getvalue().startswith("expiry: 2,000 lots expired in ")
    assert not Lot.objects.exists() and not Program.objects.exists()
