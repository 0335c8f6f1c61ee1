"""The sender's postal address that every marketing email carries in its footer (CAN-SPAM).

A store's own `SenderAddress`, else the default one (no store). A marketing email with neither is
not sent: the outbox skips it with the reason `no_postal_address`.
"""

from collections.abc import Iterable

from messaging.models import SenderAddress

NO_POSTAL_ADDRESS = "no_postal_address"


def postal_addresses(store_ids: Iterable[int | None]) -> dict[int | None, str]:
    """{store id (None: no store): the address its emails carry, "" when there is none}."""
    wanted = set(store_ids)
    rows = dict(
        SenderAddress.objects.filter(store_id__in=[s for s in wanted if s is not None] or [0]).values_list(
            "store_id", "postal_address"
        )
    )
    default = SenderAddress.objects.filter(store__isnull=True).values_list("postal_address", flat=True).first() or ""
    return {store_id: rows.get(store_id) or default for store_id in wanted}
