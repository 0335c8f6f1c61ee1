"""`bench_loyalty` runs its three sections at a small scale, finds no drift, and leaves nothing behind; the
drift check names a member whose numbers disagree."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from audiences.models import Customer
from loyalty.models import Lot, Member, Program
from loyalty.services.drift import ledger_drift_check
from tests.loyalty.conftest import T0, earn, new_member


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark writes with generate_series")
@pytest.mark.django_db(transaction=True)  # expiry commits its rows, as the periodic job sees them
def test_the_benchmark_runs_every_section_and_leaves_nothing_behind(catalog):
    out = io.StringIO()
    call_command("bench_loyalty", lots=2_000, orders=20, members=500, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("expiry: 2,000 lots expired in ")
    assert lines[1].startswith("earn on order: 20 orders through POST /api/v1/orders in ")
    assert lines[2].startswith("earn on order, this host's ceiling at that cost: ")
    assert "orders/s with every core busy (the goal needs ≤ " in lines[2]
    assert lines[3].startswith("drift check: 500 members and 500 lots checked in ")
    assert "0 members and 0 lots drifting" in lines[3]
    assert not Lot.objects.exists() and not Program.objects.exists()
    assert not Customer.objects.filter(external_id__startswith="BENCH-").exists()


@pytest.mark.django_db
def test_the_drift_check_names_a_member_whose_lots_disagree_with_the_ledger(program):
    honest, tampered = new_member(program, "C-1"), new_member(program, "C-2")
    earn(honest, 100, external_id="O-1", placed_at=T0)
    earn(tampered, 100, external_id="O-2", placed_at=T0)
    assert ledger_drift_check().members == 0
    Lot.objects.filter(member=tampered).update(remaining=90)  # what a bug writing lots directly would do
    drift = ledger_drift_check()
    assert (drift.members, drift.member_ids, drift.lots) == (1, [tampered.pk], 1)


@pytest.mark.django_db
def test_the_drift_check_names_a_member_whose_order_points_earned_disagrees_with_their_entries(program):
    honest, tampered = new_member(program, "C-1"), new_member(program, "C-2")
    earn(honest, 100, external_id="O-1", placed_at=T0)
    earn(tampered, 100, external_id="O-2", placed_at=T0)
    assert Member.objects.get(pk=honest.pk).order_points_earned == 100
    Member.objects.filter(pk=tampered.pk).update(order_points_earned=10_000)
    drift = ledger_drift_check()
    assert (drift.members, drift.member_ids, drift.lots) == (1, [tampered.pk], 0)
