"""What an order's commit hands to a worker: one message, whose work (here loyalty's first-order bonus) runs there,
once however often the message is delivered, and not at all for an order cancelled before the worker took it."""

import pytest
from kombu.exceptions import OperationalError

from audiences import tasks
from audiences.models import Order
from loyalty.models import BonusEvent
from tests.loyalty.conftest import T0
from tests.promotions.conftest import hdmi, place

pytestmark = pytest.mark.django_db


def _balance(storefront):
    return storefront.get("/api/v1/loyalty/members/C-1001").json()["points_balance"]


def test_an_orders_commit_queues_one_message_and_the_worker_awards_the_first_order_bonus_once(
    storefront, catalog, customer, program, queued, django_capture_on_commit_callbacks
):
    BonusEvent.objects.create(program=program, event_type="first_order", points=50)
    with django_capture_on_commit_callbacks(execute=True):
        assert place(storefront, "O-1", [hdmi()], customer="C-1001", placed_at=T0.isoformat()).status_code == 201
    order = Order.objects.get(external_id="O-1")
    assert queued == [order.pk]
    assert _balance(storefront) == 45  # the order's own points at once; the bonus waits for the worker
    assert tasks.order_placed_task(order.pk) is True
    assert tasks.order_placed_task(order.pk) is True  # delivered again (acks late): nothing more
    assert _balance(storefront) == 45 + 50


def test_an_order_cancelled_before_the_worker_took_it_announces_nothing(
    storefront, catalog, customer, program, queued, django_capture_on_commit_callbacks
):
    BonusEvent.objects.create(program=program, event_type="first_order", points=50)
    with django_capture_on_commit_callbacks(execute=True):
        place(storefront, "O-1", [hdmi()], customer="C-1001", placed_at=T0.isoformat())
        assert storefront.post("/api/v1/orders/O-1/cancel").status_code == 200
    assert tasks.order_placed_task(queued[0]) is False
    assert _balance(storefront) == 0


def test_with_the_broker_down_the_order_is_answered_and_its_first_order_bonus_awarded_in_the_request(
    storefront, catalog, customer, program, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(order_id):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.order_placed_task, "delay", broker_down)
    BonusEvent.objects.create(program=program, event_type="first_order", points=50)
    with django_capture_on_commit_callbacks(execute=True):
        assert place(storefront, "O-1", [hdmi()], customer="C-1001", placed_at=T0.isoformat()).status_code == 201
    assert _balance(storefront) == 45 + 50
