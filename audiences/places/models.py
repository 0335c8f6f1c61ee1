"""Postcode areas the operator imports. Re-exported by `audiences.models`."""

from django.db import models
from django.db.models import Q

from audiences.models import LATITUDE, LONGITUDE

__all__ = ["PostcodeArea"]


class PostcodeArea(models.Model):
    """A postcode or named area and its centre: a customer who gives only a postcode is placed there."""

    code = models.CharField(max_length=32, unique=True, help_text="As customers write it, e.g. 1212 or 14111.")
    name = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField(**LATITUDE)
    longitude = models.FloatField(**LONGITUDE)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="postcode_area_coordinates_in_range",
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}".strip()
