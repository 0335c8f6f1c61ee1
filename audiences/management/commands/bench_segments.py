import os
import resource
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, Q

from audiences.models import (
    Customer,
    Event,
    OrderLine,
    Segment,
    SegmentMembership,
    SegmentMembershipChange,
    Store,
    Vehicle,
)
from audiences.scoring import scores_recompute
from audiences.segments import services as segments
from audiences.segments.event_properties import properties_match
from audiences.segments.selectors import matching_customers
from audiences.services.catalog import store_upsert

THREE_CONDITIONS = {
    "all": [
        {"field": "city", "op": "in", "value": ["Dhaka", "Dar es Salaam"]},
        {"field": "total_spent", "op": "gte", "value": "10000"},
        {"field": "last_order_at", "op": "older_than_days", "value": 90},
    ]
}
PURCHASE_HISTORY = {
    "all": [
        {"field": "purchased_category", "op": "eq", "value": "phones", "within_days": 365},
        {"field": "consent.email", "op": "eq", "value": "opted_in"},
        {"field": "orders_count", "op": "gte", "value": 2},
    ]
}
# The same with one SKU (the best-selling phone of the demo catalog, when there is one) instead of the category.
PURCHASE_HISTORY_SKU = {
    "all": [
        {"field": "purchased_sku", "op": "eq", "value": "", "within_days": 365},
        *PURCHASE_HISTORY["all"][1:],
    ]
}
# Interest from events (issue #20): the issue's own example, and any of three models in a week.
VIEWED_COROLLA_TWICE = {
    "all": [{"event": "product_viewed", "properties": {"model": "Corolla"}, "min_count": 2, "within_days": 30}]
}
VIEWED_ANY_OF_THREE = {
    "all": [
        {"event": "product_viewed", "properties": {"model": {"in": ["Corolla", "Camry", "Yaris"]}}, "within_days": 7}
    ]
}
MODELS = ("Corolla", "Camry", "Yaris", "RAV4", "Hilux", "Prado", "Civic", "CR-V", "Fit", "X-Trail",
          "Navara", "Note", "Demio", "CX-5", "Swift", "Vitara", "Tucson", "Elantra", "Sportage", "Rio")  # fmt: skip
# The dealership seed's own example (docs/audiences.md): a car over 5 years old, within 10 miles of Dealer X.
DEALER_X = ("DLR-X", 23.7699, 90.4002)
SEED_EXAMPLE = {
    "all": [
        {"field": "vehicle.age_years", "op": "gt", "value": 5},
        {"field": "distance_km", "store": DEALER_X[0], "op": "lte", "value": "16.09"},
    ]
}
PARTS = ("count", "purchases", "interest", "dealership", "materialise", "scores", "refresh-states")
MEMBERSHIP_TABLES = (SegmentMembership._meta.db_table, SegmentMembershipChange._meta.db_table)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def sql(*statements: str) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


# How the membership tables are left before a materialisation: the states in which PostgreSQL's
# statistics say they are empty (docs/benchmarks.md, segment refresh).
STATISTICS_STATES = {
    "fresh install (TRUNCATE: no statistics)": lambda: sql(f"TRUNCATE {', '.join(MEMBERSHIP_TABLES)}"),
    "after VACUUM ANALYZE of the empty tables": lambda: sql(
        f"TRUNCATE {', '.join(MEMBERSHIP_TABLES)}", f"VACUUM ANALYZE {', '.join(MEMBERSHIP_TABLES)}"
    ),
    "after a mass delete and ANALYZE": lambda: sql(
        *(f"DELETE FROM {table}" for table in MEMBERSHIP_TABLES),  # noqa: S608 - the models' tables
        f"ANALYZE {', '.join(MEMBERSHIP_TABLES)}",
    ),
    "after a mass delete and VACUUM ANALYZE": lambda: sql(
        *(f"DELETE FROM {table}" for table in MEMBERSHIP_TABLES),  # noqa: S608 - the models' tables
        f"VACUUM ANALYZE {', '.join(MEMBERSHIP_TABLES)}",
    ),
}


