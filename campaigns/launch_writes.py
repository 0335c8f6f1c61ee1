"""Writing a launch batch's assignments: COPY on PostgreSQL (hundreds of thousands per launch), else the ORM;
and giving a staged test's rest the winner.

Both write the same rows; a second freeze of a customer breaks the (campaign, customer) unique constraint
either way, so the batch's transaction rolls back rather than assigning anyone twice.
"""

from collections import defaultdict
from datetime import datetime
from typing import NamedTuple

from django.db import IntegrityError, connection

from campaigns.models import Assignment
from config.bulk_writes import copy_writes


class Frozen(NamedTuple):
    """One customer's assignment as the launch decided it."""

    customer_id: int
    bucket: int
    variant_id: int | None
    status: str
    reason: str
    coupon_code: str
    send_time_arm: str = ""


_COLUMNS = "campaign_id, customer_id, bucket, variant_id, status, reason, coupon_code, send_time_arm, created_at"


def assignments_write(*, campaign_id: int, frozen: list[Frozen], now: datetime) -> None:
    if not frozen:
        return
    if not copy_writes():
        Assignment.objects.bulk_create(
            Assignment(campaign_id=campaign_id, created_at=now, **row._asdict()) for row in frozen
        )
        return
    with (
        connection.wrap_database_errors,  # a second freeze is Django's IntegrityError, as on the ORM path
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {Assignment._meta.db_table} ({_COLUMNS}) FROM STDIN") as copy,
    ):
        for row in frozen:
            copy.write_row((campaign_id, *row, now))


def assignments_release(*, campaign_id: int, released: list[Frozen]) -> None:
    """Give a staged test's rest their variant and outcome: one UPDATE per (variant, status, reason), codes by row.

    Only rows still waiting are touched; any other count means the batch was released already, and raising
    rolls this one back.
    """
    groups: dict[tuple, list[int]] = defaultdict(list)
    for row in released:
        groups[row.variant_id, row.status, row.reason].append(row.customer_id)
    waiting = Assignment.objects.filter(campaign_id=campaign_id, status=Assignment.Status.REMAINDER)
    for (variant_id, status, reason), customer_ids in groups.items():
        updated = waiting.filter(customer_id__any_of=customer_ids).update(
            variant_id=variant_id, status=status, reason=reason
        )
        if updated != len(customer_ids):
            raise IntegrityError(f"{len(customer_ids) - updated} of the batch were no longer waiting for the winner.")
    codes = {row.customer_id: row.coupon_code for row in released if row.coupon_code}
    if codes:
        rows = list(Assignment.objects.filter(campaign_id=campaign_id, customer_id__any_of=list(codes)))
        for row in rows:
            row.coupon_code = codes[row.customer_id]
        Assignment.objects.bulk_update(rows, ["coupon_code"])
