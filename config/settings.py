"""Settings, all from environment variables.

The defaults are the embedded setup a newcomer gets from `make run`: SQLite in WAL mode,
a Celery transport on the filesystem, emails and SMS printed to the console.
Production sets DATABASE_URL, CELERY_BROKER_URL, CACHE_URL, SECRET_KEY, ALLOWED_HOSTS and
DJANGO_DEBUG=0 (see README.md).

Split by concern: the API's (config/settings_api.py), Celery's (config/settings_celery.py) and messaging's
(config/settings_messaging.py) come from their own modules, taken whole below.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config import spreadsheets
from config.settings_api import *  # noqa: F403 - every setting of the API
from config.settings_celery import *  # noqa: F403 - every setting of Celery
from config.settings_env import BASE_DIR, VAR_DIR, env_bool, env_list
from config.settings_messaging import *  # noqa: F403 - every setting of email, SMS and messaging

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
