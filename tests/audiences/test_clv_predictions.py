"""Predicted lifetime value and churn end to end: the nightly run, the segment fields, the customer page, the
data-subject export and erasure, and the calibration command."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from audiences.clv import selectors
from audiences.clv.services import predictions_compute
from audiences.models import CustomerPrediction
from audiences.segments.selectors import matching_customers
from audiences.services.catalog import store_upsert
from audiences.services.customers import customer_upsert
from audiences.services.orders import OrderLineInput, order_create
from audiences.tasks import predictions_compute as predictions_task
from config.roles import MARKETER
from tests.backoffice.conftest import signed_in, staff_in

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
STEADY = {f"S-{n}" for n in range(12)}  # every 20 days for 300 days, up to two days ago
GONE = {f"G-{n}" for n in range(12)}  # every 5 days, then nothing for the last 300 days
ONCE = {f"O-{n}" for n in range(6)}  # one order, 100 days ago


def _orders(external_id: str, moments: list[datetime], amount: Decimal) -> None:
    customer, _ = customer_upsert(external_id=external_id, store="DHK-01")
    for number, moment in enumerate(moments):
        order_create(
            external_id=f"{external_id}/{number}",
            currency="BDT",
            placed_at=moment,
            customer=customer,
            lines=[OrderLineInput(sku="RICE", quantity=1, unit_price=amount)],
        )


@pytest.fixture
def shoppers():
    store_upsert(code="DHK-01", name="Dhaka", timezone="Asia/Dhaka", currency="BDT")
    for n, external_id in enumerate(sorted(STEADY)):
        _orders(external_id, [NOW - timedelta(days=2 + 20 * k) for k in range(15)], Decimal(100 + 10 * n))
    for external_id in sorted(GONE):
        _orders(external_id, [NOW - timedelta(days=300 + 5 * k) for k in range(15)], Decimal(150))
    for external_id in sorted(ONCE):
        _orders(external_id, [NOW - timedelta(days=100)], Decimal(80))
    customer_upsert(external_id="NEVER", store="DHK-01")


def _ids(rules) -> set[str]:
    return set(matching_customers(rules).values_list("external_id", flat=True))


def test_regular_buyers_are_kept_and_lapsed_ones_flagged(shoppers):
    run = predictions_compute(now=NOW)

    assert run.customers == len(STEADY | GONE | ONCE)
    rows = {row.customer.external_id: row for row in CustomerPrediction.objects.select_related("customer")}
    assert "NEVER" not in rows
    assert {rows[c].churn_risk for c in STEADY} == {"low"}
    assert {rows[c].churn_risk for c in GONE} == {"high"}
    # One purchase says nothing about dropping out (BG/NBD drops out only after a repeat buy).
    assert {rows[c].p_alive for c in ONCE} == {1.0}
    steady_value = min(rows[c].predicted_clv_12m for c in STEADY)
    assert steady_value > 10 * max(rows[c].predicted_clv_12m for c in GONE)
    assert all(rows[c].expected_orders_365 > rows[c].expected_orders_90 > 2 for c in STEADY)
    # The bigger spender among equally regular buyers is worth more.
    assert rows["S-11"].predicted_clv_12m > rows["S-0"].predicted_clv_12m
    value = rows["S-0"].predicted_clv_12m
    assert isinstance(value, Decimal) and value == value.quantize(Decimal("0.01"))
    assert {(row.currency, row.computed_at) for row in rows.values()} == {("BDT", NOW)}
    assert rows["S-0"].model_version.startswith("bgnbd-gg 2026-06-01")


def test_the_segment_fields_count_the_right_customers(shoppers):
    predictions_compute(now=NOW)

    assert _ids({"all": [{"field": "churn_risk", "op": "eq", "value": "high"}]}) == GONE
    assert _ids({"all": [{"field": "churn_risk", "op": "in", "value": ["low", "medium"]}]}) == STEADY | ONCE
    assert _ids({"all": [{"field": "churn_risk", "op": "exists", "value": False}]}) == {"NEVER"}
    assert _ids({"all": [{"field": "p_alive", "op": "lt", "value": 0.3}]}) == GONE
    valuable = {"all": [{"field": "predicted_clv_12m", "op": "gte", "value": 1000}]}
    assert _ids(valuable) == STEADY


def test_a_second_run_replaces_the_first_and_the_task_runs_it(shoppers):
    predictions_compute(now=NOW - timedelta(days=1))
    later = predictions_task.apply(throw=True).get()

    assert later == len(STEADY | GONE | ONCE)
    assert CustomerPrediction.objects.count() == later
    assert not CustomerPrediction.objects.filter(computed_at__lt=NOW).exists()


def test_the_customer_page_shows_the_prediction_with_its_version(shoppers):
    predictions_compute(now=NOW)
    row = CustomerPrediction.objects.select_related("customer").get(customer__external_id="G-0")
    admin = signed_in(staff_in(MARKETER, "mia"))

    page = admin.get(f"/admin/audiences/customer/{row.customer_id}/change/").content.decode()

    shown = page.split('id="section-prediction"')[1].split("</section>")[0]
    assert '<dt>Churn risk</dt><dd><span class="badge">High</span></dd>' in shown
    assert row.model_version in shown and "2026-06-01" in shown
    assert f"<dd>BDT {row.predicted_clv_12m.quantize(Decimal('0.01')):,}</dd>" in shown


def test_the_export_holds_the_prediction_and_erasure_removes_it(shoppers, marketer, django_capture_on_commit_callbacks):
    predictions_compute(now=NOW)

    exported = marketer.get("/api/v1/customers/S-3/export").json()["sections"]["prediction"]
    assert exported["churn_risk"] == "low" and exported["currency"] == "BDT"

    with django_capture_on_commit_callbacks(execute=True):
        assert marketer.post("/api/v1/customers/S-3/erase").status_code == 202
    assert not CustomerPrediction.objects.filter(customer__external_id="S-3").exists()
    predictions_compute(now=NOW + timedelta(hours=1))
    assert not CustomerPrediction.objects.filter(customer__external_id="S-3").exists()


def test_the_calibration_command_prints_each_decile(shoppers):
    out = StringIO()
    call_command("clv_calibrate", "--cutoff-days", "60", stdout=out)

    lines = out.getvalue().splitlines()
    deciles = [line.split() for line in lines if line.strip()[:2].strip().isdigit()]
    assert [int(row[0]) for row in deciles] == list(range(1, 11))
    # Customers who had bought before the cut-off: all but the never-buyer. The cut-off is 60 days before the last
    # order (2 days ago), so each steady buyer's orders of 2, 22, 42 and 62 days ago come after it.
    assert sum(int(row[1]) for row in deciles) == len(STEADY | GONE | ONCE)
    assert sum(int(row[3].replace(",", "")) for row in deciles) == len(STEADY) * 4
    assert "Middle deciles" in lines[-1]


def test_copy_into_a_new_table_writes_what_the_orm_upserts(shoppers, settings):
    written = {}
    for copy in (False, True):
        settings.BULK_WRITES_WITH_COPY = copy
        predictions_compute(now=NOW)
        written[copy] = list(CustomerPrediction.objects.order_by("customer_id").values_list())
    assert written[True] == written[False]
    assert len(written[True]) == len(STEADY | GONE | ONCE)


def test_the_purchase_days_read_as_arrays_are_the_days_read_row_by_row(shoppers):
    days = selectors._purchase_days("BDT", None, None)
    arrays, by_row = selectors._day_arrays("BDT", None, None), selectors._day_arrays_by_row(days)
    assert [column.tolist() for column in arrays] == [column.tolist() for column in by_row]
    assert len(arrays[0]) == 12 * 15 + 12 * 15 + 6
