from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin  # noqa: F401 - registered by the package

from config.models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_seen_at", "beats"]
    readonly_fields = ["name", "last_seen_at", "beats"]
