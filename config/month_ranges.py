"""Calendar months as half-open UTC ranges, and the names of the partitions that hold them (no Django).

A partition of `audiences_event` for November 2026 is `audiences_event_y2026m11` and holds occurred_at in
[2026-11-01 00:00 UTC, 2026-12-01 00:00 UTC).
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

_NAME = re.compile(r"_y(\d{4})m(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, moment: datetime) -> "Month":
        """The UTC month a moment falls in (a naive moment is taken as UTC)."""
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
        return cls(moment.year, moment.month)

    def plus(self, months: int) -> "Month":
        year, month = divmod(self.year * 12 + self.month - 1 + months, 12)
        return Month(year, month + 1)

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The next month's start: the range is [start, end)."""
        return self.plus(1).start

    def partition_name(self, table: str) -> str:
        return f"{table}_y{self.year:04d}m{self.month:02d}"


def month_of_partition(table: str, name: str) -> Month | None:
    """The month a partition's name says it holds, or None for any other name (the default partition)."""
    if not name.startswith(f"{table}_"):
        return None
    found = _NAME.search(name)
    if not found or len(name) != len(table) + len("_y0000m00"):
        return None
    year, month = int(found[1]), int(found[2])
    return Month(year, month) if 1 <= month <= 12 else None


def months_from(first: Month, last: Month) -> list[Month]:
    """Every month from `first` to `last`, both included (none when last is before first)."""
    count = (last.year * 12 + last.month) - (first.year * 12 + first.month) + 1
    return [first.plus(n) for n in range(max(count, 0))]
