"""`GET /api/v1/`: what the API offers, read off its URL patterns so the list cannot go stale."""

from django.urls import URLPattern, URLResolver, reverse
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.permissions import HasStorefrontKey

API_PREFIX = "/api/v1/"
AUTH_HELP = {
    "api_key": "Storefront endpoints: 'Authorization: Api-Key <key>' (python manage.py create_api_key <name>).",
    "token": "Management endpoints: 'Authorization: Token <token>' (python manage.py drf_create_token <username>), "
    "with the user's model permissions.",
}
IGNORED_METHODS = {"options", "head"}


def _route(pattern) -> str:
    """`orders/<str:external_id>/cancel` as the OpenAPI schema writes it: `orders/{external_id}/cancel`."""
    route = str(pattern.pattern)
    while "<" in route:
        start, end = route.index("<"), route.index(">")
        name = route[start + 1 : end].rpartition(":")[2]
        route = f"{route[:start]}{{{name}}}{route[end + 1 :]}"
    return route


def _auth(view_class) -> str:
    if any(issubclass(permission, HasStorefrontKey) for permission in view_class.permission_classes):
        return "api_key"
    if any(issubclass(authentication, TokenAuthentication) for authentication in view_class.authentication_classes):
        return "token"
    return "none"


def api_operations(patterns, prefix: str = API_PREFIX) -> list[dict]:
    """Every path under `patterns` with its methods and the credentials it takes, in URL order."""
    operations = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            operations += api_operations(pattern.url_patterns, prefix + _route(pattern))
            continue
        view_class = getattr(pattern.callback, "view_class", None)
        if not isinstance(pattern, URLPattern) or view_class is None or view_class is ApiRootView:
            continue
        methods = [
            method.upper()
            for method in view_class.http_method_names
            if method not in IGNORED_METHODS and hasattr(view_class, method)
        ]
        operations.append({"path": prefix + _route(pattern), "methods": methods, "auth": _auth(view_class)})
    return operations


API_ROOT_EXAMPLE = {
    "name": "Promotions engine API",
    "version": "v1",
    "docs": {
        "openapi": "https://promotions.example.com/api/schema/",
        "swagger_ui": "https://promotions.example.com/api/docs/",
        "redoc": "https://promotions.example.com/api/redoc/",
    },
    "auth": AUTH_HELP,
    "resources": [
        {"path": "/api/v1/carts/evaluate", "methods": ["POST"], "auth": "api_key"},
        {"path": "/api/v1/orders/{external_id}", "methods": ["GET"], "auth": "api_key"},
        {"path": "/api/v1/promotions", "methods": ["GET", "POST"], "auth": "token"},
    ],
}


class ApiRootView(APIView):
    """The API's front door: open to anyone, it lists every resource and where the documentation is."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["meta"],
        responses=inline_serializer(
            "ApiRoot",
            {
                "name": serializers.CharField(),
                "version": serializers.CharField(),
                "docs": serializers.DictField(child=serializers.URLField()),
                "auth": serializers.DictField(child=serializers.CharField()),
                "resources": serializers.ListField(child=serializers.DictField()),
            },
        ),
        examples=[OpenApiExample("The root", API_ROOT_EXAMPLE, response_only=True)],
        description="Every resource of the API (path, methods, and `api_key` or `token` auth) and links to the "
        "OpenAPI schema, Swagger UI and ReDoc. No credentials needed.",
    )
    def get(self, request):
        from config.api.urls import urlpatterns  # here: config.api.urls imports this view

        link = request.build_absolute_uri
        return Response(
            {
                "name": "Promotions engine API",
                "version": "v1",
                "docs": {
                    "openapi": link(reverse("schema")),
                    "swagger_ui": link(reverse("api-docs")),
                    "redoc": link(reverse("api-redoc")),
                },
                "auth": AUTH_HELP,
                "resources": api_operations(urlpatterns),
            }
        )
