"""The OpenAPI schema: what drf-spectacular reads off the views, plus what every operation shares.

- An operation is described by its own docstring or `description`, never by a base class's (those
  are written for developers: "Subclasses set `queryset`...").
- Storefront operations declare the API key they need.
- A time of day read and written as HH:MM is declared so (`format: time` would demand seconds).
- Every operation lists the errors it can answer, all in the one shape of `config.api.errors`
  (but a 414, which gunicorn answers before Django with its own page).
"""

import inspect

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import append_meta
from rest_framework import serializers

from config.api.permissions import HasStorefrontKey

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error: a stable machine-readable code and a sentence for people.",
    "properties": {
        "code": {"type": "string", "example": "invalid"},
        "message": {"type": "string", "example": 'Invalid input: currency: "XXX" is not a valid choice.'},
        "fields": {
            "type": "object",
            "description": "For 400: each bad field (nested for lists and objects) with its messages.",
            "additionalProperties": True,
            "example": {"currency": ['"XXX" is not a valid choice.']},
        },
    },
    "required": ["code", "message"],
}


class ApiSchema(AutoSchema):
    def get_description(self) -> str:
        method = getattr(self.view, self.method.lower(), None)
        own = inspect.getdoc(method) if method is not None and method.__doc__ else None
        return own or inspect.cleandoc(type(self.view).__doc__ or "")

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if isinstance(field, serializers.TimeField) and getattr(field, "format", None) == "%H:%M":
            # OpenAPI's `format: time` is RFC 3339's full time, with seconds; these are read and written as HH:MM.
            hour_minute = {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "18:00"}
            return append_meta(hour_minute, self._get_serializer_field_meta(field, direction))
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def get_auth(self):
        if any(isinstance(permission, HasStorefrontKey) for permission in self.view.get_permissions()):
            return [{"ApiKeyAuth": []}]
        if not self.view.get_authenticators():
            return []  # open to anyone (the API root): no credentials, so no 401 or 403 to document
        return super().get_auth()


def _error_responses(path: str, operation: dict, components: dict) -> dict[str, str]:
    errors = {}
    if "requestBody" in operation:
        errors["400"] = "Invalid input: `fields` names each problem. Nothing was written."
    else:
        # config.api.middleware refuses a NUL anywhere in an API URL; filters refuse values outside their choices.
        errors["400"] = "Invalid URL: a NUL character in the path or query, or a filter value it does not take."
    security = operation.get("security") or []
    if any("tokenAuth" in scheme or "cookieAuth" in scheme for scheme in security):
        errors["401"] = "No valid token or session."
    if security:
        errors["403"] = "No valid API key, or the user lacks the permission."
    if "{" in path:
        errors["404"] = "The resource the path names does not exist."
    elif any(parameter.get("name") == "page" for parameter in operation.get("parameters", [])):
        errors["404"] = "No such page: `page` is past the last page or not a page number."
    elif "customer" in _request_properties(operation, components):
        errors["404"] = "The customer the body names is unknown."
    return errors


def _request_properties(operation: dict, components: dict) -> dict:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    body = content.get("schema", {})
    if "$ref" in body:
        body = components.get(body["$ref"].rsplit("/", 1)[-1], {})
    return body.get("properties", {})


# gunicorn answers a request line over 4,094 bytes itself, before Django, with its own HTML page.
URI_TOO_LONG = {
    "description": "The URL is longer than the server accepts (gunicorn's 4,094-byte request line).",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the shared Error component and each operation's errors."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in _error_responses(path, operation, components).items():
                responses.setdefault(status, {"description": description})
            responses.setdefault("414", URI_TOO_LONG)
            for status, response in responses.items():
                if status.startswith("4") and "content" not in response:
                    response["content"] = error
    return result
