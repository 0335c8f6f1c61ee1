"""What messaging tells the apps above it. Sent after the transaction commits.

Receivers take `sender` and the keyword arguments named in each comment.
"""

from django.dispatch import Signal

messages_sent = Signal()  # messages (the Message rows just confirmed as handed to the provider)
# message, status ("delivered", "opened" or "clicked"), at (when it happened, which may be long before it was
# reported): a delivery or engagement recorded for the first time.
message_engaged = Signal()
