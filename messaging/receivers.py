"""What messaging does when audiences or anymail tell it something. Thin: each calls one service."""

from anymail.signals import tracking
from django.dispatch import receiver

from audiences.signals import consent_confirmation_requested, demo_seeded
from messaging import demo
from messaging.services.double_opt_in import email_confirmation_request
from messaging.services.tracking import tracking_event_record


@receiver(consent_confirmation_requested, dispatch_uid="messaging.email_confirmation")
def send_email_confirmation(sender, *, customer, channel, topic, **kwargs):
    email_confirmation_request(customer=customer, topic=topic)


@receiver(tracking, dispatch_uid="messaging.tracking")
def record_tracking_event(sender, *, event, esp_name, **kwargs):
    tracking_event_record(provider=esp_name.lower(), event=event)


@receiver(demo_seeded, dispatch_uid="messaging.demo_sender_address")
def install_demo_sender_address(sender, **kwargs):
    demo.demo_sender_address_install()
