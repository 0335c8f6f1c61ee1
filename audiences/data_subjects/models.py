"""The record of data-subject requests, and the salted hashes an erased customer's addresses leave behind.
Re-exported by `audiences.models`, where Django and the rest of the code find them."""

from django.conf import settings
from django.db import models

from audiences.models import Customer
from config.roles import KEPT_FOR_THE_RECORD

__all__ = ["DataSubjectRequest", "ErasedContact"]


class DataSubjectRequest(models.Model):
    """Who asked for a customer's data or its erasure, when, and how it went: the audit of both."""

    class Kind(models.TextChoices):
        EXPORT = "export", "Export"
        ERASURE = "erasure", "Erasure"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="data_subject_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    steps_done = models.JSONField(
        default=list, blank=True, help_text="The sections already erased: a second run skips them."
    )
    export_job = models.ForeignKey(
        "config.ExportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The background export of a big history.",
    )  # fmt: skip
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        ordering = ["-requested_at", "-id"]
        verbose_name = "data-subject request"

    def __str__(self):
        return f"{self.get_kind_display()} of customer {self.customer_id} ({self.get_status_display()})"


class ErasedContact(models.Model):
    """An address of an erased customer, kept only as an HMAC (audiences/data_subjects/hashing.py): enough to
    recognise the address again (suppression, proof of the consent history kept on the erased customer),
    never to read it."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    digest = models.CharField(max_length=64)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    erased_at = models.DateTimeField()

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        constraints = [
            models.UniqueConstraint(fields=["kind", "digest", "customer"], name="erased_contact_unique"),
        ]
        indexes = [models.Index(fields=["digest"], name="erased_contact_digest")]

    def __str__(self):
        return f"{self.kind} of erased customer {self.customer_id}"
