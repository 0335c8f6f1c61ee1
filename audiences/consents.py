"""Consent: what each customer said per channel and topic, and its append-only history. Re-exported by
`audiences.models`, where Django and the rest of the code find them."""

from django.db import models

from audiences.models import Customer
from config.roles import KEPT_FOR_THE_RECORD

__all__ = ["Consent", "ConsentChannel", "ConsentRecord", "ConsentStatus", "ConsentTopic"]


class ConsentChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"


class ConsentTopic(models.TextChoices):
    MARKETING = "marketing", "Marketing"
    SERVICE = "service", "Service"
    LOYALTY = "loyalty", "Loyalty"


class ConsentStatus(models.TextChoices):
    OPTED_IN = "opted_in", "Opted in"
    OPTED_OUT = "opted_out", "Opted out"
    PENDING = "pending", "Waiting for confirmation"  # email double opt-in: not consent yet


class ConsentRecord(models.Model):
    """Append-only history of what the customer said: who, when, through which source."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consent_records")
    channel = models.CharField(max_length=16, choices=ConsentChannel.choices)
    topic = models.CharField(max_length=16, choices=ConsentTopic.choices, default=ConsentTopic.MARKETING)
    status = models.CharField(max_length=16, choices=ConsentStatus.choices)
    source = models.CharField(max_length=64)
    recorded_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["customer", "channel", "topic", "recorded_at"], name="consent_record_lookup")]

    def __str__(self):
        return f"{self.customer_id} {self.channel}/{self.topic}: {self.status}"


class Consent(models.Model):
    """The consent in force per customer, channel and topic: the latest ConsentRecord."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(max_length=16, choices=ConsentChannel.choices)
    topic = models.CharField(max_length=16, choices=ConsentTopic.choices, default=ConsentTopic.MARKETING)
    status = models.CharField(max_length=16, choices=ConsentStatus.choices)
    source = models.CharField(max_length=64)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["customer", "channel", "topic"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "channel", "topic"], name="consent_unique_per_topic"),
        ]
        indexes = [models.Index(fields=["channel", "topic", "status"], name="consent_channel_status")]

    def __str__(self):
        return f"{self.customer_id} {self.channel}/{self.topic}: {self.status}"
