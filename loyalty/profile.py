"""Loyalty's section of the customer profile: the member summary, null while no loyalty program exists."""

from rest_framework import serializers

MEMBER_SUMMARY_FIELD = serializers.JSONField(
    allow_null=True, help_text="The customer's loyalty membership; null while they are not a member."
)


def member_summary(customer) -> None:
    return None
