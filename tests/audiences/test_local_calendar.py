"""Local calendars: each store's public holidays (its country's) and the retailer's dates, as the segment
language, the admin and the store API see them."""

from datetime import UTC, date, datetime

import pytest

from audiences import local_calendar
from audiences.calendar_selectors import occasion_starts, store_occasions
from audiences.models import Customer, RetailerDate, Store
from audiences.segments.selectors import matching_customers
from audiences.services.catalog import store_upsert


def test_bangladesh_and_tanzania_have_their_own_holidays():
    bangladesh = local_calendar.public_holidays("BD", start=date(2026, 1, 1), end=date(2026, 12, 31))
    tanzania = local_calendar.public_holidays("TZ", start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert any(o.name == "Bengali New Year's Day" and o.day == date(2026, 4, 14) for o in bangladesh)
    assert not any(o.name == "Bengali New Year's Day" for o in tanzania)
    assert any(o.name == "Union Celebrations" for o in tanzania)


def test_an_estimated_islamic_holiday_keeps_its_plain_name_and_says_it_is_estimated():
    eid = list(local_calendar.public_holidays("TZ", start=date(2026, 3, 1), end=date(2026, 3, 31)))
    assert [(o.name, o.estimated) for o in eid if "Eid" in o.name] == [("Eid al-Fitr", True), ("Eid al-Fitr", True)]


def test_a_holiday_of_several_days_is_one_occasion_from_its_first_day():
    days = local_calendar.public_holidays("BD", start=date(2026, 3, 20), end=date(2026, 3, 24))
    starts = [o for o in local_calendar.first_days(days) if o.name == "Eid al-Fitr"]
    assert [o.day for o in starts] == [date(2026, 3, 21)]


def test_an_unknown_country_has_no_holidays_and_names_read_well():
    assert local_calendar.public_holidays("", start=date(2026, 1, 1), end=date(2026, 12, 31)) == []
    assert local_calendar.country_name("TZ") == "Tanzania"
    assert local_calendar.country_name("US") == "United States"


@pytest.mark.django_db
def test_a_new_store_takes_its_country_from_its_currency_unless_given():
    dhaka, _ = store_upsert(code="DHK", name="Gulshan", timezone="Asia/Dhaka", currency="BDT")
    dar, _ = store_upsert(code="DAR", name="Kariakoo", timezone="Africa/Dar_es_Salaam", currency="USD", country="tz")
    assert (dhaka.country, dar.country) == ("BD", "TZ")
    store_upsert(code="DAR", name="Kariakoo", timezone="Africa/Dar_es_Salaam", currency="USD")
    assert Store.objects.get(code="DAR").country == "TZ", "left out on update: unchanged"


@pytest.fixture
def stores(db):
    dhaka, _ = store_upsert(code="DHK", name="Gulshan", timezone="Asia/Dhaka", currency="BDT")
    sylhet, _ = store_upsert(code="SYL", name="Zindabazar", timezone="Asia/Dhaka", currency="BDT")
    dar, _ = store_upsert(code="DAR", name="Kariakoo", timezone="Africa/Dar_es_Salaam", currency="TZS")
    return dhaka, sylhet, dar


def test_a_retailer_date_covers_its_stores_else_its_country_else_everyone(stores):
    dhaka, sylhet, _dar = stores
    sale = RetailerDate.objects.create(name="Gulshan anniversary", starts_on=date(2026, 5, 10))
    sale.stores.set([dhaka])
    RetailerDate.objects.create(
        name="Boishakh sale", starts_on=date(2026, 4, 12), ends_on=date(2026, 4, 14), country="BD"
    )
    RetailerDate.objects.create(name="Black Friday", starts_on=date(2026, 11, 27))
    found = store_occasions(start=date(2026, 4, 1), end=date(2026, 11, 30))
    names = {store.code: {o.name for o in found[store.pk] if not o.public} for store in stores}
    assert names == {
        "DHK": {"Gulshan anniversary", "Boishakh sale", "Black Friday"},
        "SYL": {"Boishakh sale", "Black Friday"},
        "DAR": {"Black Friday"},
    }
    assert set(occasion_starts(name="boishakh sale", day=date(2026, 4, 12))) == {dhaka.pk, sylhet.pk}
    assert occasion_starts(name="Boishakh sale", day=date(2026, 4, 13)) == {}, "counted from its first day"


def test_the_segment_language_finds_customers_whose_store_has_the_occasion_coming(stores):
    dhaka, _, dar = stores
    Customer.objects.create(external_id="rahim", store=dhaka)
    Customer.objects.create(external_id="neema", store=dar)
    Customer.objects.create(external_id="nobody")
    now = datetime(2026, 4, 8, 6, tzinfo=UTC)
    rule = {"field": "upcoming_occasion", "op": "eq", "value": "Bengali New Year's Day", "within_days": 7}

    def who(rules, at=now):
        return set(matching_customers(rules, now=at).values_list("external_id", flat=True))

    assert who(rule) == {"rahim"}
    assert who({**rule, "within_days": 5}) == set(), "six days away"
    assert who({"field": "upcoming_occasion", "op": "eq", "value": "Eid al-Fitr", "within_days": 7},
               at=datetime(2026, 3, 15, tzinfo=UTC)) == {"rahim", "neema"}  # fmt: skip
    assert who({"field": "store_country", "op": "eq", "value": "TZ"}) == {"neema"}


def test_the_calendar_admin_lists_the_coming_weeks(admin_client, stores, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 10, 6, tzinfo=UTC))
    RetailerDate.objects.create(name="Pohela Boishakh sale", starts_on=date(2026, 4, 12), country="BD")
    page = admin_client.get("/admin/audiences/retailerdate/").content.decode()
    assert "Eid al-Fitr" in page and "estimated date" in page  # Tanzania's
    assert "Pohela Boishakh sale" in page
    refused = admin_client.post(
        "/admin/audiences/retailerdate/add/", {"name": "Sale", "starts_on": "2026-05-02", "country": "XX"}
    )
    assert refused.status_code == 200 and "not a country code" in refused.content.decode()
    assert not RetailerDate.objects.filter(name="Sale").exists()
