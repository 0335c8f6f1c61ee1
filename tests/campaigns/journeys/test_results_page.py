"""A journey's results page: its lift against the holdout, and entries, conversions and exits per day drawn as an
inline SVG chart, with the numbers as CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from campaigns.journeys.models import Enrollment
from config.roles import ANALYST
from tests.backoffice.conftest import signed_in, staff_in
from tests.campaigns.conftest import people
from tests.campaigns.journeys.conftest import journey_of

pytestmark = pytest.mark.django_db
MAY_30, MAY_31, JUNE_1 = (datetime(2026, 5, 30, 4, 0, tzinfo=UTC) + timedelta(days=n) for n in range(3))
WAIT = [("wait", {"wait": timedelta(hours=1)}, [])]


def enroll(version, customer, entered_at, status="active", *, converted_at=None, finished_at=None, reason=""):
    Enrollment.objects.create(
        version=version, customer=customer, bucket=customer.pk % 100, entered_at=entered_at, status=status,
        converted_at=converted_at, finished_at=finished_at or converted_at, exit_reason=reason,
    )  # fmt: skip


def results(client, journey, suffix="/") -> str:
    answer = client.get(f"/admin/campaigns/journey/{journey.pk}/results{suffix}")
    assert answer.status_code == 200
    return answer.content.decode()


@pytest.fixture
def daily_journey(clock):
    """Clock: 2026-06-01 06:00 UTC. Seven entries of the journey (two held out) and one of another journey."""
    version = journey_of("daily", WAIT, holdout=Decimal(50))
    p = people(8)
    enroll(version, p[0], MAY_30, "converted", converted_at=MAY_31)
    enroll(version, p[1], MAY_30, "holdout", converted_at=JUNE_1)
    enroll(version, p[2], MAY_30, "exited", finished_at=MAY_31, reason="consent_withdrawn")
    enroll(version, p[3], MAY_31, "converted", converted_at=JUNE_1)
    enroll(version, p[4], MAY_31, "holdout")
    enroll(version, p[5], JUNE_1)
    enroll(version, p[6], JUNE_1 - timedelta(days=40), "converted", converted_at=MAY_30)  # entered before the 30 days
    enroll(journey_of("other", WAIT), p[7], JUNE_1, "exited", finished_at=JUNE_1, reason="manual")
    return version.journey


def test_the_results_page_shows_the_lift_and_each_day_drawn_and_as_csv(admin_client, daily_journey):
    change = admin_client.get(f"/admin/campaigns/journey/{daily_journey.pk}/change/").content.decode()
    assert f'href="/admin/campaigns/journey/{daily_journey.pk}/results/"' in change

    page = results(admin_client, daily_journey)
    # Sent the journey: 3 of 5 converted (60%); held out: 1 of 2 (50%).
    assert "7 (2 held out, sent nothing)" in page and "3 sent the journey, 1 held out" in page
    lift = page.split('id="lift">')[1].split("</td>")[0]
    assert lift.strip().startswith("+10.00 points of conversion (95%: ")
    drawn = page.split('id="journey-results"')[1]
    assert drawn.count('<svg class="chart"') == 1 and drawn.count("<polyline") == 4 and "<script" not in drawn
    assert "Nothing to show yet" not in page

    answer = admin_client.get(f"/admin/campaigns/journey/{daily_journey.pk}/results.csv")
    assert answer["Content-Disposition"] == 'attachment; filename="journey-daily-daily-2026-06-01.csv"'
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[0] == ["day", "entered", "converted", "held out, converted", "exited"]
    assert len(rows) == 31 and rows[1][0] == "2026-05-03"
    assert rows[-3:] == [
        ["2026-05-30", "3", "1", "0", "0"],  # the conversion of an entry from before the 30 days counts on its day
        ["2026-05-31", "2", "1", "0", "1"],
        ["2026-06-01", "1", "1", "1", "0"],  # not the other journey's entry and exit
    ]
    assert {tuple(row[1:]) for row in rows[1:-3]} == {("0", "0", "0", "0")}


def test_a_journey_nobody_entered_says_so_and_its_csv_is_all_zeros(admin_client, clock):
    journey = journey_of("quiet", WAIT, holdout=Decimal(10)).journey
    page = results(admin_client, journey)
    assert '<p class="empty">Nothing to show yet.</p>' in page and '<svg class="chart"' not in page
    assert "Lift cannot be measured: nobody was assigned to the holdout group." in page
    rows = list(csv.reader(io.StringIO(results(admin_client, journey, ".csv"))))
    assert len(rows) == 31 and {tuple(row[1:]) for row in rows[1:]} == {("0", "0", "0", "0")}
    without_holdout = journey_of("plain", WAIT, holdout=Decimal(0)).journey
    assert "this journey has no holdout group" in results(admin_client, without_holdout)


def test_an_analyst_reads_the_results_and_someone_without_a_role_cannot(daily_journey):
    analyst = signed_in(staff_in(ANALYST, "ana"))
    assert "+10.00 points of conversion" in results(analyst, daily_journey)
    nobody = signed_in(staff_in(None, "nobody"))
    assert nobody.get(f"/admin/campaigns/journey/{daily_journey.pk}/results/").status_code == 403
    assert nobody.get(f"/admin/campaigns/journey/{daily_journey.pk}/results.csv").status_code == 403
