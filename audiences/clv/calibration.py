"""The holdout check of the purchase model: customers ranked by predicted orders into deciles, and each
decile's predicted and actual orders side by side. Pure: no Django."""

from dataclasses import dataclass

import numpy as np

DECILES = 10
# The four middle deciles are held to ±TOLERANCE. The low ones hold a few dozen orders, where chance alone moves the
# actual count by more than 10% even on data drawn from the model itself; the top ones are a few heavy buyers.
MIDDLE_DECILES = range(4, 8)
TOLERANCE = 0.10


@dataclass(frozen=True)
class DecileRow:
    decile: int  # 1: the fewest predicted orders
    customers: int
    predicted: float
    actual: int

    @property
    def error(self) -> float:
        """(predicted - actual) / actual; infinite when there were no actual orders but some predicted."""
        if self.actual == 0:
            return 0.0 if self.predicted == 0 else float("inf")
        return (self.predicted - self.actual) / self.actual

    @property
    def middle(self) -> bool:
        return self.decile in MIDDLE_DECILES


def decile_table(predicted: np.ndarray, actual: np.ndarray) -> list[DecileRow]:
    """Customers sorted by predicted orders (ties by their place), cut into ten groups as equal as can be."""
    order = np.argsort(predicted, kind="stable")
    return [
        DecileRow(
            decile=number,
            customers=len(group),
            predicted=float(predicted[group].sum()),
            actual=int(actual[group].sum()),
        )
        for number, group in enumerate(np.array_split(order, DECILES), start=1)
    ]


def middle_within_tolerance(rows: list[DecileRow]) -> bool:
    return all(abs(row.error) <= TOLERANCE for row in rows if row.middle)
