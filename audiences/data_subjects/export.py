"""Everything held about one customer, as one JSON document: each registered section under its key."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from audiences.data_subjects.registry import data_sections

EXPORT_KEY = "customer_data"


def customer_data(customer) -> dict:
    return {
        "customer": customer.external_id,
        "exported_at": timezone.now(),
        "sections": {section.key: section.export(customer) for section in data_sections()},
    }


def as_json(data: dict) -> bytes:
    """The file's bytes: dates in ISO 8601, amounts as decimal strings, text as it is (UTF-8)."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode()


def customer_data_size(customer) -> int:
    """The rows an export reads (orders' lines, events, messages, ledger entries, ...): big ones go to a job."""
    return sum(section.size(customer) for section in data_sections() if section.size)
