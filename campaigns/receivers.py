"""What campaigns does when a lower app tells it something. Thin: each calls one service."""

from django.dispatch import receiver

from audiences.signals import demo_flushing, demo_seeded
from campaigns import conversions, demo, demo_history
from campaigns.leads import demo as leads_demo
from campaigns.models import Campaign
from campaigns.signals import campaign_message_sent
from messaging.models import MessageStatus
from messaging.signals import message_engaged, messages_sent


@receiver(demo_seeded, dispatch_uid="campaigns.demo_campaign")
def install_demo_campaign(sender, **kwargs):
    demo.demo_campaign_launch()
    demo.demo_best_hour_campaign_schedule()
    demo_history.demo_finished_campaign_install()
    leads_demo.demo_leads_install()


@receiver(demo_flushing, dispatch_uid="campaigns.demo_campaign_remove")
def remove_demo_campaign(sender, **kwargs):
    leads_demo.demo_leads_remove()
    demo.demo_campaign_remove()
    demo_history.demo_finished_campaign_remove()


@receiver(messages_sent, dispatch_uid="campaigns.message_sent")
def announce_campaign_messages(sender, *, messages, **kwargs):
    """One campaign_message_sent per campaign message sent (only read when someone listens)."""
    ours = [message for message in messages if message.campaign_id]
    if not ours or not campaign_message_sent.has_listeners():
        return
    campaigns = Campaign.objects.in_bulk({message.campaign_id for message in ours})
    for message in ours:
        if message.campaign_id in campaigns:
            campaign_message_sent.send(
                sender=Campaign, campaign=campaigns[message.campaign_id], message=message, variant=message.variant
            )


@receiver(message_engaged, dispatch_uid="campaigns.late_touch")
def credit_after_a_late_touch(sender, *, message, status, at, **kwargs):
    """A campaign message's delivery or click reported after orders it may have earned: credit them again."""
    if message.campaign_id and status in (MessageStatus.DELIVERED, MessageStatus.CLICKED):
        conversions.late_touch_credit(customer_id=message.customer_id, campaign_id=message.campaign_id, at=at)
