"""A launch cut into slices of customer ids: slices run in any order, or at once in two workers, freeze and
queue everyone once, and the launch finishes with its last slice; a budget keeps it in one slice."""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection, connections

from campaigns import launch, services
from campaigns.launch import campaign_launch_run, launch_slices_ready
from campaigns.models import Assignment, Campaign, LaunchSlice
from campaigns.services import campaign_create, campaign_launch
from messaging.models import Message
from tests.campaigns.conftest import people, segment_of


def _launched(template, members, **fields) -> Campaign:
    return campaign_launch(
        campaign=campaign_create(
            name="Sliced",
            include_segments=[segment_of("sliced", members)],
            holdout_percent=Decimal(10),
            variants=[{"name": "A", "weight": 1, "template": template}],
            **fields,
        )
    )


def _everyone_once(campaign: Campaign, members) -> Campaign:
    campaign.refresh_from_db()
    per_customer = Counter(Assignment.objects.filter(campaign=campaign).values_list("customer_id", flat=True))
    assert set(per_customer) == {c.pk for c in members} and set(per_customer.values()) == {1}
    messages = Counter(Message.objects.filter(campaign_id=campaign.pk).values_list("customer_id", flat=True))
    assert set(messages.values()) == {1}
    queued = Assignment.objects.filter(campaign=campaign, status="queued").count()
    assert campaign.frozen == len(members) and campaign.queued == len(messages) == queued
    assert campaign.held_out + campaign.queued + sum(campaign.skipped.values()) == len(members)
    return campaign


@pytest.mark.django_db
def test_slices_run_in_any_order_and_the_launch_finishes_with_the_last(sms_template, settings):
    settings.CAMPAIGN_LAUNCH_SLICES = 3
    members = people(90, consenting=lambda n: n % 4 != 0)
    campaign = _launched(sms_template, members)
    assert launch_slices_ready(campaign_id=campaign.pk) == [0, 1, 2]
    ranges = list(LaunchSlice.objects.filter(campaign=campaign).order_by("number").values_list("cursor", "last_id"))
    assert ranges[0][0] == members[0].pk - 1 and ranges[-1][1] is None  # from the first id, open at the end
    assert [end for _start, end in ranges[:-1]] == [start for start, _end in ranges[1:]]  # no gap, no overlap

    campaign_launch_run(campaign_id=campaign.pk, batch_size=7, slice_number=2)
    campaign_launch_run(campaign_id=campaign.pk, batch_size=7, slice_number=0)
    campaign.refresh_from_db()
    assert campaign.launch_finished_at is None and campaign.status == "running"
    assert launch_slices_ready(campaign_id=campaign.pk) == [1]

    campaign_launch_run(campaign_id=campaign.pk, batch_size=7, slice_number=1)
    campaign_launch_run(campaign_id=campaign.pk, batch_size=7)  # run again: nothing left to do
    done = _everyone_once(campaign, members)
    assert done.launch_finished_at is not None and done.status == "completed"
    assert done.skipped == {"no_consent": Assignment.objects.filter(campaign=campaign, status="skipped").count()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two writers at once: SQLite has one")
@pytest.mark.django_db(transaction=True)
def test_two_workers_launching_their_slices_at_once_freeze_everyone_once(sms_template, settings, monkeypatch):
    settings.CAMPAIGN_LAUNCH_SLICES = 2
    members = people(400, consenting=lambda n: n % 5 != 0)
    monkeypatch.setattr(services, "_launch_enqueue", lambda campaign_id: None)  # committed: the workers are below
    campaign = _launched(sms_template, members)
    errors = []
    # Both first batches have written their rows and checked their keys (holding the campaign's row FOR KEY SHARE)
    # before either takes the campaign's row for the counters: the moment two workers could deadlock.
    both_checked, checks = threading.Barrier(2, timeout=20), launch._foreign_keys_checked_now
    waited = set()

    def checked_together() -> None:
        checks()
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            both_checked.wait()

    monkeypatch.setattr(launch, "_foreign_keys_checked_now", checked_together)

    def worker(number: int) -> None:
        try:
            campaign_launch_run(campaign_id=campaign.pk, batch_size=9, slice_number=number)
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(number,)) for number in launch_slices_ready(campaign_id=campaign.pk)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    done = _everyone_once(campaign, members)
    assert done.launch_finished_at is not None and done.status == "completed"


@pytest.mark.django_db
def test_a_budget_keeps_the_launch_in_one_slice(sms_template, settings):
    settings.CAMPAIGN_LAUNCH_SLICES = 4
    members = people(30)
    campaign = _launched(sms_template, members, budget=Decimal(100))
    assert launch_slices_ready(campaign_id=campaign.pk) == [0]
    assert LaunchSlice.objects.get(campaign=campaign).last_id is None
    campaign_launch_run(campaign_id=campaign.pk, batch_size=8)
    _everyone_once(campaign, members)


def _paused_by_someone_else(campaign: Campaign) -> None:
    """Another connection pauses the campaign and commits (an UPDATE of its row waits for no batch's key checks)."""

    def pause() -> None:
        Campaign.objects.filter(pk=campaign.pk).update(status="paused")
        connections.close_all()

    thread = threading.Thread(target=pause)
    thread.start()
    thread.join(timeout=20)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two writers at once: SQLite has one")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("moment", ["mid_batch", "at_the_end"])
def test_a_pause_during_a_batch_takes_the_batch_back_and_resuming_finishes_the_launch(
    sms_template, settings, monkeypatch, moment
):
    settings.CAMPAIGN_LAUNCH_SLICES = 1  # so that "at the end" is the launch's last read
    members = people(40)
    monkeypatch.setattr(services, "_launch_enqueue", lambda campaign_id: None)
    campaign = _launched(sms_template, members)
    if moment == "mid_batch":  # the batch has written its rows when the pause commits
        checks = launch._foreign_keys_checked_now
        monkeypatch.setattr(launch, "_foreign_keys_checked_now", lambda: (checks(), _paused_by_someone_else(campaign)))
    else:  # everyone is queued; the last read finds nobody more, and the pause commits then
        real_recipients = launch.launch_recipients

        def recipients(*args, **kwargs):
            found = real_recipients(*args, **kwargs)
            if not found:
                _paused_by_someone_else(campaign)
            return found

        monkeypatch.setattr(launch, "launch_recipients", recipients)

    campaign_launch_run(campaign_id=campaign.pk, batch_size=100)
    paused = Campaign.objects.get(pk=campaign.pk)
    assert paused.status == "paused" and paused.launch_finished_at is None
    expected = 0 if moment == "mid_batch" else len(members)
    assert Assignment.objects.filter(campaign=campaign).count() == paused.frozen == expected
    monkeypatch.undo()

    monkeypatch.setattr(services, "_launch_enqueue", lambda campaign_id: None)
    services.campaign_resume(campaign=paused)
    campaign_launch_run(campaign_id=campaign.pk, batch_size=100)
    done = _everyone_once(campaign, members)
    assert done.launch_finished_at is not None and done.status == "completed"
