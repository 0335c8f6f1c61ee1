from django.contrib import admin
from django.urls import path, reverse

from config import admin_navigation
from config.roles import is_administrator


class EngineAdminSite(admin.AdminSite):
    site_header = "Promotions engine"
    site_title = "Promotions engine"
    index_title = "Campaign manager"

    def get_app_list(self, request, app_label=None):
        """Sections of what marketers do (config/admin_navigation.py) instead of Django apps.

        With an app label (the breadcrumb of a model's pages), the sections holding that app's models.
        """
        grouped = admin_navigation.sections(
            super().get_app_list(request),
            administrator=is_administrator(request.user),
            url_of=lambda key: reverse("admin:section", args=[key], current_app=self.name),
        )
        if app_label is None:
            return grouped
        return [
            section
            for section in grouped
            if section["app_label"] == app_label
            or any(model["model"]._meta.app_label == app_label for model in section["models"])
        ]

    def get_urls(self):
        section = self.admin_view(self.app_index)
        return [path("section/<slug:app_label>/", section, name="section"), *super().get_urls()]
