"""Leads: a customer's interest in a sale (a vehicle, a product), worked by staff from new to won or lost, and
credited to the campaign or journey whose message last touched the customer before it (campaigns/leads/sources.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from audiences.currencies import CURRENCY_CHOICES
from audiences.models import MONEY, Customer, Event, Order, Product, Store
from campaigns.leads.pipeline import LeadStatus, LostReason
from campaigns.models import Campaign
from messaging.models import Message

__all__ = ["Lead"]


class Lead(models.Model):
    class Status(models.TextChoices):
        NEW = LeadStatus.NEW, "New"
        CONTACTED = LeadStatus.CONTACTED, "Contacted"
        TEST_DRIVE = LeadStatus.TEST_DRIVE, "Test drive"
        WON = LeadStatus.WON, "Won"
        LOST = LeadStatus.LOST, "Lost"

    class LostReason(models.TextChoices):
        PRICE = LostReason.PRICE, "Price"
        BOUGHT_ELSEWHERE = LostReason.BOUGHT_ELSEWHERE, "Bought elsewhere"
        NOT_IN_STOCK = LostReason.NOT_IN_STOCK, "Not in stock"
        UNREACHABLE = LostReason.UNREACHABLE, "Could not be reached"
        NOT_INTERESTED = LostReason.NOT_INTERESTED, "No longer interested"
        OTHER = LostReason.OTHER, "Other"

    external_id = models.CharField(
        max_length=64, unique=True, null=True, blank=True, help_text="The DMS's or storefront's own id, if it has one."
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="leads")
    # The source: the campaign or journey whose message last touched the customer before the lead (or as given).
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")
    journey = models.ForeignKey(
        "campaigns.Journey", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    # No database foreign key: events are partitioned by month on PostgreSQL, and an event's id alone is not a
    # key there. Leads are made from events that exist (leads_from_events), and retention sets this to null
    # before it drops a month of events (audiences/services/event_partitions.py).
    source_event = models.OneToOneField(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="lead", db_constraint=False,
        help_text="The event that created it (one lead per event, whatever retries).",
    )  # fmt: skip
    # What the customer is interested in: a catalog product, a vehicle by VIN, or a model named in free text.
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    vehicle_vin = models.CharField(max_length=17, blank=True)
    interest = models.CharField(max_length=200, blank=True, help_text="A model or product named in free text.")
    store = models.ForeignKey(Store, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    lost_reason = models.CharField(max_length=32, choices=LostReason.choices, blank=True)
    note = models.TextField(blank=True)
    value = models.DecimalField(**MONEY, null=True, blank=True, help_text="Expected, then (once won) the sale's.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The order that closed the sale, when it was recorded as one: then the order's attributed "
        "revenue already counts it.",
    )  # fmt: skip
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    created_at = models.DateTimeField()
    contacted_at = models.DateTimeField(null=True, blank=True)
    test_drive_at = models.DateTimeField(null=True, blank=True)
    won_at = models.DateTimeField(null=True, blank=True)
    lost_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="lost") | ~Q(lost_reason=""), name="lead_lost_has_a_reason"),
            models.CheckConstraint(condition=~Q(status="won") | Q(value__isnull=False), name="lead_won_has_a_value"),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__gte=0), name="lead_value_not_negative"),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="lead_campaign_status"),
            models.Index(fields=["journey", "status"], name="lead_journey_status"),
            models.Index(fields=["status", "created_at"], name="lead_status_time"),
        ]

    def __str__(self) -> str:
        interest = self.interest or self.vehicle_vin or (self.product_id and f"product {self.product_id}") or "a sale"
        return f"Lead {self.pk}: {interest} ({self.get_status_display()})"

    @property
    def source(self) -> str:
        return "campaign" if self.campaign_id else "journey" if self.journey_id else ""
