"""Celery tasks: call one service, safe to run twice (or at once)."""

from celery import shared_task

from loyalty.services.drift import ledger_drift_check
from loyalty.services.lots import lots_activate, lots_expire
from loyalty.services.referrals import referrals_grant
from loyalty.services.reservations import reservations_lapse
from loyalty.services.tiers import loyalty_notices_record, tiers_review


@shared_task(name="loyalty.lots_activate")
def lots_activate_task() -> int:
    return lots_activate()


@shared_task(name="loyalty.lots_expire")
def lots_expire_task() -> int:
    return lots_expire()


@shared_task(name="loyalty.reservations_lapse")
def reservations_lapse_task() -> int:
    return reservations_lapse()


@shared_task(name="loyalty.referrals_grant")
def referrals_grant_task() -> int:
    return referrals_grant()


@shared_task(name="loyalty.ledger_drift_check")
def ledger_drift_check_task() -> dict:
    drift = ledger_drift_check()
    return {"members": drift.members, "lots": drift.lots}


@shared_task(name="loyalty.tiers_review")
def tiers_review_task() -> int:
    return tiers_review()


@shared_task(name="loyalty.notices_record")
def loyalty_notices_record_task() -> int:
    return loyalty_notices_record()
