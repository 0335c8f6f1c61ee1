"""The campaign lifecycle as a table: which action moves which status where (pure).

draft → scheduled → running ⇄ paused → completed; a scheduled campaign whose window passes unsent is
expired; anything but a running or paused campaign can be archived, and archived is final. Every
status change goes through `transition`, so no code path can skip a step.
"""

from dataclasses import dataclass

DRAFT = "draft"
SCHEDULED = "scheduled"
RUNNING = "running"
PAUSED = "paused"
COMPLETED = "completed"
EXPIRED = "expired"
ARCHIVED = "archived"

STATUSES = (DRAFT, SCHEDULED, RUNNING, PAUSED, COMPLETED, EXPIRED, ARCHIVED)

# action -> {from status: to status}
TRANSITIONS: dict[str, dict[str, str]] = {
    "schedule": {DRAFT: SCHEDULED},
    "unschedule": {SCHEDULED: DRAFT},
    "start": {DRAFT: RUNNING, SCHEDULED: RUNNING},
    "pause": {RUNNING: PAUSED},
    "resume": {PAUSED: RUNNING},
    "complete": {RUNNING: COMPLETED, PAUSED: COMPLETED},
    "expire": {SCHEDULED: EXPIRED},
    "archive": {DRAFT: ARCHIVED, SCHEDULED: ARCHIVED, COMPLETED: ARCHIVED, EXPIRED: ARCHIVED},
}
ACTIONS = tuple(TRANSITIONS)
# Statuses in which the audience, variants and schedule may still change.
EDITABLE = frozenset({DRAFT, SCHEDULED})


@dataclass(frozen=True)
class TransitionRefused(Exception):
    action: str
    status: str

    def __str__(self) -> str:
        allowed = sorted(TRANSITIONS[self.action]) if self.action in TRANSITIONS else []
        return f"A campaign cannot {self.action} while it is {self.status}" + (
            f" (only from {', '.join(allowed)})." if allowed else "."
        )


def transition(status: str, action: str) -> str:
    """The status `action` leads to from `status`; TransitionRefused when the table has no such move."""
    target = TRANSITIONS.get(action, {}).get(status)
    if target is None:
        raise TransitionRefused(action, status)
    return target


def allowed_actions(status: str) -> list[str]:
    return [action for action in ACTIONS if status in TRANSITIONS[action]]
