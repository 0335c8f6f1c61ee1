from django.contrib import admin
from django.urls import path, reverse

from config import admin_exports, admin_navigation
from config.admin_reports import report_csv_view, reports_view
from config.dashboard import panels_for
from config.exports import exports_for
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
        exports_url = reverse("admin:exports", current_app=self.name)
        exports = {"name": "Exports", "object_name": "Exports", "admin_url": exports_url, "add_url": None,
                   "view_only": True, "perms": {"view": True}}  # fmt: skip
        reports = {"name": "Reports", "app_label": "reports", "app_url": url, "has_module_perms": True,
                   "models": [dashboard, *([exports] if exports_for(request.user) else [])]}  # fmt: skip
        at = next((n for n, s in enumerate(grouped) if s["app_label"] == admin_navigation.SETTINGS), len(grouped))
        return [*grouped[:at], reports, *grouped[at:]]

    def get_urls(self):
        section = self.admin_view(self.app_index)
        reports = self.admin_view(lambda request: reports_view(self, request))
        report_csv = self.admin_view(lambda request, key: report_csv_view(self, request, key))
        exports = {
            "exports": lambda request: admin_exports.exports_view(self, request),
            "export_start": lambda request: admin_exports.export_start_view(self, request),
            "export_job": lambda request, job_id: admin_exports.export_job_view(self, request, job_id),
            "export_download": lambda request, job_id: admin_exports.export_download_view(self, request, job_id),
        }
        exports = {name: self.admin_view(view) for name, view in exports.items()}
        return [
            path("section/<slug:app_label>/", section, name="section"),
            path("exports/", exports["exports"], name="exports"),
            path("exports/start/", exports["export_start"], name="export_start"),
            path("exports/<int:job_id>/", exports["export_job"], name="export_job"),
            path("exports/<int:job_id>/download/", exports["export_download"], name="export_download"),
            path("reports/", reports, name="reports"),
            path("reports/<slug:key>.csv", report_csv, name="report_csv"),
            *super().get_urls(),
        ]
