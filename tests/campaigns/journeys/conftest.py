"""Journey fixtures: a frozen clock to move by hand, and journeys built step by step and published."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.journeys.models import Journey, JourneyStep, JourneyStepTemplate, JourneyVersion
from campaigns.journeys.services import journey_version_publish


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Frozen at Monday 2026-06-01 06:00 UTC (12:00 in Dhaka); `clock.advance(hours=1)` moves it."""
    frozen = Clock(datetime(2026, 6, 1, 6, 0, tzinfo=UTC))
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


def journey_of(code: str, steps: list[tuple], *, holdout=Decimal(0), active=True, **version_fields) -> JourneyVersion:
    """A published version of a new journey; `steps` are (kind, fields, templates in fallback order)."""
    journey = Journey.objects.create(code=code, name=code, holdout_percent=holdout, active=active)
    version = JourneyVersion.objects.create(journey=journey, **version_fields)
    for position, (kind, fields, templates) in enumerate(steps, start=1):
        step = JourneyStep.objects.create(version=version, position=position, kind=kind, **fields)
        for order, template in enumerate(templates, start=1):
            JourneyStepTemplate.objects.create(step=step, template=template, order=order)
    return journey_version_publish(version=version)
