"""The first report of a vehicle or of a store's stock, sent twice at once on separate connections (a DMS and a
POS retrying, say): both succeed, one row results, and its history is what one report after the other gives."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from itertools import pairwise

import pytest
from django.db import connections
from django.utils import timezone

from audiences.models import Event, StockLevel, Vehicle, VehicleOwnership
from audiences.services.catalog import product_upsert, store_upsert
from audiences.services.customers import customer_upsert
from audiences.services.stock import StockInput, stock_set
from audiences.vehicles.services import vehicle_upsert

pytestmark = pytest.mark.django_db(transaction=True)

VIN = "1HGCM82633A004352"
AT_ONCE = 4


def all_at_once(job, arguments: list) -> list:
    start = threading.Barrier(len(arguments))

    def run(argument):
        try:
            start.wait(timeout=30)
            return job(argument)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        return [future.result(timeout=60) for future in [pool.submit(run, argument) for argument in arguments]]


def test_first_puts_of_one_vin_at_once_make_one_vehicle_with_a_consistent_ownership_history():
    for name in ("ana", "ben"):
        customer_upsert(external_id=name)
    owners = ["ana", "ben", "ana", "ben"]

    results = all_at_once(
        lambda owner: vehicle_upsert(vin=VIN, customer=owner, make="Honda", model="Accord", year=2003), owners
    )

    assert sum(created for _, created in results) == 1
    vehicle = Vehicle.objects.get(vin=VIN)
    history = list(VehicleOwnership.objects.filter(vehicle=vehicle).order_by("pk"))
    assert [row.ended_at is None for row in history].count(True) == 1
    assert history[-1].ended_at is None and history[-1].customer_id == vehicle.owner_id
    # Each report that changed hands closed the ownership before it.
    assert all(earlier.customer_id != later.customer_id for earlier, later in pairwise(history))


def test_first_reports_of_one_stock_level_at_once_make_one_row_and_one_restock():
    store_upsert(code="DLR-X", name="Dealer X", timezone="Africa/Dar_es_Salaam", currency="TZS")
    product_upsert(sku="COR", name="Corolla", price=Decimal("30000000"), currency="TZS", in_stock=False)
    viewer, _ = customer_upsert(external_id="ana", store="DLR-X")
    Event.objects.create(customer=viewer, type="product_viewed", occurred_at=timezone.now(), properties={"sku": "COR"})

    all_at_once(
        lambda quantity: stock_set(levels=[StockInput(sku="COR", store="DLR-X", quantity=quantity)]), [3] * AT_ONCE
    )

    level = StockLevel.objects.get(product__sku="COR")
    assert level.quantity == 3 and level.restocks == 1
    assert Event.objects.filter(type="back_in_stock", customer=viewer).count() == 1
