"""What campaigns does when a lower app tells it something. Thin: each calls one service."""

from django.dispatch import receiver

from audiences.signals import demo_seeded
from campaigns import demo


@receiver(demo_seeded, dispatch_uid="campaigns.demo_campaign")
def install_demo_campaign(sender, **kwargs):
    demo.demo_campaign_launch()
