"""One error shape for the whole API: {"code", "message", "fields"?, ...extra}."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from config.api.permissions import management_credentials_message
from config.errors import Conflict, DomainError

logger = logging.getLogger(__name__)

# What the storefront is told while the database is down or restarting: nothing was applied, try again.
DATABASE_UNAVAILABLE = {
    "code": "service_unavailable",
    "message": "The database is not answering just now (restarting or overloaded); nothing was applied. Retry shortly.",
}
RETRY_AFTER_SECONDS = 5

# The HTTP status of each kind of domain error, first match wins; services raise them without knowing HTTP.
# A refusal of no more specific kind is one the client can correct: a 400.
DOMAIN_ERROR_STATUS = ((Conflict, status.HTTP_409_CONFLICT), (DomainError, status.HTTP_400_BAD_REQUEST))


def _message(detail) -> str:
    if isinstance(detail, list) and detail:
        return _message(detail[0])
    if isinstance(detail, dict) and detail:
        return _message(next(iter(detail.values())))
    return str(detail)


def domain_error_response(exc: DomainError) -> Response:
    """The answer to a domain error: its kind's status and `{"code", "message", ...extra}`."""
    status_code = next(code for kind, code in DOMAIN_ERROR_STATUS if isinstance(exc, kind))
    # As DRF does for its own exceptions: a refusal inside ATOMIC_REQUESTS writes nothing.
    set_rollback()
    return Response({"code": exc.code, "message": exc.message, **exc.extra}, status=status_code)


def database_unavailable_response(exc: Exception) -> Response:
    logger.error("The database did not answer: %s", exc)
    return Response(DATABASE_UNAVAILABLE, status=status.HTTP_503_SERVICE_UNAVAILABLE,
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)})  # fmt: skip


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return domain_error_response(exc)
    if isinstance(exc, (OperationalError, InterfaceError)):
        # A lost or refused connection (a restart, a failover) or a statement cancelled: the transaction is gone,
        # so nothing was written; the next request reconnects.
        return database_unavailable_response(exc)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"code": "invalid", "message": "Invalid input: " + _describe(fields), "fields": fields}
    elif isinstance(exc, (Http404, exceptions.NotFound)):
        # Django's Http404 carries its message in args ("Unknown order 'X'."), DRF's NotFound in detail.
        detail = getattr(exc, "detail", None) or (str(exc) if exc.args else "") or "Not found."
        response.data = {"code": "not_found", "message": str(detail)}
    elif isinstance(exc, exceptions.NotAuthenticated) and context.get("request") is not None:
        # Only views that authenticate users raise this (storefront views have no authenticators).
        response.data = {"code": "not_authenticated", "message": management_credentials_message(context["request"])}
    elif isinstance(exc, DjangoPermissionDenied):
        response.data = {"code": "permission_denied", "message": "You do not have permission."}
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {"code": codes if isinstance(codes, str) else "error", "message": _message(response.data)}
    return response


def _describe(fields: dict) -> str:
    return "; ".join(f"{name}: {_message(messages)}" for name, messages in fields.items())


def json_not_found(request, exception=None):
    """JSON for the API, Django's page for everything else (the admin, the preference centre)."""
    if not request.path.startswith("/api/"):
        return defaults.page_not_found(request, exception)
    return JsonResponse({"code": "not_found", "message": "Not found."}, status=status.HTTP_404_NOT_FOUND)


def json_bad_request(request, exception=None):
    """Requests Django refuses before any view runs (a body over the limit, too many fields), in the error shape."""
    if not request.path.startswith("/api/"):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return JsonResponse(
            {"code": "request_too_large", "message": f"The request body is larger than the limit of {limit:,} bytes."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    return JsonResponse(
        {"code": "bad_request", "message": "The request could not be read."}, status=status.HTTP_400_BAD_REQUEST
    )


def json_server_error(request):
    return JsonResponse(
        {"code": "server_error", "message": "The server failed; the request was not applied."},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
