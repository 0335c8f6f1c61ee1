"""Deploy checks (`manage.py check --deploy`): production must not run with webhooks anyone can forge."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from config.webhooks import webhook_secret

LOCAL_SMS_BACKENDS = ("Console", "Locmem", "File")  # they print or keep messages; nothing calls back


@register(Tags.security, deploy=True)
def webhook_secrets(app_configs, **kwargs):
    errors = []
    backend = settings.EMAIL_BACKEND
    if (
        backend.startswith("anymail.backends.")
        and not backend.startswith("anymail.backends.test.")
        and not webhook_secret()
    ):
        errors.append(
            Error(
                "ANYMAIL_WEBHOOK_SECRET is not set: the provider's delivery, bounce and complaint webhooks refuse "
                "every request, so bounces and complaints are not recorded.",
                hint="Set ANYMAIL_WEBHOOK_SECRET=user:password and give the provider that basic-auth URL.",
                id="config.E001",
            )
        )
    sms_backend = settings.SMS_BACKEND.rpartition(".")[2]
    if not sms_backend.startswith(LOCAL_SMS_BACKENDS) and not settings.SMS_WEBHOOK_SECRET:
        errors.append(
            Error(
                "SMS_WEBHOOK_SECRET is not set: the inbound SMS webhook refuses every request, so STOP is not heard.",
                hint="Set SMS_WEBHOOK_SECRET to the provider's signing key (Twilio: the auth token).",
                id="config.E002",
            )
        )
    return errors
