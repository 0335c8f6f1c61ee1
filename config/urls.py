from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from config.health import healthz
from config.landing import favicon, landing

urlpatterns = [
    path("", landing, name="landing"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, so the CSP needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path(
        "api/redoc/", SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html"), name="api-redoc"
    ),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("anymail/", include("anymail.urls")),
    path("", include("messaging.urls")),
]

handler400 = "config.api.errors.json_bad_request"
handler404 = "config.api.errors.json_not_found"
handler500 = "config.api.errors.json_server_error"
