from datetime import UTC, datetime, time

from messaging.quiet_hours import in_quiet_hours, next_allowed_at

NIGHT = {"start": time(21, 0), "end": time(8, 0)}


def test_outside_quiet_hours_sends_now():
    now = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)  # 12:00 in Dhaka
    assert next_allowed_at(now, timezone="Asia/Dhaka", **NIGHT) == now


def test_late_evening_in_dhaka_is_deferred_to_eight_next_morning():
    now = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 22:30 in Dhaka (UTC+6)
    assert next_allowed_at(now, timezone="Asia/Dhaka", **NIGHT) == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def test_early_morning_is_deferred_to_eight_the_same_day():
    now = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)  # 05:00 in Dar es Salaam (UTC+3)
    assert next_allowed_at(now, timezone="Africa/Dar_es_Salaam", **NIGHT) == datetime(2026, 3, 1, 5, 0, tzinfo=UTC)


def test_same_instant_is_quiet_in_one_zone_and_allowed_in_another():
    now = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 22:30 Dhaka, 19:30 Dar es Salaam
    assert next_allowed_at(now, timezone="Africa/Dar_es_Salaam", **NIGHT) == now
    assert next_allowed_at(now, timezone="Asia/Dhaka", **NIGHT) != now


def test_end_of_quiet_hours_follows_daylight_saving_change():
    now = datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # 00:00 EST; clocks go forward at 02:00
    assert next_allowed_at(now, timezone="America/New_York", **NIGHT) == datetime(
        2026, 3, 8, 12, 0, tzinfo=UTC
    )  # 08:00 EDT


def test_boundaries_and_daytime_window():
    assert in_quiet_hours(time(21, 0), **NIGHT)
    assert not in_quiet_hours(time(8, 0), **NIGHT)
    assert in_quiet_hours(time(13, 0), start=time(12, 0), end=time(14, 0))
    assert not in_quiet_hours(time(15, 0), start=time(12, 0), end=time(14, 0))
    assert not in_quiet_hours(time(3, 0), start=time(0, 0), end=time(0, 0))
