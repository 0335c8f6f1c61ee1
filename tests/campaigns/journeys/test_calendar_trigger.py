"""A journey entered a number of days before a holiday or retailer date of the customer's store, once a year."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from audiences.local_calendar import public_holidays
from audiences.models import Customer, RetailerDate
from audiences.services.catalog import store_upsert
from campaigns.journeys.entry import date_triggers_run
from campaigns.journeys.models import Enrollment
from tests.campaigns.journeys.conftest import journey_of


@pytest.fixture
def shoppers(db):
    dhaka, _ = store_upsert(code="DHK", name="Gulshan", timezone="Asia/Dhaka", currency="BDT")
    dar, _ = store_upsert(code="DAR", name="Kariakoo", timezone="Africa/Dar_es_Salaam", currency="TZS")
    return (
        Customer.objects.create(external_id="rahim", store=dhaka),
        Customer.objects.create(external_id="neema", store=dar),
    )


def test_a_week_before_eid_enters_each_store_s_customers_once_a_year(sms_template, shoppers, clock):
    version = journey_of(
        "eid", [("send", {}, [sms_template])], trigger="calendar", occasion="Eid al-Fitr", offset_days=-7,
        reentry="per_key",
    )  # fmt: skip
    assert date_triggers_run(today=date(2026, 3, 13)) == 0
    assert date_triggers_run(today=date(2026, 3, 14)) == 2, "Eid al-Fitr begins on 21 March in both countries"
    assert date_triggers_run(today=date(2026, 3, 14)) == 0, "the daily task run twice enters nobody twice"
    assert date_triggers_run(today=date(2026, 3, 15)) == 0, "the second day of Eid is not a new occasion"
    enrollment = Enrollment.objects.get(version=version, customer=shoppers[1])
    assert enrollment.trigger_key == "eid al-fitr:2026"
    assert enrollment.snapshot == {"occasion": "Eid al-Fitr", "occasion_date": "2026-03-21", "estimated": True}
    eid_2027 = min(o.day for o in public_holidays("BD", start=date(2027, 1, 1), end=date(2027, 12, 31))
                   if o.name == "Eid al-Fitr")  # fmt: skip
    assert date_triggers_run(today=eid_2027 - timedelta(days=7)) >= 1, "next year is a new key"


def test_a_retailer_date_triggers_for_its_stores_only(sms_template, shoppers, clock):
    rahim, _ = shoppers
    RetailerDate.objects.create(name="Pohela Boishakh sale", starts_on=date(2026, 4, 12), ends_on=date(2026, 4, 14),
                                country="BD")  # fmt: skip
    journey_of("boishakh", [("send", {}, [sms_template])], trigger="calendar", occasion="Pohela Boishakh sale",
               offset_days=-2, reentry="per_key")  # fmt: skip
    assert date_triggers_run(today=date(2026, 4, 10)) == 1
    assert list(Enrollment.objects.values_list("customer_id", flat=True)) == [rahim.pk]


def test_a_calendar_trigger_needs_its_occasion_and_a_yearly_key(sms_template, db):
    with pytest.raises(ValidationError, match="needs its occasion"):
        journey_of("no-occasion", [("send", {}, [sms_template])], trigger="calendar", reentry="per_key")
    with pytest.raises(ValidationError, match="once per trigger key"):
        journey_of("once", [("send", {}, [sms_template])], trigger="calendar", occasion="Eid al-Fitr", reentry="once")
