"""What journeys do when audiences tells them something: queue the evaluation (within seconds), nothing more."""

from django.dispatch import receiver

from audiences.models import ConsentStatus
from audiences.signals import (
    consent_changed,
    demo_flushing,
    demo_seeded,
    events_recorded,
    order_placed,
    segment_membership_changed,
)
from campaigns.journeys import demo, entry, tasks


@receiver(events_recorded, dispatch_uid="campaigns.journeys.events")
def evaluate_events(sender, *, events, **kwargs):
    """One task per batch of events recorded together (an API batch, an import), not one per event."""
    event_ids = [event.pk for event in events]
    for start in range(0, len(event_ids), entry.BATCH_SIZE):
        tasks.journeys_events_task.delay(event_ids[start : start + entry.BATCH_SIZE])


@receiver(order_placed, dispatch_uid="campaigns.journeys.order")
def evaluate_order_goal(sender, *, order, **kwargs):
    """An order is the goal `order_placed`; its attribution (e.g. cart_id) carries the key it matches."""
    if order.customer_id:
        properties = {**order.attribution, "order": order.external_id}
        tasks.journeys_order_goal_task.delay(order.customer_id, properties, order.placed_at.isoformat())


@receiver(order_placed, dispatch_uid="campaigns.journeys.order_entry")
def evaluate_order_entry(sender, *, order, **kwargs):
    """Within seconds of the order: the post-purchase journeys, and the Nth-order milestone when it is the Nth."""
    if order.customer_id:
        tasks.journeys_order_task.delay(order.customer_id, order.pk)


@receiver(segment_membership_changed, dispatch_uid="campaigns.journeys.segment")
def evaluate_segment_change(sender, *, segment, changed_at=None, **kwargs):
    if changed_at is not None:
        tasks.journeys_segment_changes_task.delay(segment.pk, changed_at.isoformat())


@receiver(consent_changed, dispatch_uid="campaigns.journeys.consent")
def evaluate_consent(sender, *, customer, status, **kwargs):
    if status == ConsentStatus.OPTED_OUT:
        tasks.journeys_consent_withdrawn_task.delay(customer.pk)


@receiver(demo_seeded, dispatch_uid="campaigns.journeys.demo")
def start_demo_journey(sender, **kwargs):
    demo.demo_journey_start()


@receiver(demo_flushing, dispatch_uid="campaigns.journeys.demo_remove")
def remove_demo_journeys(sender, **kwargs):
    demo.demo_journeys_remove()
