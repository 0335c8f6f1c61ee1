"""Settings of email, SMS and WhatsApp, and of messaging's delivery policy (docs/messaging.md), from environment
variables; config/settings.py takes them all."""

import os

from config.settings_env import VAR_DIR, env_bool, env_list

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
