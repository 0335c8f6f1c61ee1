"""Messaging's panels on the Reports page: messages sent today by channel, and deliverability."""

from decimal import Decimal

from config.dashboard import BARS, Panel, Table, register_dashboard_panel
from config.report_days import last_days, start_of
from messaging import selectors


def sent_today() -> Table:
    return Table(["channel", "sent today"], [list(row) for row in
                 selectors.messages_sent_by_channel(since=start_of(last_days(1)[0]))])  # fmt: skip


def rate(part: int, whole: int) -> Decimal:
    return (Decimal(100) * part / whole).quantize(Decimal("0.01")) if whole else Decimal(0)


def deliverability() -> Table:
    rows = selectors.deliverability_by_channel(since=start_of(last_days()[0]))
    return Table(
        ["channel", "bounce rate %", "complaint rate %", "sent", "bounced", "complaints"],
        [[channel, rate(bounced, sent), rate(complaints, sent), sent, bounced, complaints]
         for channel, sent, bounced, complaints in rows],
    )  # fmt: skip


register_dashboard_panel(Panel("messages-sent-today", "Messages sent today by channel", BARS, sent_today,
                               "messaging.view_message", position=10))  # fmt: skip
register_dashboard_panel(Panel("deliverability", "Bounce rate by channel, last 30 days", BARS, deliverability,
                               "messaging.view_message", position=40,
                               note="The CSV also has the complaint rate and the counts."))  # fmt: skip
