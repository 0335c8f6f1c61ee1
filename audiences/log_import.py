"""The write path of a communications log import (seed 004): a service module of its own, for its size.

From each message the import derives what the guide derives: the customer (by phone), their first
contact (`signed_up_at`), the message itself (a `message_logged` event: activity and engagement),
a complaint when the text has a complaint keyword (`complaint_opened`), and spend when it has an
amount (an order of that amount on the `communications_log` channel, so totals, RFM and loyalty
scores see it). Every row has a key from its content: importing the same log again adds nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateTimeField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Least

from audiences.communications import LogRow, complaint_keyword, currency_error, keyword_pattern
from audiences.models import Customer, Event, Order
from audiences.segments.recheck import customers_mark_changed
from audiences.services.events import event_keys_lock
from audiences.services.orders import customer_statistics_recompute

LOG_CHANNEL = "communications_log"
BATCH = 2_000


@dataclass(frozen=True)
class LogImportResult:
    customers_created: int
    messages: int
    duplicates: int  # messages imported before (or twice in this file): nothing written for them
    complaints: int
    purchases: int


def _chunks(values: list, size: int = BATCH) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _existing(model, field: str, values: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(values):
        found.update(model.objects.filter(**{f"{field}__in": chunk}).values_list(field, flat=True))
    return found


def _customers(rows: list[LogRow], currency: str) -> tuple[dict[str, int], int]:
    """phone -> customer id, creating customers for new numbers; first contact becomes signed_up_at."""
    first_contact: dict[str, datetime] = {}
    names: dict[str, str] = {}
    for row in rows:
        if row.phone not in first_contact or row.occurred_at < first_contact[row.phone]:
            first_contact[row.phone] = row.occurred_at
        names.setdefault(row.phone, row.name)
    phones = sorted(first_contact)

    def lookup() -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(phones):
            # A customer whose external id is the number (created by an earlier import) counts too;
            # of several with one number, the oldest.
            # Both keys: a customer an earlier import created (external id = the old number) whose
            # phone has changed since is found by either number.
            matches = Customer.objects.filter(Q(phone__in=chunk) | Q(external_id__in=chunk)).order_by("-pk")
            for pk, phone, external_id in matches.values_list("pk", "phone", "external_id"):
                for number in {phone, external_id} & first_contact.keys():
                    found[number] = pk
        return found

    known = lookup()
    new = [phone for phone in phones if phone not in known]
    Customer.objects.bulk_create(
        [
            Customer(
                external_id=phone,
                phone=phone,
                first_name=names[phone],
                currency=currency,
                signed_up_at=first_contact[phone],
            )
            for phone in new
        ],
        ignore_conflicts=True,
        batch_size=BATCH,
    )
    existing = dict(known)
    known = lookup()
    if unplaced := [phone for phone in phones if phone not in known]:
        # Another customer holds the number as their external id in a way the lookup cannot tell apart.
        raise ValidationError({"phone": [f"No customer could be found or created for {phone}." for phone in unplaced]})
    for ids in _chunks(list(existing.values())):
        Customer.objects.filter(pk__in=ids, currency="").update(currency=currency)
    for phone, pk in existing.items():
        contact = Value(first_contact[phone], output_field=DateTimeField())
        # LEAST ignores NULL on PostgreSQL but not on SQLite: Coalesce covers both.
        Customer.objects.filter(pk=pk).update(signed_up_at=Coalesce(Least(F("signed_up_at"), contact), contact))
    return known, len(new)


# Customer.total_spent holds 16 digits with 3 decimals: a customer's placed orders must sum below this.
MAX_TOTAL_SPENT = Decimal(10) ** (Customer._meta.get_field("total_spent").max_digits - 3)


def _refuse_overflowing_totals(purchases: list[Order], currency: str) -> None:
    """Each amount fits, but a customer's total could not be stored: refuse the log (nothing is written)."""
    new_spend: dict[int, Decimal] = {}
    for order in purchases:
        new_spend[order.customer_id] = new_spend.get(order.customer_id, Decimal(0)) + order.total
    if not new_spend:
        return
    spent = dict(
        Order.objects.filter(customer_id__in=new_spend, currency=currency, status=Order.Status.PLACED)
        .values("customer_id")
        .annotate(spent=Sum("total"))
        .values_list("customer_id", "spent")
    )
    over = [pk for pk, amount in new_spend.items() if amount + spent.get(pk, Decimal(0)) >= MAX_TOTAL_SPENT]
    if over:
        phones = Customer.objects.filter(pk__in=over).order_by("phone").values_list("phone", flat=True)
        raise ValidationError(
            {
                "amount": [
                    f"The amounts for {phone} bring the customer's total past {MAX_TOTAL_SPENT:,} {currency}, "
                    "more than a total can hold: check the log's amounts."
                    for phone in phones
                ]
            }
        )


@transaction.atomic
def communications_log_import(*, rows: list[LogRow], currency: str) -> LogImportResult:
    """Import cleaned log rows whose amounts are in `currency` (the log names none)."""
    if error := currency_error(currency):
        raise ValidationError({"currency": [error]})
    unique: dict[str, LogRow] = {}
    for row in rows:
        unique.setdefault(row.key, row)
    event_keys_lock([f"log:{key}" for key in unique] + [f"log-complaint:{key}" for key in unique])
    seen = _existing(Event, "idempotency_key", [f"log:{key}" for key in unique])
    fresh = [row for key, row in unique.items() if f"log:{key}" not in seen]
    customer_ids, created = _customers(fresh, currency)
    pattern = keyword_pattern(settings.COMPLAINT_KEYWORDS)

    messages, complaints, purchases = [], [], []
    for row in fresh:
        customer_id = customer_ids[row.phone]
        properties = {"text": row.text, "amount": str(row.amount), "currency": currency, "source": LOG_CHANNEL}
        messages.append(Event(customer_id=customer_id, type="message_logged", occurred_at=row.occurred_at,
                              properties=properties, idempotency_key=f"log:{row.key}"))  # fmt: skip
        if keyword := complaint_keyword(row.text, pattern):
            complaints.append(Event(customer_id=customer_id, type="complaint_opened", occurred_at=row.occurred_at,
                                    properties={**properties, "keyword": keyword},
                                    idempotency_key=f"log-complaint:{row.key}"))  # fmt: skip
        if row.amount > 0:
            purchases.append(Order(external_id=f"LOG-{row.key[:32]}", customer_id=customer_id, channel=LOG_CHANNEL,
                                   currency=currency, placed_at=row.occurred_at, subtotal=row.amount,
                                   total=row.amount))  # fmt: skip
    _refuse_overflowing_totals(purchases, currency)
    Event.objects.bulk_create([*messages, *complaints], batch_size=BATCH, ignore_conflicts=True)
    Order.objects.bulk_create(purchases, batch_size=BATCH, ignore_conflicts=True)
    customer_statistics_recompute(customer_ids=sorted({order.customer_id for order in purchases}))
    customers_mark_changed(customer_ids={message.customer_id for message in messages})
    return LogImportResult(
        customers_created=created,
        messages=len(messages),
        duplicates=len(rows) - len(messages),
        complaints=len(complaints),
        purchases=len(purchases),
    )
