"""Pages and webhooks outside the Api-Key API: unsubscribe and preferences, tracked clicks,
email confirmation, inbound SMS. Thin: each validates and calls one service."""

from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from twilio.request_validator import RequestValidator

from audiences.models import ConsentChannel, ConsentStatus, ConsentTopic, Customer
from messaging import links
from messaging.models import Channel
from messaging.selectors import link_customer
from messaging.services.double_opt_in import email_consent_confirm
from messaging.services.inbound import inbound_text_handle
from messaging.services.preferences import preferences_update, unsubscribe_one_click
from messaging.services.tracking import click_record

PREFERENCE_CHANNELS = [ConsentChannel.EMAIL, ConsentChannel.SMS, ConsentChannel.WHATSAPP]
PREFERENCE_TOPICS = [ConsentTopic.MARKETING, ConsentTopic.LOYALTY]
# What the customer reads, in their language (messaging/locale): channels and topics as a shopper says them.
CHANNEL_LABELS = {
    ConsentChannel.EMAIL: gettext_lazy("Email"),
    ConsentChannel.SMS: gettext_lazy("SMS"),
    ConsentChannel.WHATSAPP: gettext_lazy("WhatsApp"),
}
TOPIC_LABELS = {
    ConsentTopic.MARKETING: gettext_lazy("Offers and news"),
    ConsentTopic.LOYALTY: gettext_lazy("Loyalty points and rewards"),
}


def _bad_link(request, error: Exception) -> HttpResponse:
    return render(request, "messaging/link_error.html", {"error": str(error)}, status=400)


def _page_language(customer: Customer) -> str:
    """The customer's own language, whatever the browser says: the page answers a message we sent them."""
    return customer.language or settings.LANGUAGE_CODE


def _preference_rows(customer: Customer) -> list[dict]:
    opted_in = {(consent.channel, consent.topic) for consent in customer.consents.filter(status=ConsentStatus.OPTED_IN)}
    return [
        {
            "channel": channel,
            "channel_label": CHANNEL_LABELS[channel],
            "topics": [
                {"name": f"{channel}:{topic}", "label": TOPIC_LABELS[topic], "checked": (channel, topic) in opted_in}
                for topic in PREFERENCE_TOPICS
            ],
        }
        for channel in PREFERENCE_CHANNELS
    ]


@csrf_exempt  # the signed token is the credential; mail providers POST one-click without a session
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        payload = links.unsubscribe_payload(token)
    except links.BadToken as error:
        return _bad_link(request, error)
    try:
        customer = link_customer(payload)
    except links.BadToken as error:
        return _bad_link(request, error)
    saved = unsubscribed = False
    if request.method == "POST":
        if request.POST.get("List-Unsubscribe") == "One-Click" or request.POST.get("action") == "unsubscribe":
            unsubscribe_one_click(token=token)
            unsubscribed = True
        else:
            chosen = set(request.POST.getlist("consent"))
            choices = {
                (channel, topic): f"{channel}:{topic}" in chosen
                for channel in PREFERENCE_CHANNELS
                for topic in PREFERENCE_TOPICS
            }
            preferences_update(customer=customer, choices=choices)
            saved = True
    context = {
        "customer": customer,
        "rows": _preference_rows(customer),
        "channel": CHANNEL_LABELS.get(payload.get("ch"), ""),
        "saved": saved,
        "unsubscribed": unsubscribed,
    }
    with translation.override(_page_language(customer)):
        return render(request, "messaging/preferences.html", context)


def click(request, token: str):
    try:
        destination = click_record(token=token)
    except links.BadToken as error:
        return _bad_link(request, error)
    return HttpResponseRedirect(destination)


@require_http_methods(["GET"])
def confirm_email(request, token: str):
    try:
        customer = email_consent_confirm(token=token)
    except links.BadToken as error:
        return _bad_link(request, error)
    with translation.override(_page_language(customer)):
        return render(request, "messaging/confirmed.html", {"customer": customer})


def _twiml(reply: str) -> HttpResponse:
    body = f"<Message>{escape(reply)}</Message>" if reply else ""
    return HttpResponse(f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>', content_type="text/xml")


@csrf_exempt
@require_POST
def inbound_sms(request):
    """Twilio-style inbound SMS/WhatsApp webhook, signed with X-Twilio-Signature."""
    if not settings.SMS_WEBHOOK_SECRET:
        return HttpResponse("The inbound SMS webhook is not configured (SMS_WEBHOOK_SECRET).", status=403)
    url = settings.SITE_URL + request.get_full_path()
    signature = request.headers.get("X-Twilio-Signature", "")
    if not RequestValidator(settings.SMS_WEBHOOK_SECRET).validate(url, request.POST.dict(), signature):
        return HttpResponse("Bad or missing X-Twilio-Signature.", status=403)
    sender = request.POST.get("From", "").strip()
    if not sender:
        return HttpResponse("'From' is missing.", status=400)
    channel = Channel.WHATSAPP if sender.startswith("whatsapp:") else Channel.SMS
    reply = inbound_text_handle(
        channel=channel,
        from_number=sender.removeprefix("whatsapp:"),
        body=request.POST.get("Body", ""),
        provider_id=request.POST.get("MessageSid", ""),
    )
    return _twiml(reply)
