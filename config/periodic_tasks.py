"""Every periodic task of the system, declared in this one place.

`config.setup.periodic_tasks_install` writes them into django-celery-beat's tables after every
migrate and at start; it is idempotent and removes tasks that were dropped from this list.
Apps add their entries here (cron fields are in UTC unless `timezone` says otherwise).
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class PeriodicTaskSpec:
    name: str
    task: str
    every_seconds: int | None = None
    crontab: str | None = None  # "minute hour day_of_month month_of_year day_of_week"
    timezone: str = "UTC"
    description: str = ""
    # A run still queued this long after beat sent it is dropped (the next one does its work), so a
    # frequent task does not pile up in the broker while no worker is running.
    expire_seconds: int | None = None


def periodic_tasks() -> list[PeriodicTaskSpec]:
    return [
        PeriodicTaskSpec(
            name="system.heartbeat",
            task="config.tasks.heartbeat",
            every_seconds=settings.HEARTBEAT_INTERVAL_SECONDS,
            description="Proves beat and a worker are alive; shown by /healthz.",
        ),
        PeriodicTaskSpec(
            name="system.exports_forget",
            task="config.exports_forget",
            crontab="17 3 * * *",
            description="Deletes background export files and their jobs after a week.",
        ),
        PeriodicTaskSpec(
            name="audiences.events_retention",
            task="audiences.events_retention",
            crontab="10 2 * * *",
            description="Deletes events older than RETENTION_EVENTS_MONTHS: on PostgreSQL whole months, dropping "
            "their partitions, once all of the month is past; otherwise in batches (docs/privacy.md).",
        ),
        PeriodicTaskSpec(
            name="audiences.event_partitions_ensure",
            task="audiences.event_partitions_ensure",
            crontab="50 1 * * *",
            description="PostgreSQL: creates the events' partitions of this month and the next "
            "EVENTS_PARTITIONS_AHEAD_MONTHS, and moves rows the DEFAULT partition took into their month's.",
        ),
        PeriodicTaskSpec(
            name="messaging.messages_retention",
            task="messaging.messages_retention",
            crontab="25 2 * * *",
            description="Anonymises messages older than RETENTION_MESSAGES_MONTHS (address, content, values; the "
            "rows stay for campaign results), in batches (docs/privacy.md).",
        ),
        PeriodicTaskSpec(
            name="promotions.advance_lifecycle",
            task="promotions.advance_lifecycle",
            crontab="* * * * *",
            description="Moves promotions between scheduled, active and expired at the minute their dates say.",
        ),
        PeriodicTaskSpec(
            name="campaigns.advance_lifecycle",
            task="campaigns.advance_lifecycle",
            crontab="* * * * *",
            description="Starts scheduled campaigns, completes or expires those whose window passed, and resumes "
            "launches a dead worker left half done.",
        ),
        PeriodicTaskSpec(
            name="messaging.outbox_dispatch",
            task="messaging.outbox_dispatch",
            every_seconds=settings.MESSAGING_DISPATCH_INTERVAL_SECONDS,
            description="Sends due messages: deferred ones whose quiet hours ended, retries, anything queued.",
        ),
        PeriodicTaskSpec(
            name="audiences.segment_memberships_recheck",
            task="audiences.segment_memberships_recheck",
            every_seconds=settings.SEGMENT_RECHECK_INTERVAL_SECONDS,
            expire_seconds=max(10, 10 * settings.SEGMENT_RECHECK_INTERVAL_SECONDS),
            description="Re-evaluates every segment for the customers whose data changed since the last run.",
        ),
        PeriodicTaskSpec(
            name="campaigns.journeys_tick",
            task="campaigns.journeys_tick",
            every_seconds=settings.JOURNEYS_TICK_INTERVAL_SECONDS,
            expire_seconds=max(10, 10 * settings.JOURNEYS_TICK_INTERVAL_SECONDS),
            description="Runs due journey steps (waits ended, sends, branches); workers share them (SKIP LOCKED).",
        ),
        PeriodicTaskSpec(
            name="campaigns.journeys_dates",
            task="campaigns.journeys_dates",
            crontab="5 0 * * *",
            description="Enters the journeys a date triggers today (birthday -3 days, a service due date).",
        ),
        PeriodicTaskSpec(
            name="campaigns.journeys_scans",
            task="campaigns.journeys_scans",
            crontab="15 0 * * *",
            description="Enters the journeys of a purchase frequency drop, a spend decrease or lapsed engagement.",
        ),
        PeriodicTaskSpec(
            name="audiences.scores_recompute",
            task="audiences.scores_recompute",
            crontab="0 1 * * *",
            description="Nightly RFM, lifetime value, trends, engagement and loyalty scores for every customer.",
        ),
        PeriodicTaskSpec(
            name="audiences.predictions_compute",
            task="audiences.predictions_compute",
            crontab="10 1 * * *",
            description="Nightly predicted lifetime value, probability alive and churn risk (BG/NBD and Gamma-Gamma) "
            "for every customer who bought, after the scores.",
        ),
        PeriodicTaskSpec(
            name="audiences.recommendations_compute",
            task="audiences.recommendations_compute",
            crontab="15 1 * * *",
            description="Nightly top products per customer from what customers bought together (co-purchase), "
            "popular ones in their store for the rest.",
        ),
        PeriodicTaskSpec(
            name="audiences.segments_refresh_all",
            task="audiences.segments_refresh_all",
            crontab="30 1 * * *",
            description="Nightly refresh of every segment's membership snapshot (entered/exited history); "
            "the safety net of the live recheck and the only mover of time-based rules (within_days).",
        ),
        PeriodicTaskSpec(
            name="loyalty.lots_activate",
            task="loyalty.lots_activate",
            crontab="*/15 * * * *",
            description="Makes earned points spendable once their pending period ended.",
        ),
        PeriodicTaskSpec(
            name="loyalty.lots_expire",
            task="loyalty.lots_expire",
            crontab="5 0 * * *",
            description="Expires the points whose expiry date passed, taking only what is left of each lot.",
        ),
        PeriodicTaskSpec(
            name="loyalty.reservations_lapse",
            task="loyalty.reservations_lapse",
            crontab="*/5 * * * *",
            description="Releases the points checkouts held for orders never placed once their hold passed.",
        ),
        PeriodicTaskSpec(
            name="loyalty.referrals_grant",
            task="loyalty.referrals_grant",
            crontab="*/15 * * * *",
            description="Rewards both sides of a referral once the referee's first order cleared its pending period.",
        ),
        PeriodicTaskSpec(
            name="loyalty.ledger_drift_check",
            task="loyalty.ledger_drift_check",
            crontab="40 0 * * *",
            description="Checks every balance equals its ledger and its lots, and logs an error naming any drift.",
        ),
        PeriodicTaskSpec(
            name="loyalty.tiers_review",
            task="loyalty.tiers_review",
            crontab="20 0 * * *",
            description="Reviews the tiers due today under each program's downgrade policy and grace period.",
        ),
        PeriodicTaskSpec(
            name="loyalty.notices_record",
            task="loyalty.notices_record",
            crontab="30 0 * * *",
            description="Records tier_will_downgrade (30 days before a review) and points_expiring (30 and 7 days "
            "before) events for journeys to send.",
        ),
    ]
