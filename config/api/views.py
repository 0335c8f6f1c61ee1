"""Base classes for the two audiences of the API, and the helpers every view uses."""

from collections.abc import Callable
from typing import TypeVar

from drf_spectacular.utils import extend_schema
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.permissions import HasStorefrontKey, ModelPermissions

Found = TypeVar("Found")


@extend_schema(tags=["storefront"])
class StorefrontView(APIView):
    """Storefront calls: authenticated by an API key alone."""

    authentication_classes: list = []
    permission_classes = [HasStorefrontKey]


@extend_schema(tags=["management"])
class ManagementView(APIView):
    """Marketers' tooling: a user's token (or admin session) and that user's model permissions.

    Subclasses set `queryset` (or `permission_model`) so the permission class knows the model.
    """

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [ModelPermissions]


def validated(serializer_class, data) -> dict:
    """Run an input serializer; invalid input raises the API's 400 naming each field."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def get_or_404(selector: Callable[..., Found | None], message: str, **lookup) -> Found:
    """What `selector(**lookup)` finds; when it finds nothing, the API's 404 `{"code": "not_found", "message"}`."""
    found = selector(**lookup)
    if found is None:
        raise NotFound(message)
    return found


class Paginated:
    """For a view whose GET answers a list a page at a time: `{count, next, previous, results}`.

    Declaring the pagination class is also what makes the OpenAPI schema describe the page
    (and its `page` parameter) instead of a bare array.
    """

    pagination_class = PageNumberPagination

    def paginated(self, request, queryset, serializer_class) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data)
