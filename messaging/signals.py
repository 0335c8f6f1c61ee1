"""What messaging tells the apps above it. Sent after the transaction commits.

Receivers take `sender` and the keyword arguments named in each comment.
"""

from django.dispatch import Signal

messages_sent = Signal()  # messages (the Message rows just confirmed as handed to the provider)
