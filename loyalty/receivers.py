"""What loyalty does when audiences tells it something. Thin: each calls one service."""

from django.dispatch import receiver

from audiences.models import Order
from audiences.signals import demo_flushing, demo_seeded, event_recorded, order_placed
from loyalty import demo
from loyalty.services.earning import bonus_award


@receiver(event_recorded, dispatch_uid="loyalty.bonus_for_event")
def award_event_bonus(sender, *, event, **kwargs):
    bonus_award(customer=event.customer, event_type=event.type, source_type="event", source_id=event.pk,
                occurred_at=event.occurred_at)  # fmt: skip


@receiver(order_placed, dispatch_uid="loyalty.bonus_for_first_order")
def award_first_order_bonus(sender, *, order, **kwargs):
    first = Order.objects.filter(customer_id=order.customer_id).order_by("id").first() if order.customer_id else None
    if first is not None and first.pk == order.pk:
        bonus_award(customer=order.customer, event_type="first_order", source_type="order", source_id=order.pk,
                    occurred_at=order.placed_at)  # fmt: skip


@receiver(demo_seeded, dispatch_uid="loyalty.demo_program")
def install_demo_program(sender, **kwargs):
    demo.demo_program_install()


@receiver(demo_flushing, dispatch_uid="loyalty.demo_remove")
def remove_demo_loyalty(sender, **kwargs):
    demo.demo_loyalty_remove()
