"""Messaging: templates, suppression, the message outbox and the delivery events behind it."""

from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce

from audiences.models import ConsentTopic, Customer, Language, Store
from config.roles import KEPT_FOR_THE_RECORD


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"
    IN_APP = "in_app", "In-app"


class TemplateKind(models.TextChoices):
    MARKETING = "marketing", "Marketing"
    TRANSACTIONAL = "transactional", "Transactional"


class SendTrigger(models.TextChoices):
    """What a journey waits for before sending a template (blank: none); campaigns read it."""

    FIRST_CONTACT = "first_contact", "The customer's first contact"
    COMPLAINT_RESOLVED = "complaint_resolved", "A complaint's resolution"


class Template(models.Model):
    """One message per channel, written once per language (English, Bengali, Swahili, ...).

    Its timing (a daily send window, or a trigger to follow within some hours) is a default that
    belongs to the message: the outbox holds marketing messages to the window, and journeys read the
    trigger and delay to schedule them."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    kind = models.CharField(
        max_length=16,
        choices=TemplateKind.choices,
        default=TemplateKind.MARKETING,
        help_text="Marketing messages need consent and obey caps and quiet hours; transactional ones do not.",
    )
    topic = models.CharField(
        max_length=16,
        choices=ConsentTopic.choices,
        default=ConsentTopic.MARKETING,
        help_text="The consent topic a marketing message of this template needs.",
    )
    send_window_start = models.TimeField(
        null=True,
        blank=True,
        help_text="Marketing messages go out from this local time (the customer's time zone); with the end.",
    )
    send_window_end = models.TimeField(
        null=True,
        blank=True,
        help_text="... until this local time; outside the window they wait for its next start.",
    )
    send_after = models.CharField(
        max_length=32,
        choices=SendTrigger.choices,
        blank=True,
        default="",
        help_text="The moment a journey sends this message after; empty: whenever a campaign sends it.",
    )
    send_within_hours = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How many hours after the trigger a journey may still send it."
    )
    offer_product = models.ForeignKey(
        "audiences.Product",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The product this message offers: when it is out of stock at the customer's store at send "
        "time, the message is skipped (out_of_stock).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(send_window_start__isnull=True, send_window_end__isnull=True)
                | Q(send_window_start__isnull=False, send_window_end__isnull=False),
                name="template_send_window_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SenderAddress(models.Model):
    """The postal address a sender prints in its marketing emails (CAN-SPAM): one per store, and a
    default (no store) for customers without a store or stores without their own."""

    store = models.OneToOneField(
        Store,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sender_address",
        help_text="Empty: the default sender, for every store without its own address.",
    )
    postal_address = models.TextField(help_text="As it should appear in the footer, e.g. 'Shop Ltd, 12 Road, Dhaka'.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # One default: a plain unique constraint lets every NULL store through.
            models.UniqueConstraint(Coalesce("store", Value(0)), name="sender_address_one_per_store"),
            models.CheckConstraint(condition=~Q(postal_address=""), name="sender_address_not_blank"),
        ]
        verbose_name_plural = "sender addresses"

    def __str__(self) -> str:
        return f"{self.store or 'Default sender'}: {self.postal_address}"


class TemplateTranslation(models.Model):
    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=Language.choices)
    subject = models.CharField(max_length=300, blank=True, help_text="Email subject; in-app title.")
    preheader = models.CharField(max_length=300, blank=True, help_text="Email preview text after the subject.")
    html = models.TextField(blank=True, help_text="Email HTML body (the responsive layout wraps it).")
    text = models.TextField(blank=True, help_text="Email plain-text body; derived from the HTML when empty.")
    body = models.TextField(blank=True, help_text="SMS, WhatsApp or in-app text.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["template", "language"], name="template_translation_unique")]
        ordering = ["template", "language"]

    def __str__(self) -> str:
        return f"{self.template.code} [{self.language}]"


class SuppressionReason(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", "Hard bounce"
    SOFT_BOUNCES = "soft_bounces", "Too many soft bounces"
    COMPLAINT = "complaint", "Spam complaint"
    SMS_STOP = "sms_stop", "STOP keyword"
    MANUAL = "manual", "Added by hand"
    ERASED = "erased", "Erased customer"  # kept as a salted hash: docs/privacy.md


class Suppression(models.Model):
    """An address or phone number nothing may be sent to on a channel, whatever the consent says."""

    channel = models.CharField(max_length=16, choices=Channel.choices)
    address = models.CharField(max_length=254, help_text="Lower-cased email address or E.164 phone number.")
    reason = models.CharField(max_length=16, choices=SuppressionReason.choices)
    source = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "address"], name="suppression_unique_address")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address} ({self.reason})"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    DEFERRED = "deferred", "Deferred"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    OPENED = "opened", "Opened"
    CLICKED = "clicked", "Clicked"
    BOUNCED = "bounced", "Bounced"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class Message(models.Model):
    """The outbox: one row per message, unique by its idempotency key, whatever asked for it."""

    # Unique through Meta's constraint, not `unique=True`: that would also build a varchar_pattern_ops index
    # for LIKE queries, which nothing runs and every enqueued message would pay for.
    idempotency_key = models.CharField(max_length=200)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="messages", db_index=False)
    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="messages")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    kind = models.CharField(max_length=16, choices=TemplateKind.choices)
    topic = models.CharField(max_length=16, choices=ConsentTopic.choices)
    # Who asked for it: campaigns sits above messaging, so these are plain references, not keys.
    campaign_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    journey = models.CharField(max_length=64, blank=True)
    variant = models.CharField(max_length=32, blank=True)
    context = models.JSONField(default=dict, blank=True, help_text="coupon, products (SKUs), extra values.")
    frequency_cap = models.JSONField(
        null=True, blank=True, help_text='Overrides the configured caps: {"per_channel": "5/7", "overall": "6/7"}.'
    )
    status = models.CharField(max_length=16, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    reason = models.CharField(max_length=32, blank=True, help_text="Why it was skipped, deferred or failed.")
    error = models.TextField(blank=True)
    address = models.CharField(max_length=254, blank=True, help_text="Where it went (set when claimed).")
    language = models.CharField(max_length=8, blank=True)
    content = models.JSONField(default=dict, blank=True, help_text="Rendered title and body of in-app messages.")
    attempts = models.PositiveSmallIntegerField(default=0)
    scheduled_for = models.DateTimeField(help_text="Not sent before this moment.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        indexes = [
            models.Index(
                fields=["scheduled_for", "id"],
                name="message_due",
                condition=Q(status__in=["queued", "deferred", "sending"]),
            ),
            models.Index(fields=["customer", "created_at"], name="message_customer_time"),
            models.Index(fields=["customer", "claimed_at"], name="message_customer_claimed"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(channel=""), name="message_channel_set"),
            models.UniqueConstraint(fields=["idempotency_key"], name="message_idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.template_id} to {self.customer_id} ({self.status})"


class TrackingEvent(models.Model):
    """A provider's delivery event (delivered, bounced, opened, ...), kept once per provider event id."""

    provider = models.CharField(max_length=32)
    event_id = models.CharField(max_length=200)
    event_type = models.CharField(max_length=32)
    recipient = models.CharField(max_length=254, blank=True, db_index=True)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="tracking")
    occurred_at = models.DateTimeField()
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="tracking_event_unique")]
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.recipient}"
