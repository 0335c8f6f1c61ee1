"""Writing a launch batch's assignments: COPY on PostgreSQL (hundreds of thousands per launch), else the ORM.

Both write the same rows; a second freeze of a customer breaks the (campaign, customer) unique constraint
either way, so the batch's transaction rolls back rather than assigning anyone twice.
"""

from datetime import datetime
from typing import NamedTuple

from django.db import connection

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


_COLUMNS = "campaign_id, customer_id, bucket, variant_id, status, reason, coupon_code, created_at"


def assignments_write(*, campaign_id: int, frozen: list[Frozen], now: datetime) -> None:
    if not frozen:
        return
    if not copy_writes():
        Assignment.objects.bulk_create(
            Assignment(campaign_id=campaign_id, created_at=now, **row._asdict()) for row in frozen
        )
        return
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {Assignment._meta.db_table} ({_COLUMNS}) FROM STDIN") as copy,
    ):
        for row in frozen:
            copy.write_row((campaign_id, *row, now))
