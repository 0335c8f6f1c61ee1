from django.contrib import admin
from django.urls import path, reverse

from config import admin_navigation
from config.admin_reports import report_csv_view, reports_view
from config.dashboard import panels_for
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
            return self._with_reports(request, grouped)
        return [
            section
            for section in grouped
            if section["app_label"] == app_label
            or any(model["model"]._meta.app_label == app_label for model in section["models"])
        ]

    def _with_reports(self, request, grouped: list[dict]) -> list[dict]:
        """The Reports section: the dashboard, for anyone who may see one of its panels."""
        if not panels_for(request.user):
            return grouped
        url = reverse("admin:reports", current_app=self.name)
        dashboard = {"name": "Dashboard", "object_name": "Dashboard", "admin_url": url, "add_url": None,
                     "view_only": True, "perms": {"view": True}}  # fmt: skip
        reports = {"name": "Reports", "app_label": "reports", "app_url": url, "has_module_perms": True,
                   "models": [dashboard]}  # fmt: skip
        at = next((n for n, s in enumerate(grouped) if s["app_label"] == admin_navigation.SETTINGS), len(grouped))
        return [*grouped[:at], reports, *grouped[at:]]

    def get_urls(self):
        section = self.admin_view(self.app_index)
        reports = self.admin_view(lambda request: reports_view(self, request))
        report_csv = self.admin_view(lambda request, key: report_csv_view(self, request, key))
        return [
            path("section/<slug:app_label>/", section, name="section"),
            path("reports/", reports, name="reports"),
            path("reports/<slug:key>.csv", report_csv, name="report_csv"),
            *super().get_urls(),
        ]
