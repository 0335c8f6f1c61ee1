"""What leads do when audiences tells them something: queue the lead events' leads, nothing more."""

from django.dispatch import receiver

from audiences.signals import events_recorded
from campaigns.leads import tasks
from campaigns.leads.services import LEAD_EVENT_TYPES


@receiver(events_recorded, dispatch_uid="campaigns.leads.events")
def create_leads(sender, *, events, **kwargs):
    """One task per recording that holds lead events (most hold none: no task then)."""
    event_ids = [event.pk for event in events if event.type in LEAD_EVENT_TYPES]
    if event_ids:
        tasks.leads_from_events_task.delay(event_ids)
