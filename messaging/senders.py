"""Channel adapters: hand rendered messages to their provider and say, per message, how it went.

No database access: the outbox (services) claims, renders and records; a sender only builds what
the provider takes. Email goes through Django's email API (anymail for real providers). With
a merge-field syntax (the provider's own by default, PROVIDER_MERGE_FIELDS), messages of one template
and language are handed off together through the provider's batch API (anymail merge data):
each recipient's own rendering travels as merge values into one shared message, so
personalisation stays ours and the provider gets one call per group instead of one per email.
"""

from collections.abc import Callable
from dataclasses import dataclass

from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from messaging.backends.sms import SendError, TextMessage, text_backend
from messaging.models import Channel, Message
from messaging.rendering import RenderedMessage

# Called with how many messages are about to leave; returns when the provider's rate allows it.
Throttle = Callable[[int], None]
REFUSED_STATUSES = ("rejected", "invalid")


class Unsendable(Exception):
    """A message no retry will send (an empty text, an email without a subject)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


@dataclass
class Outgoing:
    message: Message
    rendered: RenderedMessage
    unsubscribe_url: str = ""
    postal_address: str = ""  # the sender's, printed in a marketing email's footer


# Each hand-off answers, per message, None (the provider took it) or the SendError it raised.
Results = list[tuple[Outgoing, SendError | None]]

# The merge-field syntax (inserting HTML unescaped) of each provider whose anymail backend batch-sends
# our own content with merge data. Postmark's takes merge data only with a template stored at Postmark,
# SendGrid's rewrites the field names and Amazon SES's needs stored templates: one call per email there.
PROVIDER_MERGE_FIELDS = {
    "anymail.backends.mailgun.EmailBackend": "%recipient.{name}%",
    "anymail.backends.sparkpost.EmailBackend": "{{{name}}}",
    "anymail.backends.mandrill.EmailBackend": "*|{name}|*",
}


def email_merge_field() -> str:
    """MESSAGING_EMAIL_MERGE_FIELD when set ("" for one call per email), else the provider's own syntax."""
    if settings.MESSAGING_EMAIL_MERGE_FIELD is not None:
        return settings.MESSAGING_EMAIL_MERGE_FIELD
    return PROVIDER_MERGE_FIELDS.get(settings.EMAIL_BACKEND, "")


def email_layout(
    *, subject: str, preheader: str, body_html: str, unsubscribe_url: str, language: str, postal_address: str = ""
) -> str:
    """The responsive email layout around a rendered body: its preheader, and a footer with the
    unsubscribe link and the sender's postal address, in the message's language (`lang` too)."""
    context = {
        "subject": subject,
        "preheader": preheader,
        "body": mark_safe(body_html),  # noqa: S308  the marketer's HTML, its values autoescaped
        "unsubscribe_url": unsubscribe_url,
        "postal_address": postal_address,
        "language": language,
    }
    with translation.override(language):
        return render_to_string("messaging/email.html", context)


def text_footer(*, unsubscribe_url: str, postal_address: str, language: str) -> str:
    """The plain-text part's footer: what the HTML footer says, in the message's language."""
    lines = []
    with translation.override(language):
        if unsubscribe_url:
            lines.append(f"{gettext('Unsubscribe or change your preferences')}: {unsubscribe_url}")
    if postal_address:
        lines.append(" ".join(postal_address.split()))
    return "\n\n-- \n" + "\n".join(lines) if lines else ""


class Sender:
    """In-app notifications: nothing leaves; the storefront reads the rendered content."""

    def __init__(self, throttle: Throttle):
        self.throttle = throttle

    @staticmethod
    def for_channel(channel: str, throttle: Throttle) -> "Sender":
        if channel == Channel.EMAIL:
            return EmailSender(throttle)
        if channel == Channel.IN_APP:
            return Sender(throttle)
        return TextSender(channel, throttle)

    def check(self, outgoing: Outgoing) -> dict:
        """Raise Unsendable for a message no provider would take; return the content to keep."""
        if not outgoing.rendered.body:
            raise Unsendable("template_error", "The in-app text is empty.")
        return {"title": outgoing.rendered.subject, "body": outgoing.rendered.body}

    def hand_off(self, items: list[Outgoing]) -> Results:
        return [(item, None) for item in items]

    def close(self) -> None:
        pass


class TextSender(Sender):
    def __init__(self, channel: str, throttle: Throttle):
        super().__init__(throttle)
        self.channel = channel
        self.backend = text_backend(channel)

    def check(self, outgoing: Outgoing) -> dict:
        if not outgoing.rendered.body:
            raise Unsendable("template_error", f"The {self.channel} text is empty.")
        return {}

    def hand_off(self, items: list[Outgoing]) -> Results:
        results: Results = []
        for item in items:
            self.throttle(1)
            text = TextMessage(
                to=item.message.address,
                body=item.rendered.body,
                channel=self.channel,
                idempotency_key=item.message.idempotency_key,
                metadata={"mid": item.message.pk},
            )
            try:
                self.backend.send_messages([text])
            except SendError as error:
                results.append((item, error))
            else:
                results.append((item, None))
        return results