class Command(BaseCommand):
    help = (
        "Time segment counting, purchase-history conditions, materialisation (also in each statistics state "
        "of the membership tables) and score computation on the current database (meant for seed_demo "
        "--customers 1000000 --orders 10000000 on PostgreSQL). Writes a benchmark segment `bench_half` and "
        "the scores; the refresh-states part empties the membership tables: use a benchmark database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=500_000, help="Size of the segment to materialise.")
        parser.add_argument("--repeat", type=int, default=3, help="Runs of each count query (the best is kept).")
        parser.add_argument(
            "--explain",
            action="store_true",
            help="Print the plans (EXPLAIN ANALYZE) of the purchase-history and dealership counts.",
        )
        parser.add_argument(
            "--vehicles",
            type=int,
            default=None,
            help="dealership: vehicles to have (generated when fewer exist); default one per customer.",
        )
        parser.add_argument(
            "--events-per-customer",
            type=int,
            default=10,
            help="interest: product views with a model generated per customer (once; 10 x 1M customers = 10M).",
        )
        parser.add_argument(
            "--parts",
            default="count,purchases,dealership,materialise,scores",
            help=f"Comma-separated, from: {', '.join(PARTS)}.",
        )

    def handle(self, *args, members, repeat, parts, explain, events_per_customer, vehicles, **options):
        chosen = [part.strip() for part in parts.split(",") if part.strip()]
        unknown = sorted(set(chosen) - set(PARTS))
        if unknown:
            raise CommandError(f"Unknown part {unknown[0]!r}; use {', '.join(PARTS)}.")
        for part in ("refresh-states", "interest", "dealership"):
            if part in chosen and connection.vendor != "postgresql":
                raise CommandError(f"{part} measures PostgreSQL (and generates with generate_series): run it there.")
        customers = Customer.objects.count()
        self.stdout.write(f"database: {connection.vendor}, {customers:,} customers; {load()}")
        if "count" in chosen:
            self._count("count of a 3-condition segment", THREE_CONDITIONS, repeat, target="3 s")
        if "purchases" in chosen:
            self._count(
                "count of phones in 365 days, email opted in, orders >= 2", PURCHASE_HISTORY, repeat, target="1 s"
            )
            if sku := self._best_selling_phone():
                rules = {"all": [{**PURCHASE_HISTORY_SKU["all"][0], "value": sku}, *PURCHASE_HISTORY_SKU["all"][1:]]}
                self._count(f"the same with SKU {sku} instead of phones", rules, repeat, target="1 s")
            if explain and connection.vendor == "postgresql":
                self._explain(PURCHASE_HISTORY, "the purchase-history query")
        if "interest" in chosen:
            self._interest_events(events_per_customer)
            self._count("viewed model Corolla at least 2 times in 30 days", VIEWED_COROLLA_TWICE, repeat, target="3 s")
            self._count("viewed a Corolla, Camry or Yaris in 7 days", VIEWED_ANY_OF_THREE, repeat, target="3 s")
            if explain:
                self._explain(VIEWED_COROLLA_TWICE, "the event-property query")
        if "dealership" in chosen:
            self._dealership(vehicles if vehicles is not None else customers)
            self._count("count of the seed's example: a car over 5 years old within 10 miles of Dealer X",
                        SEED_EXAMPLE, repeat, target="3 s")  # fmt: skip
            if explain:
                self._explain(SEED_EXAMPLE, "the seed's example")
        if "materialise" in chosen:
            self._materialise(self._top_spenders(members, customers))
        if "refresh-states" in chosen:
            segment = self._top_spenders(members, customers)
            for state, prepare in STATISTICS_STATES.items():
                prepare()
                self.stdout.write(f"{state}; {load()}")
                self._materialise(segment)
        if "scores" in chosen:
            started = time.perf_counter()
            scored = scores_recompute()
            self.stdout.write(
                f"RFM and scores for {scored:,} customers: {time.perf_counter() - started:.2f} s; "
                f"peak {peak_mib():.0f} MiB"
            )
        self.stdout.write(f"peak memory of this process throughout: {peak_mib():.0f} MiB; {load()}")

    def _count(self, label: str, rules: dict, repeat: int, *, target: str) -> None:
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            count = matching_customers(rules).count()
            timings.append(time.perf_counter() - started)
        self.stdout.write(
            f"{label}: {count:,} customers, best {min(timings):.2f} s (runs: {', '.join(f'{t:.2f}' for t in timings)}; "
            f"target <= {target}); {load()}"
        )

    def _interest_events(self, per_customer: int) -> None:
        """Views of car models, `per_customer` for each customer over the last year, in one INSERT ... SELECT
        (generate_series; hashint8 for a repeatable spread), unless they are there already."""
        table = connection.ops.quote_name(Event._meta.db_table)
        customers = connection.ops.quote_name(Customer._meta.db_table)
        if Event.objects.filter(Q(type="product_viewed") & properties_match({"sku": "CAR-0"})).exists():
            self.stdout.write("interest: the benchmark's views are there already")
            return
        started = time.perf_counter()
        models = "ARRAY[" + ", ".join(f"'{model}'" for model in MODELS) + "]"
        sql(
            f"INSERT INTO {table} (customer_id, type, occurred_at, properties, idempotency_key, created_at) "  # noqa: S608 - constants
            "SELECT c.id, 'product_viewed', "
            "now() - ((hashint8(c.id * 64 + g) & 2147483647) % (365 * 86400)) * interval '1 second', "
            f"jsonb_build_object('model', ({models})[1 + (hashint8(c.id * 64 + g + 7) & 2147483647) % {len(MODELS)}], "
            "'sku', 'CAR-' || ((hashint8(c.id * 64 + g + 13) & 2147483647) % 200)), "
            "NULL, now() "
            f"FROM {customers} c CROSS JOIN generate_series(1, {int(per_customer)}) g",
            f"ANALYZE {table}",
        )
        self.stdout.write(
            f"interest: {Event.objects.count():,} events after generating views in "
            f"{time.perf_counter() - started:.1f} s; {load()}"
        )

    def _best_selling_phone(self) -> str | None:
        lines = OrderLine.objects.filter(category__code="phones").values("sku").annotate(n=Count("pk")).order_by("-n")
        first = lines.values_list("sku", flat=True)[:1]
        return first[0] if first else None

    def _explain(self, rules: dict, name: str) -> None:
        plan = matching_customers(rules).values("pk").explain(analyze=True, buffers=True)
        self.stdout.write(f"plan of {name} (its ids; the count reads the same):")
        for line in plan.splitlines():
            self.stdout.write(f"  {line}")

    def _top_spenders(self, members: int, customers: int) -> Segment:
        threshold = (
            Customer.objects.order_by("-total_spent", "pk").values_list("total_spent", flat=True)[members - 1]
            if customers >= members
            else 0
        )
        rules = {"all": [{"field": "total_spent", "op": "gte", "value": str(threshold)}]}
        segment, _ = Segment.objects.update_or_create(
            code="bench_half", defaults={"name": "Benchmark: top spenders", "rules": rules}
        )
        return segment

    def _materialise(self, segment: Segment) -> None:
        segment.memberships.all().delete()
        segment.changes.all().delete()
        started = time.perf_counter()
        first = segments.segment_refresh(segment=segment)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = segments.segment_refresh(segment=segment)
        again_seconds = time.perf_counter() - started
        self.stdout.write(
            f"  materialise a {first.count:,}-member segment from empty: {first_seconds:.2f} s "
            f"({first.entered:,} entered; target <= 30 s); refresh with no change: {again_seconds:.2f} s "
            f"({again.entered} entered, {again.exited} exited); peak {peak_mib():.0f} MiB; {load()}"
        )

    def _dealership(self, wanted: int) -> None:
        """Dealer X, a location for every customer without one and `wanted` vehicles, all set-based.

        Customers are spread evenly over a box of +-0.5 degrees (about 110 by 100 km) around Dealer X, so that
        about 7 % of them live within 16.09 km; vehicles go to customers picked by a stride over their ids
        (some own two, some none), model years 2000 to 2025, makes and models from a short list.
        """
        code, latitude, longitude = DEALER_X
        if not Store.objects.filter(code=code, latitude__isnull=False).exists():
            store_upsert(code=code, name="Dealer X", timezone="Asia/Dhaka", currency="BDT", city="Dhaka",
                         coordinates=(latitude, longitude))  # fmt: skip
        started = time.perf_counter()
        customers, vehicles = Customer._meta.db_table, Vehicle._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {customers} SET location_source = 'coordinates',
                        latitude = %s + ((id * 7919) %% 100000) / 100000.0 - 0.5,
                        longitude = %s + ((id * 104729) %% 100000) / 100000.0 - 0.5
                    WHERE latitude IS NULL""",  # noqa: S608 - the model's table
                [latitude, longitude],
            )
            located = cursor.rowcount
            cursor.execute(f"SELECT count(*) FROM {vehicles}")  # noqa: S608 - the model's table
            missing = wanted - cursor.fetchone()[0]
            if missing > 0:
                cursor.execute(
                    f"""INSERT INTO {vehicles} (vin, owner_id, status, make, model, year, trim, mileage,
                            mileage_read_at, purchased_at, next_service_due, warranty_ends, created_at, updated_at)
                        SELECT 'BX' || lpad((base + g)::text, 15, '0'), owner.id, 'owned',
                            (ARRAY['Toyota', 'Toyota', 'Honda', 'Nissan', 'Suzuki'])[1 + g %% 5],
                            (ARRAY['Corolla', 'Premio', 'Vezel', 'X-Trail', 'Swift'])[1 + g %% 5],
                            2000 + (g * 13) %% 26, '', (g * 37) %% 250000, now()::date,
                            make_date(2000 + (g * 13) %% 26, 1 + g %% 12, 1),
                            now()::date + ((g * 17) %% 400 - 200), now()::date + ((g * 29) %% 2000 - 1000),
                            now(), now()
                        FROM generate_series(1, %s) AS g
                        CROSS JOIN (SELECT coalesce(max(id), 0) AS base FROM {vehicles}) AS existing
                        JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS position FROM {customers}) AS owner
                          ON owner.position = (g::bigint * 7919) %% (SELECT count(*) FROM {customers})""",  # noqa: S608
                    [missing],
                )
            cursor.execute(f"ANALYZE {customers}, {vehicles}")
        self.stdout.write(
            f"dealership: {located:,} customers placed, {max(missing, 0):,} vehicles generated in "
            f"{time.perf_counter() - started:.1f} s; {Vehicle.objects.count():,} vehicles; {load()}"
        )
