"""Email-provider webhooks (`/anymail/<provider>/...`) accept nothing they cannot authenticate.

django-anymail only warns when `ANYMAIL_WEBHOOK_SECRET` is unset and then accepts anyone's events, so a
forged complaint could opt a customer out and suppress their address. Here, without the secret every
provider webhook answers 403; a provider that is not configured answers 404, and a payload anymail cannot
parse 400, rather than failing (500). `config.checks` fails `check --deploy` when an anymail provider sends mail without
the secret.
"""

from anymail.exceptions import AnymailConfigurationError
from django.conf import settings
from django.http import JsonResponse

PREFIX = "/anymail/"


def webhook_secret() -> str:
    return (getattr(settings, "ANYMAIL", None) or {}).get("WEBHOOK_SECRET", "")


class ProviderWebhookGuard:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(PREFIX) and not webhook_secret():
            return JsonResponse(
                {
                    "code": "webhook_not_configured",
                    "message": "Provider webhooks are off until ANYMAIL_WEBHOOK_SECRET is set (user:password).",
                },
                status=403,
            )
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.path.startswith(PREFIX):
            return None
        if isinstance(exception, AnymailConfigurationError):
            return JsonResponse(
                {"code": "provider_not_configured", "message": "This email provider is not configured here."},
                status=404,
            )
        if _raised_by_anymail(exception):
            # anymail's parsers index the payload directly: a malformed body fails there, not in our code.
            return JsonResponse(
                {"code": "bad_payload", "message": "The provider's payload could not be read."}, status=400
            )
        return None  # our own receivers failed: a 500, so the provider retries


def _raised_by_anymail(exception: BaseException) -> bool:
    traceback = exception.__traceback__
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    return traceback.tb_frame.f_globals.get("__name__", "").startswith("anymail.")