class EmailSender(Sender):
    def __init__(self, throttle: Throttle):
        super().__init__(throttle)
        self.merge_field = email_merge_field()
        self.connection = get_connection()
        self.connection.open()

    def close(self) -> None:
        self.connection.close()

    def check(self, outgoing: Outgoing) -> dict:
        rendered = outgoing.rendered
        if not rendered.subject or not (rendered.html or rendered.text):
            raise Unsendable("template_error", "An email needs a subject and a body.")
        return {}

    def hand_off(self, items: list[Outgoing]) -> Results:
        if not self.merge_field:
            return [result for item in items for result in self._send([item], self._single(item))]
        results: Results = []
        for group in _merge_groups(items):
            email = self._single(group[0]) if len(group) == 1 else self._merged(group)
            results.extend(self._send(group, email))
        return results

    def _single(self, item: Outgoing) -> EmailMultiAlternatives:
        rendered, message = item.rendered, item.message
        email = EmailMultiAlternatives(
            subject=rendered.subject,
            body=_text(item),
            to=[message.address],
            headers={**_list_headers(item), **_own_headers(item)},
            connection=self.connection,
        )
        if rendered.html:
            html = email_layout(
                subject=rendered.subject,
                preheader=rendered.preheader,
                body_html=item.rendered.html,  # links already tracked by the outbox's render
                unsubscribe_url=item.unsubscribe_url,
                language=message.language,
                postal_address=item.postal_address,
            )
            email.attach_alternative(html, "text/html")
        email.metadata = {"mid": str(message.pk)}
        return _with_options(email, message)

    def _merged(self, group: list[Outgoing]) -> EmailMultiAlternatives:
        """One message for the group: every field a merge field, each recipient's values in merge data."""
        first = group[0]

        def field(name: str) -> str:
            return self.merge_field.replace("{name}", name)

        email = EmailMultiAlternatives(
            subject=field("subject"),
            body=field("text"),
            to=[item.message.address for item in group],
            headers=_list_headers(first),
            connection=self.connection,
        )
        if first.rendered.html:
            html = email_layout(
                subject=mark_safe(field("title")),  # noqa: S308  each recipient's value is escaped below
                preheader=mark_safe(field("preheader")) if first.rendered.preheader else "",  # noqa: S308
                body_html=field("body"),
                unsubscribe_url=mark_safe(field("unsubscribe_url")) if first.unsubscribe_url else "",  # noqa: S308
                language=first.message.language,
                postal_address=first.postal_address,  # one per group, see _merge_groups
            )
            email.attach_alternative(html, "text/html")
        email.merge_data = {
            item.message.address: {
                "subject": item.rendered.subject,
                "text": _text(item),
                "title": escape(item.rendered.subject),
                "preheader": escape(item.rendered.preheader),
                "body": item.rendered.html,
                "unsubscribe_url": escape(item.unsubscribe_url),
            }
            for item in group
        }
        email.merge_headers = {item.message.address: _own_headers(item) for item in group}
        email.merge_metadata = {item.message.address: {"mid": str(item.message.pk)} for item in group}
        return _with_options(email, first.message)

    def _send(self, group: list[Outgoing], email: EmailMultiAlternatives) -> Results:
        self.throttle(len(group))
        try:
            self.connection.send_messages([email])
        except AnymailRecipientsRefused as error:
            return [(item, SendError(str(error), transient=False)) for item in group]
        except AnymailAPIError as error:
            status = getattr(error, "status_code", None)
            transient = status is None or status == 429 or status >= 500
            return [(item, SendError(str(error), transient=transient)) for item in group]
        except OSError as error:  # SMTP and connection failures
            return [(item, SendError(str(error), transient=True)) for item in group]
        except AnymailError as error:  # the backend refuses what we asked (a feature it lacks): so would a retry
            refused = SendError(f"The email backend refused the message: {error}", transient=False)
            return [(item, refused) for item in group]
        statuses = getattr(getattr(email, "anymail_status", None), "recipients", None) or {}
        results: Results = []
        for item in group:
            status = statuses.get(item.message.address)
            if status is not None and status.status in REFUSED_STATUSES:
                results.append(
                    (item, SendError(f"The provider refused the address ({status.status}).", transient=False))
                )
            else:
                results.append((item, None))
        return results


def _merge_groups(items: list[Outgoing]) -> list[list[Outgoing]]:
    """Messages that can share one batch send: same template, language, layout parts and sender postal address, and no
    address twice (merge data is keyed by address)."""
    groups: list[list[Outgoing]] = []
    open_groups: dict[tuple, tuple[list[Outgoing], set[str]]] = {}
    for item in items:
        rendered, address = item.rendered, item.message.address
        key = (
            item.message.template_id,
            item.message.language,
            bool(rendered.html),
            bool(rendered.preheader),
            bool(item.unsubscribe_url),
            item.postal_address,
        )
        group, addresses = open_groups.get(key, (None, set()))
        if group is None or address in addresses:
            group, addresses = [], set()
            open_groups[key] = (group, addresses)
            groups.append(group)
        group.append(item)
        addresses.add(address)
    return groups


def _text(item: Outgoing) -> str:
    footer = text_footer(
        unsubscribe_url=item.unsubscribe_url, postal_address=item.postal_address, language=item.message.language
    )
    return item.rendered.text + footer


def _list_headers(item: Outgoing) -> dict:
    """RFC 8058 one-click unsubscribe and List-Id: on every marketing email."""
    if not item.unsubscribe_url:
        return {}
    return {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "List-Id": settings.MESSAGING_LIST_ID}


def _own_headers(item: Outgoing) -> dict:
    headers = {"X-Message-Id": str(item.message.pk)}
    if item.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{item.unsubscribe_url}>"
    return headers


def _with_options(email: EmailMultiAlternatives, message: Message) -> EmailMultiAlternatives:
    # Anymail's options; Django's own backends ignore them.
    email.tags = [message.template.code]
    email.track_clicks = False  # our own signed links already track clicks
    return email
