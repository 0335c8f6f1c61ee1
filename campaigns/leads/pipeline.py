"""A lead's pipeline as a table (pure): new → contacted → test drive → won or lost.

A lead only moves forward and may skip steps (a walk-in who buys on the spot goes from new to won); won and
lost are final. Losing needs a reason; winning needs the sale's value. Every status change goes through
`check_move`, so no code path can move a lead backwards or out of a final status.
"""

from enum import StrEnum

from config.errors import Conflict, DomainError


class LeadStatus(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    TEST_DRIVE = "test_drive"
    WON = "won"
    LOST = "lost"


class LostReason(StrEnum):
    PRICE = "price"
    BOUGHT_ELSEWHERE = "bought_elsewhere"
    NOT_IN_STOCK = "not_in_stock"
    UNREACHABLE = "unreachable"
    NOT_INTERESTED = "not_interested"
    OTHER = "other"


OPEN = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.TEST_DRIVE)
FINAL = frozenset({LeadStatus.WON, LeadStatus.LOST})
# from status -> the statuses it may move to
MOVES: dict[LeadStatus, tuple[LeadStatus, ...]] = {
    LeadStatus.NEW: (LeadStatus.CONTACTED, LeadStatus.TEST_DRIVE, LeadStatus.WON, LeadStatus.LOST),
    LeadStatus.CONTACTED: (LeadStatus.TEST_DRIVE, LeadStatus.WON, LeadStatus.LOST),
    LeadStatus.TEST_DRIVE: (LeadStatus.WON, LeadStatus.LOST),
    LeadStatus.WON: (),
    LeadStatus.LOST: (),
}
# The lead's timestamp each status sets when it is reached.
REACHED_AT = {
    LeadStatus.CONTACTED: "contacted_at",
    LeadStatus.TEST_DRIVE: "test_drive_at",
    LeadStatus.WON: "won_at",
    LeadStatus.LOST: "lost_at",
}


def parse_status(value) -> LeadStatus:
    try:
        return LeadStatus(value)
    except ValueError:
        raise DomainError(
            code="unknown_status", message=f"Unknown lead status '{value}'; use one of: {', '.join(LeadStatus)}."
        ) from None


def check_move(current, target, *, lost_reason: str = "", has_value: bool = False) -> LeadStatus:
    """The status `target`, if a lead in `current` may move there with what it has; else a domain error.

    Moving to the status it is in already is no move: it is allowed and changes nothing (a retried request).
    """
    current, target = parse_status(current), parse_status(target)
    if target is current:
        return target
    if target not in MOVES[current]:
        allowed = ", ".join(MOVES[current]) or "nothing (it is final)"
        raise Conflict(
            code="invalid_transition",
            message=f"A lead that is {current} cannot become {target}; it may become: {allowed}.",
            status=str(current),
        )
    if target is LeadStatus.LOST and lost_reason not in set(LostReason):
        raise DomainError(
            code="lost_reason_required",
            message=f"A lost lead needs a lost_reason, one of: {', '.join(LostReason)}.",
        )
    if target is LeadStatus.WON and not has_value:
        raise DomainError(code="value_required", message="A won lead needs its value (the sale's amount).")
    return target
