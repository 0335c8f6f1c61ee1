"""The retailer's own dates (an Eid sale, Black Friday, Pohela Boishakh): what audiences/models.py re-exports.

A date covers its stores, else every store of its country, else every store. With the public holidays of each
store's country (audiences/local_calendar.py) they make the local calendar that journeys, segments and the
campaign admin read (audiences/calendar_selectors.py).
"""

from django.core.exceptions import ValidationError
from django.db import models

__all__ = ["RetailerDate"]


class RetailerDate(models.Model):
    name = models.CharField(max_length=100, help_text="As triggers and segments name it: Pohela Boishakh sale.")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Empty: one day.")
    country = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166 code (BD); empty with no stores: every store."
    )
    stores = models.ManyToManyField(
        "audiences.Store", blank=True, related_name="retailer_dates", help_text="Empty: every store of the country."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="retailer_date_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.starts_on:%Y-%m-%d})"

    def clean(self):
        if self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The last day comes on or after the first."})
        if self.country:
            self.country = self.country.upper()

    @property
    def last_day(self):
        return self.ends_on or self.starts_on
