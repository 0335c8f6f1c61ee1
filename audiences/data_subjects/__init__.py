"""Data-subject requests: export everything held about one customer, erase their personal data, and the
retention of old events. Each app registers what it holds about a customer (`registry.py`)."""
