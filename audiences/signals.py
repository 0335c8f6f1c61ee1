"""What audiences tells the apps above it. Sent after the transaction commits.

Receivers take `sender` and the keyword arguments named in each comment.
"""

from django.db import transaction
from django.dispatch import Signal

customer_upserted = Signal()  # customer, created
event_recorded = Signal()  # event
events_recorded = Signal()  # events: all the new events of one recording, for receivers that take them in batches
consent_changed = Signal()  # customer, channel, topic, status
consent_confirmation_requested = Signal()  # customer, channel, topic (email double opt-in is on)
order_placed = Signal()  # order
order_cancelled = Signal()  # order
order_lines_returned = Signal()  # order_return (an OrderReturn with its lines)
segment_membership_changed = Signal()  # segment, entered, exited, changed_at (counts; rows in SegmentMembershipChange)
demo_seeded = Signal()  # no arguments: the demo data set was just created; apps above add their own demo settings
demo_flushing = Signal()  # no arguments, in the flush's transaction: apps above remove their demo rows first


def send_after_commit(signal: Signal, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=None, **kwargs))
