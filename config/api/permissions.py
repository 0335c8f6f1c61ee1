from rest_framework import permissions
from rest_framework_api_key.permissions import HasAPIKey


class HasStorefrontKey(HasAPIKey):
    """`Authorization: Api-Key <key>`; keys are stored hashed by djangorestframework-api-key."""

    message = "A valid API key is required: send 'Authorization: Api-Key <key>'."


class ModelPermissions(permissions.DjangoModelPermissions):
    """The admin's model permissions, reads included: an Analyst needs `view_*` to read."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }
