from rest_framework import permissions
from rest_framework_api_key.permissions import HasAPIKey


class HasStorefrontKey(HasAPIKey):
    """`Authorization: Api-Key <key>`; keys are stored hashed by djangorestframework-api-key."""

    message = "A valid API key is required: send 'Authorization: Api-Key <key>'."


class ModelPermissions(permissions.DjangoModelPermissions):
    """The admin's model permissions, reads included: an Analyst needs `view_*` to read.

    A view whose POST only reads (a preview) or changes (a refresh) says so with
    `permission_methods = {"POST": "GET"}`.
    """

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        method = getattr(view, "permission_methods", {}).get(request.method, request.method)
        model = self._queryset(view).model
        return request.user.has_perms(self.get_required_permissions(method, model))
