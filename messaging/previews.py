"""The admin's preview of a template for one customer, and test sends of it to the marketer.

Outside the outbox and its policy: nothing is queued or recorded in the customer's history.
"""

from dataclasses import dataclass

from anymail.exceptions import AnymailError
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives

from audiences.models import Customer, Product
from messaging import links
from messaging.backends.sms import SendError, TextMessage, text_backend
from messaging.context import message_context, products_by_sku, provided_values
from messaging.models import Channel, Template, TemplateKind
from messaging.postal import postal_addresses
from messaging.rendering import RenderedMessage, render_translation
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
    rendered = render_translation(available[language], context)
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


def template_test_send(*, template: Template, customer: Customer, language: str, to: str) -> None:
    """Send the preview to the marketer (`to`), outside the outbox and its policy, marked [Test]."""
    preview = template_preview(template=template, customer=customer, language=language)
    rendered = preview.rendered
    try:
        if template.channel == Channel.EMAIL:
            email = EmailMultiAlternatives(subject=f"[Test] {rendered.subject}", body=rendered.text, to=[to])
            if preview.email_html:
                email.attach_alternative(preview.email_html, "text/html")
            email.send()
        elif template.channel in (Channel.SMS, Channel.WHATSAPP):
            text_backend(template.channel).send_messages(
                [TextMessage(to=to, body=rendered.body, channel=template.channel)]
            )
        else:
            raise ValidationError("In-app messages are shown in the storefront; there is nothing to send.")
    except (SendError, AnymailError, OSError) as error:
        raise ValidationError(f"The provider did not take the test message: {error}") from error
