"""Reads of the local calendar: each store's public holidays (its country's) and the retailer's dates for it."""

from datetime import date, timedelta

from django.db.models import Q

from audiences import local_calendar
from audiences.local_calendar import Occasion
from audiences.models import RetailerDate, Store


def store_countries(store_ids: list[int] | None = None) -> dict[int, str]:
    """Store id -> its country ("" for none); every store when `store_ids` is None."""
    stores = Store.objects.all() if store_ids is None else Store.objects.filter(pk__in=store_ids)
    return dict(stores.values_list("pk", "country"))


def store_occasions(*, start: date, end: date, store_ids: list[int] | None = None) -> dict[int, list[Occasion]]:
    """Each store's occasions from `start` to `end`, inclusive: its country's public holidays, then the retailer
    dates covering it (by store, else by country, else everyone's)."""
    countries = store_countries(store_ids)
    public = {country: _holidays(country, start, end) for country in set(countries.values())}
    found: dict[int, list[Occasion]] = {store_id: list(public[country]) for store_id, country in countries.items()}
    for retailer_date, store_id in _retailer_dates(start, end):
        covered = [store_id] if store_id is not None else _covered(retailer_date, countries)
        for covered_id in covered:
            if covered_id not in found:
                continue
            country = countries[covered_id]
            day = max(retailer_date.starts_on, start)
            while day <= min(retailer_date.last_day, end):
                found[covered_id].append(Occasion(day=day, name=retailer_date.name, country=country, public=False))
                day += timedelta(days=1)
    return {store_id: sorted(set(occasions)) for store_id, occasions in found.items()}


def _holidays(country: str, start: date, end: date) -> list[Occasion]:
    return local_calendar.public_holidays(country, start=start, end=end)


def _retailer_dates(start: date, end: date):
    """(date, store id or None) for each retailer date overlapping the period: a row per store it names."""
    overlapping = RetailerDate.objects.filter(starts_on__lte=end).filter(
        Q(ends_on__gte=start) | Q(ends_on__isnull=True, starts_on__gte=start)
    )
    for retailer_date in overlapping.prefetch_related("stores"):
        stores = list(retailer_date.stores.all())
        if stores:
            yield from ((retailer_date, store.pk) for store in stores)
        else:
            yield retailer_date, None


def _covered(retailer_date: RetailerDate, countries: dict[int, str]) -> list[int]:
    if not retailer_date.country:
        return list(countries)
    return [store_id for store_id, country in countries.items() if country == retailer_date.country]


def occasion_starts(*, name: str, day: date) -> dict[int, Occasion]:
    """The stores for which an occasion named `name` (a holiday or retailer date) begins on `day`: store id -> it.
    A run of days counts from its first: the three days of Eid are one occasion."""
    around = store_occasions(start=day - timedelta(days=1), end=day)
    starts = {}
    for store_id, occasions in around.items():
        named = [occasion for occasion in occasions if local_calendar.same_name(occasion.name, name)]
        if any(occasion.day == day for occasion in named) and not any(
            occasion.day == day - timedelta(days=1) for occasion in named
        ):
            starts[store_id] = next(occasion for occasion in named if occasion.day == day)
    return starts


def stores_with_upcoming(*, name: str, today: date, within_days: int) -> list[int]:
    """The stores whose calendar has an occasion named `name` from `today` to `within_days` days ahead."""
    around = store_occasions(start=today, end=today + timedelta(days=within_days))
    return sorted(
        store_id
        for store_id, occasions in around.items()
        if any(local_calendar.same_name(occasion.name, name) for occasion in occasions)
    )
