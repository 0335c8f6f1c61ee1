"""What one run of the dispatcher did, counted by each of its steps."""

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class DispatchReport:
    batches: int = 0
    sent: int = 0
    deferred: int = 0
    retried: int = 0
    failed: int = 0
    skipped: Counter = field(default_factory=Counter)
