"""The pure rules: property tests for the next local time and the re-entry keys."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from campaigns.journeys.rules import entry_key, matches, next_local_time, occasion_date

ZONES = st.sampled_from(["Asia/Dhaka", "Africa/Dar_es_Salaam", "Europe/London", "America/New_York", "UTC"])
MOMENTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda moment: moment.replace(tzinfo=UTC)
)
# Whole hours from 08:00 to 20:00: never inside a daylight-saving gap.
TIMES = st.integers(min_value=8, max_value=20).map(time)


@given(now=MOMENTS, at=TIMES, zone=ZONES, next_day=st.booleans())
def test_the_next_local_time_reads_that_hour_there_and_is_the_first_one(now, at, zone, next_day):
    moment = next_local_time(now=now, at=at, zone_name=zone, next_day=next_day)
    local = moment.astimezone(ZoneInfo(zone))
    assert local.time() == at and moment >= now
    today = now.astimezone(ZoneInfo(zone)).date()
    assert local.date() > today if next_day else local.date() >= today
    assert moment - now <= timedelta(days=2, hours=2), "never a day later than needed"


def test_next_day_at_ten_in_dhaka():
    noon_in_dhaka = datetime(2026, 6, 1, 6, tzinfo=UTC)
    assert next_local_time(now=noon_in_dhaka, at=time(10), zone_name="Asia/Dhaka", next_day=True) == datetime(
        2026, 6, 2, 4, tzinfo=UTC
    )
    assert next_local_time(now=noon_in_dhaka, at=time(13), zone_name="Asia/Dhaka", next_day=False) == datetime(
        2026, 6, 1, 7, tzinfo=UTC
    )


@given(first=MOMENTS, gap=st.integers(min_value=0, max_value=400), cooldown=st.integers(min_value=1, max_value=120))
def test_cooldown_keys_differ_whenever_the_cooldown_has_passed(first, gap, cooldown):
    """Entries a cooldown or more apart never share a key; the service refuses those closer (its own check)."""
    second = first + timedelta(days=gap)
    keys = [entry_key(reentry="cooldown", key="", entered_at=m, cooldown_days=cooldown) for m in (first, second)]
    if gap >= cooldown:
        assert keys[0] != keys[1]
    if keys[0] != keys[1]:
        assert gap > 0


def test_once_and_per_key():
    moment = datetime(2026, 6, 1, tzinfo=UTC)
    assert entry_key(reentry="once", key="K1", entered_at=moment, cooldown_days=0) == ""
    assert entry_key(reentry="per_key", key="K1", entered_at=moment, cooldown_days=0) == "K1"
    assert entry_key(reentry="per_key", key="", entered_at=moment, cooldown_days=0) is None


def test_filters_compare_as_text_and_need_every_property():
    assert matches({"cart_id": 5, "channel": "web"}, {"cart_id": "5"})
    assert not matches({"channel": "web"}, {"channel": "app"})
    assert not matches({}, {"channel": "web"})


def test_a_birthday_three_days_ahead():
    assert occasion_date(today=date(2026, 12, 30), offset_days=-3) == date(2027, 1, 2)
