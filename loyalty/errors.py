"""Loyalty's refusals (config/errors.py): the API answers a Conflict with 409 and its code."""

from config.errors import Conflict


class InsufficientPoints(Conflict):
    def __init__(self, *, needed: int, balance: int):
        super().__init__(
            code="insufficient_points",
            message=f"This needs {needed} points and the balance is {balance}.",
            points_needed=needed,
            points_balance=balance,
        )
