"""What campaigns tells the apps above it (journeys, scores). Sent after the transaction commits.

Receivers take `sender` (the Campaign class) and the keyword arguments named in each comment.
"""

from django.dispatch import Signal

# campaign, message (messaging.Message), variant (name): a campaign's message left for the provider.
campaign_message_sent = Signal()
# campaign, customer, order, variant (name or "" for the holdout): an order credited to the campaign.
# Sent by attribution once it credits orders (campaigns/attribution.py).
campaign_converted = Signal()
# campaign, spent (Decimal): spending passed the campaign's alert share of its budget.
campaign_budget_alert = Signal()
