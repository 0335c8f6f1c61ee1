"""Provider webhooks accept nothing they cannot authenticate, and production cannot start without the secret."""

import base64

import pytest
from django.core.checks import run_checks

from audiences.models import Consent
from messaging.models import Suppression

pytestmark = pytest.mark.django_db

SECRET = "anymail:webhook-secret"
BASIC = "Basic " + base64.b64encode(SECRET.encode()).decode()
COMPLAINT = {"RecordType": "SpamComplaint", "Type": "SpamComplaint", "Email": "victim@example.com", "ID": 1,
             "MessageID": "m-1", "BouncedAt": "2026-11-23T10:00:00Z"}  # fmt: skip
TRACKING = ["postmark", "sendgrid", "brevo", "sparkpost", "mailgun", "mailjet", "amazon_ses", "resend", "mandrill"]


@pytest.mark.parametrize("provider", TRACKING)
def test_without_the_secret_every_provider_webhook_refuses_anonymous_events(client, settings, provider):
    settings.ANYMAIL = {}
    response = client.post(f"/anymail/{provider}/tracking/", COMPLAINT, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "webhook_not_configured"
    assert not Suppression.objects.exists() and not Consent.objects.exists()


@pytest.mark.parametrize("provider", ["mailgun", "mailjet", "mandrill", "amazon_ses", "resend"])
def test_an_unconfigured_provider_is_a_4xx_not_a_500(client, settings, provider):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    anonymous = client.post(f"/anymail/{provider}/tracking/", {}, content_type="application/json")
    signed_in = client.post(
        f"/anymail/{provider}/tracking/", {}, content_type="application/json", HTTP_AUTHORIZATION=BASIC
    )
    assert 400 <= anonymous.status_code < 500 and 400 <= signed_in.status_code < 500


def _deploy_errors(settings, **overrides):
    for name, value in overrides.items():
        setattr(settings, name, value)
    return {message.id for message in run_checks(include_deployment_checks=True) if message.id.startswith("config.")}


def test_deploy_checks_fail_for_a_real_provider_without_webhook_secrets(settings):
    real = {
        "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
        "SMS_BACKEND": "messaging.backends.sms.TwilioSMSBackend",
    }
    assert _deploy_errors(settings, ANYMAIL={}, SMS_WEBHOOK_SECRET="", **real) == {"config.E001", "config.E002"}
    assert _deploy_errors(settings, ANYMAIL={"WEBHOOK_SECRET": SECRET}, SMS_WEBHOOK_SECRET="token", **real) == set()
    console = {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
               "SMS_BACKEND": "messaging.backends.sms.ConsoleSMSBackend"}  # fmt: skip
    assert _deploy_errors(settings, ANYMAIL={}, SMS_WEBHOOK_SECRET="", **console) == set()


def test_a_failure_in_our_own_recording_stays_a_server_error_so_the_provider_retries(client, settings, monkeypatch):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}

    def database_down(**kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr("messaging.receivers.tracking_event_record", database_down)
    with pytest.raises(RuntimeError, match="database down"):
        client.post("/anymail/postmark/tracking/", COMPLAINT, content_type="application/json", HTTP_AUTHORIZATION=BASIC)
