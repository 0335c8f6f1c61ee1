"""Settings, all from environment variables.

The defaults are the embedded setup a newcomer gets from `make run`: SQLite in WAL mode,
a Celery transport on the filesystem, emails and SMS printed to the console.
Production sets DATABASE_URL, CELERY_BROKER_URL, CACHE_URL, SECRET_KEY, ALLOWED_HOSTS and
DJANGO_DEBUG=0 (see README.md).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config import spreadsheets

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG=0.")
    SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 - development default only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "config.apps.EngineAdminConfig",
    "django.contrib.auth",
    "axes",
    "csp",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "import_export",
    "anymail",
    "django_celery_beat",
    "config.apps.ConfigAppConfig",
    "audiences",
    "promotions",
    "loyalty",
    "messaging",
    "campaigns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.api.middleware.RefuseNulCharacters",
    "config.database_down.DatabaseUnavailable",
    "config.webhooks.ProviderWebhookGuard",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy on every page (django-csp): scripts only from this site, or inline with the
# request's nonce; no plugins; forms post only here. Inline styles stay allowed: the admin, Swagger UI and
# email previews (inline-styled HTML in a sandboxed frame, which inherits this policy) rely on them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "https:"],  # an email preview shows the campaign's images
        "font-src": [SELF, "data:"],
        "worker-src": [SELF, "blob:"],  # ReDoc's search runs in a worker
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

# Admin sign-in: after AXES_FAILURE_LIMIT failures in a row from one address, for one user name or across user
# names, that address is locked for AXES_COOLOFF_MINUTES (django-axes, counted in the database so every web
# process agrees). A user name is never locked from everywhere: that would let anyone lock the administrators
# out. The address is the client's own behind TRUSTED_PROXY_COUNT reverse proxies (config/client_ip.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL, default SQLite in WAL mode under var/.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
# A streaming replica that segment counts, reports and exports may read from (config/replica.py); tests point it
# at the primary so the same rows answer.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
# Behind PgBouncer in transaction pooling, a session outlives no transaction: no server-side cursors and no
# prepared statements (docs/operations.md).
if env_bool("DATABASE_PGBOUNCER", False):
    for alias in DATABASES:
        DATABASES[alias]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES[alias].setdefault("OPTIONS", {})["prepare_threshold"] = None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the worker writes; IMMEDIATE avoids
        # "database is locked" upgrades from read to write inside a transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # A file, not memory, so tests that start real worker processes share it; named after the
    # database so that test runs against different SQLite files do not collide.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(DATABASES["default"]["NAME"]).with_suffix(".test.sqlite3"))}
else:
    DATABASES["default"].setdefault("OPTIONS", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith("redis"):
    # CACHE_KEY_PREFIX lets several deployments (or parallel test runs) share one Redis database.
    CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.ReusedClientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", ""),
        }
    }
else:
    # Room for the storefront's per-SKU and per-customer copies (promotions/storefront_cache.py); 300 by default.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 20_000}}
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("bn", "Bengali"), ("sw", "Swahili")]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
# Customer-facing pages (preference centre, confirmations) in English, Bengali and Swahili.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True
DEFAULT_PHONE_REGION = os.environ.get("DEFAULT_PHONE_REGION", "BD")
# The currency of amounts that name none (a communications log), unless the import is told another.
DEFAULT_CURRENCY = os.environ.get("DEFAULT_CURRENCY", "BDT")
# A logged message with one of these words or phrases (whole words, any case) is a complaint.
COMPLAINT_KEYWORDS = env_list(
    "COMPLAINT_KEYWORDS",
    # English
    "complaint,complain,problem,issue,broken,faulty,defective,not working,refund,disappointed,angry,"
    "poor service,bad service,too late,delayed,never arrived,wrong item,"
    # Swahili: problem, complaint, spoiled, faulty, does not work, not satisfied, delay, give back the money
    "tatizo,matatizo,shida,malalamiko,nalalamika,imeharibika,mbovu,haifanyi kazi,hakifanyi kazi,"
    "sijaridhika,imechelewa,kuchelewa,nirudishie pesa,rudisha pesa",
)
RFM_WINDOW_DAYS = int(os.environ.get("RFM_WINDOW_DAYS", "365"))
# Next best offer (promotions/offer_value.py): the retailer's gross margin on the extra spend an offer's
# threshold pulls, and the usual order assumed for a customer with none yet in a currency ("*": any other).
OFFER_RETAILER_MARGIN = os.environ.get("OFFER_RETAILER_MARGIN", "0.25")
OFFER_FIRST_ORDER_BASKET = {"BDT": "3000", "TZS": "100000", "*": "50"}
# Recommendations kept per customer by the nightly run; more than are shown, as some go out of stock by day.
RECOMMENDATIONS_STORED = int(os.environ.get("RECOMMENDATIONS_STORED", "20"))

# Data-subject requests and retention (docs/privacy.md). The key of the salted hashes an erased customer's
# addresses are kept as: set it once and never change it (the hashes kept would stop matching); by default
# the SECRET_KEY, so rotating that one needs this one set to its old value first.
ERASURE_HASH_KEY = os.environ.get("ERASURE_HASH_KEY", "") or SECRET_KEY
# A customer's export with more rows than this (order lines, events, messages, ledger entries...) is written
# by a background job instead of answered at once.
DATA_EXPORT_INLINE_MAX_ROWS = int(os.environ.get("DATA_EXPORT_INLINE_MAX_ROWS", "5000"))
# Events and messages older than this many months are pruned (events) or anonymised (messages) nightly;
# 0 keeps them forever. 24: the scores read a year (RFM_WINDOW_DAYS) and the journeys' drop scans compare
# it with the year before.
RETENTION_EVENTS_MONTHS = int(os.environ.get("RETENTION_EVENTS_MONTHS", "24"))
RETENTION_MESSAGES_MONTHS = int(os.environ.get("RETENTION_MESSAGES_MONTHS", "24"))
RETENTION_BATCH = int(os.environ.get("RETENTION_BATCH", "5000"))
# On PostgreSQL the events table is partitioned by month (docs/operations.md): beat keeps this many months'
# partitions ready beyond the current one.
EVENTS_PARTITIONS_AHEAD_MONTHS = int(os.environ.get("EVENTS_PARTITIONS_AHEAD_MONTHS", "3"))

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Email: Django's email API; django-anymail for real providers. Any ANYMAIL_* environment
# variable lands in the ANYMAIL dict (ANYMAIL_MAILGUN_API_KEY -> ANYMAIL["MAILGUN_API_KEY"]).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Promotions <no-reply@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL = {key.removeprefix("ANYMAIL_"): value for key, value in os.environ.items() if key.startswith("ANYMAIL_")}

# SMS and WhatsApp go through messaging's backend interface, chosen like EMAIL_BACKEND.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "messaging.backends.sms.ConsoleSMSBackend")
WHATSAPP_BACKEND = os.environ.get("WHATSAPP_BACKEND", "messaging.backends.sms.ConsoleSMSBackend")
SMS_FILE_PATH = os.environ.get("SMS_FILE_PATH", str(VAR_DIR / "sms.jsonl"))
# The SMS provider's webhook signing secret (Twilio: the auth token); empty refuses inbound SMS.
SMS_WEBHOOK_SECRET = os.environ.get("SMS_WEBHOOK_SECRET", "")
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_SMS_FROM = os.environ.get("TWILIO_SMS_FROM", "")
TWILIO_WHATSAPP_FROM = os.environ.get("TWILIO_WHATSAPP_FROM", "")

# Delivery policy for marketing messages (docs/messaging.md). Caps are "messages/days".
EMAIL_DOUBLE_OPT_IN = env_bool("EMAIL_DOUBLE_OPT_IN", False)
MESSAGING_CAP_PER_CHANNEL = os.environ.get("MESSAGING_CAP_PER_CHANNEL", "3/7")
MESSAGING_CAP_OVERALL = os.environ.get("MESSAGING_CAP_OVERALL", "5/7")
MESSAGING_QUIET_HOURS = os.environ.get("MESSAGING_QUIET_HOURS", "21:00-08:00")  # "" switches them off
MESSAGING_SOFT_BOUNCE_LIMIT = int(os.environ.get("MESSAGING_SOFT_BOUNCE_LIMIT", "3"))
MESSAGING_BATCH_SIZE = int(os.environ.get("MESSAGING_BATCH_SIZE", "500"))
# Hand-offs confirmed per database write, and emails per batch send: a worker killed mid-batch leaves at
# most this many unconfirmed. 100 from the sweep in docs/benchmarks.md (CPU per message levels off there).
MESSAGING_HANDOFF_GROUP = int(os.environ.get("MESSAGING_HANDOFF_GROUP", "100"))
# The email provider's merge-field syntax, {name} standing for the field, in the form that inserts
# HTML unescaped: "%recipient.{name}%" (Mailgun), "{{{name}}}" (SparkPost), "*|{name}|*" (Mandrill).
# Unset, the syntax of the provider EMAIL_BACKEND names where anymail batch-sends with merge data
# (messaging.senders.PROVIDER_MERGE_FIELDS), so a hand-off group of emails is one provider call;
# "" sends one provider call per email.
MESSAGING_EMAIL_MERGE_FIELD = os.environ.get("MESSAGING_EMAIL_MERGE_FIELD")
MESSAGING_LEASE_SECONDS = int(os.environ.get("MESSAGING_LEASE_SECONDS", "600"))
MESSAGING_MAX_ATTEMPTS = int(os.environ.get("MESSAGING_MAX_ATTEMPTS", "5"))
# Bounds on rendering one message (all its fields together): in preview, test send, the outbox, and
# over empty values when a template is saved. Steps are tags, values and loop items.
MESSAGING_RENDER_MAX_CHARS = int(os.environ.get("MESSAGING_RENDER_MAX_CHARS", "200000"))
MESSAGING_RENDER_MAX_STEPS = int(os.environ.get("MESSAGING_RENDER_MAX_STEPS", "100000"))
MESSAGING_RENDER_MAX_SECONDS = float(os.environ.get("MESSAGING_RENDER_MAX_SECONDS", "2"))
# Where the admin's test sends may go besides the user's own email address: comma-separated
# addresses and E.164 numbers of the team's test phones and inboxes.
MESSAGING_TEST_RECIPIENTS = env_list("MESSAGING_TEST_RECIPIENTS", "")
# Per-provider sends per second shared by every worker through the cache, e.g. "sms=30,whatsapp=20".
MESSAGING_RATE_LIMITS = {
    channel.strip(): int(limit)
    for channel, _, limit in (
        item.partition("=") for item in os.environ.get("MESSAGING_RATE_LIMITS", "").split(",") if item.strip()
    )
}
MESSAGING_LIST_ID = os.environ.get("MESSAGING_LIST_ID", "Offers <offers.example.com>")
MESSAGING_SMS_HELP_TEXT = os.environ.get(
    "MESSAGING_SMS_HELP_TEXT", "Offers from our shop. Reply STOP to unsubscribe, START to subscribe again."
)
MESSAGING_DISPATCH_INTERVAL_SECONDS = int(os.environ.get("MESSAGING_DISPATCH_INTERVAL_SECONDS", "10"))

# Live segment membership (docs/audiences.md): how often customers whose data changed are
# re-evaluated against every segment, and how many customers one transaction takes.
SEGMENT_RECHECK_INTERVAL_SECONDS = int(os.environ.get("SEGMENT_RECHECK_INTERVAL_SECONDS", "1"))
# How often any worker claims due journey steps (entries also queue a tick at once).
JOURNEYS_TICK_INTERVAL_SECONDS = int(os.environ.get("JOURNEYS_TICK_INTERVAL_SECONDS", "5"))
# Where a journey's staff notification goes when the customer's store names no manager_email.
JOURNEYS_STAFF_EMAIL = os.environ.get("JOURNEYS_STAFF_EMAIL", "")
SEGMENT_RECHECK_BATCH_SIZE = int(os.environ.get("SEGMENT_RECHECK_BATCH_SIZE", "500"))

# Large writes (the outbox, campaign launches) stream with COPY on PostgreSQL; off, they take the ORM's path.
BULK_WRITES_WITH_COPY = env_bool("BULK_WRITES_WITH_COPY", True)

# Campaigns (docs/campaigns.md): customers frozen per launch transaction; a launch not heard of for this many
# seconds is resumed by the lifecycle task (a killed worker); default prices of a message, in the campaign's currency.
CAMPAIGN_LAUNCH_BATCH_SIZE = int(os.environ.get("CAMPAIGN_LAUNCH_BATCH_SIZE", "2000"))
# Ranges of customer ids a launch is cut into, each launched by a task of its own (one with a budget). One on
# SQLite: its one writer at a time would only make the slices wait for each other.
_ONE_WRITER = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
CAMPAIGN_LAUNCH_SLICES = int(os.environ.get("CAMPAIGN_LAUNCH_SLICES", "1" if _ONE_WRITER else "2"))
CAMPAIGN_LAUNCH_STALE_SECONDS = int(os.environ.get("CAMPAIGN_LAUNCH_STALE_SECONDS", "120"))
# seed_demo's finished A/B campaign, played out through the services (not repeatable: docs/seed_demo.md).
DEMO_CAMPAIGN_HISTORY = env_bool("DEMO_CAMPAIGN_HISTORY", True)
CAMPAIGN_PRICES = {
    "email": os.environ.get("CAMPAIGN_PRICE_PER_EMAIL", "0.10"),
    "sms_segment": os.environ.get("CAMPAIGN_PRICE_PER_SMS_SEGMENT", "0.35"),
    "whatsapp": os.environ.get("CAMPAIGN_PRICE_PER_WHATSAPP", "0.80"),
}

# Celery: the filesystem transport needs no server; production uses Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT = "config.broker:AtomicFilesystemTransport"  # kombu's own can hand over half a file
    for folder in {
        CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"],
        CELERY_BROKER_TRANSPORT_OPTIONS["processed_folder"],
    }:
        Path(folder).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
# Separate queues let several deployments (or parallel test runs) share one broker.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Past one machine (docs/operations.md): sends and analytics on queues of their own, so a launch or a model fit
# never delays the storefront-adjacent work (journeys, live segments, lifecycles) left on the default queue.
CELERY_QUEUES_SPLIT = env_bool("CELERY_QUEUES_SPLIT", False)
SENDS_TASKS = ("messaging.outbox_dispatch", "campaigns.launch", "campaigns.release_remainder")
ANALYTICS_TASKS = ("audiences.scores_recompute", "audiences.segment_refresh", "audiences.segments_refresh_all",
                   "audiences.recommendations_compute", "audiences.predictions_compute", "config.export_run",
                   "loyalty.ledger_drift_check")  # fmt: skip
CELERY_TASK_ROUTES = (
    {
        **{name: {"queue": f"{CELERY_TASK_DEFAULT_QUEUE}.sends"} for name in SENDS_TASKS},
        **{name: {"queue": f"{CELERY_TASK_DEFAULT_QUEUE}.analytics"} for name in ANALYTICS_TASKS},
    }
    if CELERY_QUEUES_SPLIT
    else {}
)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
HEARTBEAT_INTERVAL_SECONDS = int(os.environ.get("HEARTBEAT_INTERVAL_SECONDS", "60"))

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

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_FORMATS = spreadsheets.FORMATS  # every export neutralises formula-like cells
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# The admin's import and export buttons follow the roles: importing writes (Marketer), exporting reads (Analyst).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO").upper()},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if not DEBUG:
    if TRUSTED_PROXY_COUNT:
        # Only a proxy we trust may say the request came over HTTPS: without one anyone could send the header.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
