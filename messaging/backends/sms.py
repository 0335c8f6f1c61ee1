"""SMS and WhatsApp backends: one small interface in the style of Django's email backends.

`settings.SMS_BACKEND` and `settings.WHATSAPP_BACKEND` name the class. Each backend takes a list of
`TextMessage` and returns the provider's id for each; it raises `SendError` naming whether trying
again later may help. The idempotency key is handed to the provider as the message's identity:
the file and locmem backends honour it as providers that support idempotency keys do.
"""

import json
import sys
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class TextMessage:
    to: str  # E.164
    body: str
    channel: str = "sms"  # "sms" or "whatsapp"
    idempotency_key: str = ""
    metadata: dict = field(default_factory=dict)


class SendError(Exception):
    """A message the provider did not take. `transient` says whether a later retry may succeed."""

    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.transient = transient


class BaseTextBackend:
    def __init__(self, **options):
        self.options = options

    def send_messages(self, messages: list[TextMessage]) -> list[str]:
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


class ConsoleSMSBackend(BaseTextBackend):
    """Prints each message: the embedded default, for development."""

    def send_messages(self, messages: list[TextMessage]) -> list[str]:
        stream = self.options.get("stream") or sys.stdout
        for message in messages:
            stream.write(f"[{message.channel} to {message.to}] {message.body}\n")
        stream.flush()
        return [message.idempotency_key for message in messages]


outbox: list[TextMessage] = []
_outbox_lock = threading.Lock()


class LocmemSMSBackend(BaseTextBackend):
    """Keeps messages in `messaging.backends.sms.outbox`, for tests."""

    def send_messages(self, messages: list[TextMessage]) -> list[str]:
        with _outbox_lock:
            seen = {sent.idempotency_key for sent in outbox if sent.idempotency_key}
            outbox.extend(message for message in messages if message.idempotency_key not in seen)
        return [message.idempotency_key for message in messages]


class FileSMSBackend(BaseTextBackend):
    """Appends one JSON line per message to `settings.SMS_FILE_PATH`, shared by every process.

    A key already in the file is not written again (a `"duplicate": true` line records that it was
    asked), as a provider honouring idempotency keys would do.
    """

    def __init__(self, **options):
        super().__init__(**options)
        self.path = Path(options.get("path") or settings.SMS_FILE_PATH)
        self._keys: set[str] | None = None

    def _known_keys(self) -> set[str]:
        if self._keys is None:
            self._keys = set()
            if self.path.exists():
                with self.path.open(encoding="utf-8") as lines:
                    self._keys = {json.loads(line)["idempotency_key"] for line in lines if line.strip()}
        return self._keys

    def send_messages(self, messages: list[TextMessage]) -> list[str]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        known = self._known_keys()
        with self.path.open("a", encoding="utf-8") as log:
            for message in messages:
                record = asdict(message)
                if message.idempotency_key and message.idempotency_key in known:
                    record["duplicate"] = True
                known.add(message.idempotency_key)
                log.write(json.dumps(record, ensure_ascii=False) + "\n")
                log.flush()
        return [message.idempotency_key for message in messages]


class TwilioSMSBackend(BaseTextBackend):
    """Twilio's Messages API through its SDK; WhatsApp numbers carry the `whatsapp:` prefix."""

    def __init__(self, **options):
        super().__init__(**options)
        from twilio.rest import Client

        self.client = options.get("client") or Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)

    def send_messages(self, messages: list[TextMessage]) -> list[str]:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        ids = []
        for message in messages:
            if message.channel == "whatsapp":
                to, sender = f"whatsapp:{message.to}", f"whatsapp:{settings.TWILIO_WHATSAPP_FROM}"
            else:
                to, sender = message.to, settings.TWILIO_SMS_FROM
            try:
                sent = self.client.messages.create(to=to, from_=sender, body=message.body)
            except TwilioRestException as error:
                transient = error.status == 429 or error.status >= 500
                raise SendError(f"Twilio {error.status} ({error.code}): {error.msg}", transient=transient) from error
            except (TwilioException, OSError) as error:  # requests' connection errors are OSErrors
                raise SendError(f"Twilio: {error}", transient=True) from error
            ids.append(sent.sid)
        return ids


def text_backend(channel: str) -> BaseTextBackend:
    path = settings.WHATSAPP_BACKEND if channel == "whatsapp" else settings.SMS_BACKEND
    return import_string(path)()
