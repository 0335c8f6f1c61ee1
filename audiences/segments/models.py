"""Segments and who is in them: the rule tree, the membership snapshot, its history, and the marks of customers
whose membership must be evaluated again. Re-exported by `audiences.models`, where Django and the rest of the
code find them."""

from django.db import models

from audiences.models import Customer
from config.roles import KEPT_FOR_THE_RECORD

__all__ = ["MembershipRecheck", "Segment", "SegmentMembership", "SegmentMembershipChange"]


class Segment(models.Model):
    """A rule tree over customers (see audiences/segments/language.py), refreshed into a snapshot."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    rules = models.JSONField()
    predefined = models.BooleanField(default=False, help_text="Installed with the engine; still editable.")
    member_count = models.PositiveIntegerField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class SegmentMembership(models.Model):
    """Who is in a segment: written by the full refresh and by the live recheck of changed customers."""

    # Indexed by the unique constraint (segment, customer): no index of its own.
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="memberships", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="segment_memberships")
    entered_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["segment", "customer"], name="segment_membership_unique")]
        indexes = [models.Index(fields=["customer"], name="segment_membership_customer")]

    def __str__(self):
        return f"{self.customer_id} in {self.segment_id}"


class SegmentMembershipChange(models.Model):
    """History of entries and exits, written by each refresh and recheck; journeys trigger on entries."""

    class Kind(models.TextChoices):
        ENTERED = "entered", "Entered"
        EXITED = "exited", "Exited"

    # Indexed by (segment, changed_at): no index of its own.
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="changes", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    changed_at = models.DateTimeField()

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        indexes = [models.Index(fields=["segment", "changed_at"], name="segment_change_time")]

    def __str__(self):
        return f"{self.customer_id} {self.kind} {self.segment_id}"


class MembershipRecheck(models.Model):
    """A customer whose data changed since their segment membership was last evaluated.

    Written in the same transaction as the change, so a committed change always has its mark;
    `audiences.segments.recheck` deletes a mark only in the transaction that evaluated it.
    Append-only (no upsert): marking never waits on a row the evaluator holds.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    marked_at = models.DateTimeField()

    def __str__(self):
        return f"{self.customer_id} marked at {self.marked_at:%Y-%m-%d %H:%M:%S}"
