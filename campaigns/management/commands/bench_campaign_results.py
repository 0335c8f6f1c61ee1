"""Time a campaign's results with lift after 100,000 attributed orders, on a seeded PostgreSQL database.

Writes a broadcast to the first --recipients customers (10% holdout, A/B 50/50), a sent message to each treated
one (a tenth clicked), --orders attributed orders of treated customers and a ninth as many of held-out ones,
all with INSERT ... SELECT; analyses the tables; then times `results.campaign_results` and its JSON answer
(the API's work) under last-touch. Everything is rolled back at the end: the database is left as it was.
"""

import resource
import time
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from audiences.models import Customer, Order
from campaigns import results
from campaigns.api.results import results_answer
from campaigns.models import Assignment, Campaign, Conversion, Variant
from messaging.models import Message, Template

HOLDOUT_BUCKETS = 1000  # 10%
A_BUCKETS_END = 5500  # A: 1,000-5,499; B: 5,500-9,999


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--recipients", type=int, default=1_000_000)
        parser.add_argument("--orders", type=int, default=100_000, help="Attributed orders (treated customers).")
        parser.add_argument("--runs", type=int, default=3, help="Timed runs of the results; the best and worst shown.")

    def handle(self, *args, recipients: int, orders: int, runs: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("This benchmark runs on PostgreSQL (seed it with seed_demo first).")
        available = Customer.objects.count()
        if available < recipients:
            raise CommandError(f"Only {available:,} customers; seed_demo --customers {recipients} first.")
        try:
            with transaction.atomic():
                self._run(recipients, orders, runs)
                raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: the database is as it was.")

    def _step(self, label: str, started: float) -> float:
        now = time.perf_counter()
        self.stdout.write(f"{label}: {now - started:.1f} s")
        return now

    def _run(self, recipients: int, orders: int, runs: int) -> None:
        started = time.perf_counter()
        now = timezone.now()
        launch = now - timedelta(days=10)
        template = Template.objects.create(code="bench_results", name="Bench", channel="sms", kind="marketing")
        campaign = Campaign.objects.create(
            name="Bench results", status="running", launch_started_at=launch, holdout_percent=Decimal(10)
        )
        a = Variant.objects.create(campaign=campaign, name="A", weight=1, template=template)
        b = Variant.objects.create(campaign=campaign, name="B", weight=1, template=template)
        tables = {
            "assignment": Assignment._meta.db_table,
            "customer": Customer._meta.db_table,
            "message": Message._meta.db_table,
            "order": Order._meta.db_table,
            "conversion": Conversion._meta.db_table,
        }
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {tables["assignment"]}
                    (campaign_id, customer_id, bucket, variant_id, status, reason, coupon_code, created_at)
                SELECT %(campaign)s, id, bucket,
                       CASE WHEN bucket < {HOLDOUT_BUCKETS} THEN NULL WHEN bucket < {A_BUCKETS_END} THEN %(a)s
                            ELSE %(b)s END,
                       CASE WHEN bucket < {HOLDOUT_BUCKETS} THEN 'holdout' ELSE 'queued' END, '', '', %(launch)s
                FROM (SELECT id, (id * 7919) %% 10000 AS bucket FROM {tables["customer"]} ORDER BY id LIMIT %(n)s) c
                """,  # noqa: S608 (table names from the models)
                {"campaign": campaign.pk, "a": a.pk, "b": b.pk, "launch": launch, "n": recipients},
            )
            started = self._step(f"{recipients:,} assignments", started)
            cursor.execute(
                f"""
                INSERT INTO {tables["message"]}
                    (idempotency_key, customer_id, template_id, channel, kind, topic, campaign_id, journey, variant,
                     context, status, reason, error, address, language, content, attempts, scheduled_for, sent_at,
                     clicked_at, created_at)
                SELECT 'bench:' || a.customer_id, a.customer_id, %(template)s, 'sms', 'marketing', 'marketing',
                       %(campaign)s, '', CASE WHEN a.variant_id = %(a)s THEN 'A' ELSE 'B' END, '{{}}', 'sent', '', '',
                       '', 'en', '{{}}', 1, %(launch)s, %(launch)s + (a.customer_id %% 48) * interval '1 hour',
                       CASE WHEN a.customer_id %% 10 = 0 THEN %(launch)s + interval '2 days' END, %(launch)s
                FROM {tables["assignment"]} a WHERE a.campaign_id = %(campaign)s AND a.variant_id IS NOT NULL
                """,  # noqa: S608
                {"template": template.pk, "campaign": campaign.pk, "a": a.pk, "launch": launch},
            )
            started = self._step("a sent message to each treated customer", started)
            # Orders: `orders` of treated customers, a ninth as many of held-out ones (so the arms' rates differ).
            for arm, count, prefix in (("IS NOT NULL", orders, "T"), ("IS NULL", orders // 9, "H")):
                cursor.execute(
                    f"""
                    INSERT INTO {tables["order"]}
                        (external_id, customer_id, channel, payment_method, currency, placed_at, status, subtotal,
                         discount_total, shipping_price, shipping_discount, total, attribution, created_at)
                    SELECT 'BENCH-{prefix}-' || customer_id, customer_id, 'web', '', 'BDT',
                           %(launch)s + interval '3 days' + (customer_id %% 96) * interval '1 hour', 'placed',
                           100 + (customer_id %% 50) * 10, 0, 0, 0, 100 + (customer_id %% 50) * 10, '{{}}', %(now)s
                    FROM {tables["assignment"]}
                    WHERE campaign_id = %(campaign)s AND variant_id {arm}
                    ORDER BY (customer_id * 104729) %% 1000003 LIMIT %(n)s
                    """,  # noqa: S608
                    {"campaign": campaign.pk, "launch": launch, "now": now, "n": count},
                )
            cursor.execute(
                f"""
                INSERT INTO {tables["conversion"]}
                    (order_id, campaign_id, variant_id, customer_id, model, basis, weight, revenue, placed_at, in_store)
                SELECT o.id, %(campaign)s, a.variant_id, o.customer_id, 'last_touch', 'click', 1, o.total, o.placed_at,
                       false
                FROM {tables["order"]} o JOIN {tables["assignment"]} a
                  ON a.customer_id = o.customer_id AND a.campaign_id = %(campaign)s AND a.variant_id IS NOT NULL
                WHERE o.external_id LIKE 'BENCH-T-%%'
                """,  # noqa: S608
                {"campaign": campaign.pk},
            )
            attributed = cursor.rowcount
            started = self._step(f"{attributed:,} attributed orders (and {orders // 9:,} of the holdout)", started)
            for table in tables.values():
                cursor.execute(f"ANALYZE {table}")
            self._step("ANALYZE", started)
        Campaign.objects.filter(pk=campaign.pk).update(frozen=recipients, queued=recipients - recipients // 10)
        campaign.refresh_from_db()

        timings = []
        for _ in range(runs):
            began = time.perf_counter()
            answer = results_answer(results.campaign_results(campaign))
            timings.append(time.perf_counter() - began)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        lift = answer["lift"]
        self.stdout.write(
            f"results with lift for {recipients:,} recipients and {attributed:,} attributed orders: "
            f"best {min(timings):.2f} s, worst {max(timings):.2f} s over {runs} runs (target <= 5 s); "
            f"peak memory {peak:.0f} MB"
        )
        self.stdout.write(
            f"  converted {answer['converted']:,}, revenue {answer['revenue']} {answer['currency']}; "
            f"winner {answer['winner']}; lift {lift['absolute'] * 100:+.2f} points "
            f"({lift['ci_low'] * 100:+.2f} to {lift['ci_high'] * 100:+.2f}), "
            f"{lift['revenue']['absolute']} per recipient ({lift['revenue']['ci_low']} to {lift['revenue']['ci_high']})"
        )
