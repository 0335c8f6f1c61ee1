"""The OpenAPI schema: what drf-spectacular reads off the views, plus what every operation shares.

- An operation is described by its own docstring or `description`, never by a base class's (those
  are written for developers: "Subclasses set `queryset`...").
- Storefront operations declare the API key they need.
- Every operation lists the errors it can answer, all in the one shape of `config.api.errors`.
"""

import inspect

from drf_spectacular.openapi import AutoSchema

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

    def get_auth(self):
        if any(isinstance(permission, HasStorefrontKey) for permission in self.view.get_permissions()):
            return [{"ApiKeyAuth": []}]
        if not self.view.get_authenticators():
            return []  # open to anyone (the API root): no credentials, so no 401 or 403 to document
        return super().get_auth()


def _error_responses(path: str, operation: dict) -> dict[str, str]:
    errors = {}
    if "requestBody" in operation:
        errors["400"] = "Invalid input: `fields` names each problem. Nothing was written."
    security = operation.get("security") or []
    if any("tokenAuth" in scheme or "cookieAuth" in scheme for scheme in security):
        errors["401"] = "No valid token or session."
    if security:
        errors["403"] = "No valid API key, or the user lacks the permission."
    if "{" in path:
        errors["404"] = "The resource the path names does not exist."
    return errors


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the shared Error component and each operation's errors."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in _error_responses(path, operation).items():
                responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                if status.startswith("4") and "content" not in response:
                    response["content"] = error
    return result
