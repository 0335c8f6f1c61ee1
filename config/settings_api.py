"""The API's settings: Django REST framework (authentication, parsers, errors, throttle rates) and the OpenAPI
schema (drf-spectacular); config/settings.py takes them all."""

import os

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.SafeJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.ApiSchema",
    "EXCEPTION_HANDLER": "config.api.errors.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_RATES": {
        "coupon_validate_key": os.environ.get("THROTTLE_COUPON_VALIDATE_KEY", "600/min"),
        "coupon_validate_customer": os.environ.get("THROTTLE_COUPON_VALIDATE_CUSTOMER", "10/min"),
        # Unknown codes (not requests) answered per key for anonymous carts, per customer, and per key in all,
        # on every door that checks codes (promotions/api/guessing.py).
        "code_guessing_key": os.environ.get("THROTTLE_CODE_GUESSING_KEY", "600/min"),
        "code_guessing_customer": os.environ.get("THROTTLE_CODE_GUESSING_CUSTOMER", "10/min"),
        "code_guessing_key_total": os.environ.get("THROTTLE_CODE_GUESSING_KEY_TOTAL", "6000/min"),
    },
}
API_KEY_CUSTOM_HEADER = None

SPECTACULAR_SETTINGS = {
    "TITLE": "Promotions engine API",
    "DESCRIPTION": "Storefront (Api-Key) and management (Token) API. See README.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Consent covers the sending channels; messages add in-app. Two enums, each named.
    "ENUM_NAME_OVERRIDES": {
        "ConsentChannelEnum": "audiences.models.ConsentChannel",
        "MessageChannelEnum": "messaging.models.Channel",
        "ConsentTopicEnum": "audiences.models.ConsentTopic",
        "TriggerEnum": "promotions.models.Promotion.Trigger",  # its name before journeys had triggers too
        "JourneyTriggerEnum": "campaigns.journeys.models.Trigger",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.add_error_responses",
    ],
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "Authorization"},
        }
    },
}
