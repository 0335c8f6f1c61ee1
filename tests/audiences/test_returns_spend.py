"""A return takes what came back out of the customer's total spent, as placing put it in."""

import pytest

from tests.promotions.conftest import catalog, customer, hdmi, place, rice  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _spent(client):
    return client.get("/api/v1/customers/C-1001").json()["total_spent"]


@pytest.mark.usefixtures("catalog", "customer")
def test_a_return_lowers_total_spent_once_and_a_later_recount_keeps_it_out(storefront):
    assert place(storefront, "O-1", [rice(10), hdmi(2)], customer="C-1001").status_code == 201  # 1,900
    assert place(storefront, "O-2", [rice(1)], customer="C-1001").status_code == 201  # 100
    assert _spent(storefront) == "2000.00"

    body = {"return_id": "R-1", "lines": [{"line_no": 1, "quantity": 4}]}
    assert storefront.post("/api/v1/orders/O-1/returns", body, format="json").status_code == 201
    assert storefront.post("/api/v1/orders/O-1/returns", body, format="json").status_code == 200  # the same again
    assert _spent(storefront) == "1600.00"

    # Cancelling the other order recounts from the orders: the return stays out.
    assert storefront.post("/api/v1/orders/O-2/cancel").status_code == 200
    assert _spent(storefront) == "1500.00"
