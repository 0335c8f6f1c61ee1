"""What promotions does when audiences tells it something. Thin: each calls one function."""

from django.dispatch import receiver

from audiences.signals import demo_flushing
from promotions import demo


@receiver(demo_flushing, dispatch_uid="promotions.demo_redemptions_remove")
def remove_demo_redemptions(sender, **kwargs):
    demo.demo_redemptions_remove()
