"""The admin's preview of a template for one customer, and test sends of it to the marketer.

Outside the outbox and its policy: nothing is queued or recorded in the customer's history. A test
send carries a customer's data, so it goes only to the sender's own email address (`User.email`, set
by whoever manages users) or to the team's test inboxes and phones in MESSAGING_TEST_RECIPIENTS.
"""

from dataclasses import dataclass

from anymail.exceptions import AnymailError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives

from audiences.models import Customer, Product
from messaging import links
from messaging.backends.sms import SendError, TextMessage, text_backend
from messaging.context import message_context, products_by_sku, provided_values
from messaging.models import Channel, Template, TemplateKind
from messaging.postal import postal_addresses
from messaging.rendering import RenderedMessage, TemplateRenderError, TemplateTextError, render_translation
from messaging.selectors import pick_language, template_translations
from messaging.senders import email_layout


@dataclass(frozen=True)
class Preview:
    language: str
    rendered: RenderedMessage
    email_html: str = ""


def template_preview(*, template: Template, customer: Customer, language: str = "") -> Preview:
    """The template as `customer` would get it, with a sample coupon and the first products."""
    available = template_translations({template.pk})[template.pk]
    language = language if language in available else pick_language(available, customer.language)
    if language is None:
        raise ValidationError("The template has no translation yet.")
    unsubscribe = postal_address = ""
    if template.kind == TemplateKind.MARKETING and template.channel != Channel.IN_APP:
        token = links.unsubscribe_token(customer_id=customer.pk, channel=template.channel, topic=template.topic)
        unsubscribe = links.unsubscribe_url(token)
        postal_address = postal_addresses([customer.store_id])[customer.store_id]
    products = products_by_sku(Product.objects.order_by("sku").values_list("sku", flat=True)[:3])
    context = message_context(
        customer=customer,
        extra={"coupon": {"code": "SAMPLE-CODE"}, "products": list(products), "confirm_url": "#"},
        provided=provided_values([customer]).get(customer.pk, {}),
        products=products,
        unsubscribe_url=unsubscribe,
    )
    try:
        rendered = render_translation(available[language], context)
    except (TemplateRenderError, TemplateTextError) as error:
        raise ValidationError(f"The {language} text cannot be shown for {customer.external_id}: {error}") from error
    email_html = ""
    if template.channel == Channel.EMAIL and rendered.html:
        email_html = email_layout(
            subject=rendered.subject,
            preheader=rendered.preheader,
            body_html=rendered.html,
            unsubscribe_url=unsubscribe,
            language=language,
            postal_address=postal_address,
        )
    return Preview(language=language, rendered=rendered, email_html=email_html)


def allowed_test_recipients(*, channel: str, user_email: str) -> list[str]:
    """Where a user may send a test of a `channel` template: for email their own address and the
    configured test addresses, for SMS and WhatsApp the configured test numbers."""
    configured = settings.MESSAGING_TEST_RECIPIENTS
    if channel == Channel.EMAIL:
        return list(dict.fromkeys(address for address in (user_email, *configured) if "@" in address))
    if channel in (Channel.SMS, Channel.WHATSAPP):
        return [number for number in configured if "@" not in number]
    return []


def template_test_send(*, template: Template, customer: Customer, language: str, to: str, user_email: str) -> None:
    """Send the preview to `to`, one of the user's `allowed_test_recipients`, outside the outbox and its policy,
    marked [Test]."""
    if template.channel == Channel.IN_APP:
        raise ValidationError("In-app messages are shown in the storefront; there is nothing to send.")
    if to not in allowed_test_recipients(channel=template.channel, user_email=user_email):
        raise ValidationError(
            f"A test goes only to your own email address or to a test recipient in MESSAGING_TEST_RECIPIENTS; "
            f"'{to}' is neither."
        )
    preview = template_preview(template=template, customer=customer, language=language)
    rendered = preview.rendered
    try:
        if template.channel == Channel.EMAIL:
            email = EmailMultiAlternatives(subject=f"[Test] {rendered.subject}", body=rendered.text, to=[to])
            if preview.email_html:
                email.attach_alternative(preview.email_html, "text/html")
            email.send()
        else:
            text_backend(template.channel).send_messages(
                [TextMessage(to=to, body=rendered.body, channel=template.channel)]
            )
    except (SendError, AnymailError, OSError) as error:
        raise ValidationError(f"The provider did not take the test message: {error}") from error
