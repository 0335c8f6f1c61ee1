"""The local calendar in the admin: the retailer's dates, listed by month, under the coming weeks' occasions."""

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.utils import timezone

from audiences.calendar_selectors import store_occasions
from audiences.local_calendar import is_supported_country
from audiences.models import RetailerDate

UPCOMING_DAYS = 60


class RetailerDateForm(forms.ModelForm):
    class Meta:
        model = RetailerDate
        fields = ["name", "starts_on", "ends_on", "country", "stores"]

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if country and not is_supported_country(country):
            raise forms.ValidationError(f"'{country}' is not a country code whose holidays we know, such as BD or TZ.")
        return country


@admin.register(RetailerDate)
class RetailerDateAdmin(admin.ModelAdmin):
    form = RetailerDateForm
    list_display = ["name", "starts_on", "ends_on", "country", "store_list"]
    list_filter = ["country", "stores"]
    search_fields = ["name"]
    date_hierarchy = "starts_on"
    filter_horizontal = ["stores"]
    list_per_page = 50

    @admin.display(description="Stores")
    def store_list(self, obj):
        return ", ".join(store.code for store in obj.stores.all()) or "All of the country"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("stores")

    def changelist_view(self, request, extra_context=None):
        today = timezone.localdate()
        extra_context = {**(extra_context or {}), "upcoming": upcoming_by_day(today), "upcoming_days": UPCOMING_DAYS}
        return super().changelist_view(request, extra_context)


def upcoming_by_day(today) -> list[dict]:
    """The coming weeks' occasions, a row per day and occasion, with the countries or stores it concerns."""
    rows: dict[tuple, set[str]] = {}
    for occasions in store_occasions(start=today, end=today + timedelta(days=UPCOMING_DAYS)).values():
        for occasion in occasions:
            key = (occasion.day, occasion.name, occasion.public, occasion.estimated)
            rows.setdefault(key, set()).add(occasion.country or "-")
    return [
        {"day": day, "name": name, "public": public, "estimated": estimated, "countries": ", ".join(sorted(where))}
        for (day, name, public, estimated), where in sorted(rows.items())
    ]
