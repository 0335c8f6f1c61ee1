"""Time crediting orders to campaigns from the raw touches: an import's set-based pass, the order hook's one order,
and a late touch's re-credit. On PostgreSQL; everything it writes is rolled back.

Writes --orders customers, three campaigns (click windows 2, 5 and 7 days), three campaign messages per customer in
the week before their order (sent; a third delivered, a fifth clicked) and one order each; then times
`orders_credit` over all the orders at once (what an import does), over --single orders one at a time (the order
hook's work) and `late_touch_credit` for --single customers.
"""

import resource
import time
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from audiences.models import Customer, Order
from campaigns.conversions import late_touch_credit, orders_credit
from campaigns.models import Campaign, Conversion, ConversionEvent
from messaging.models import Message, Template


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=20_000, help="Customers, each with one order.")
        parser.add_argument("--single", type=int, default=1_000, help="Orders credited one at a time.")

    def handle(self, *args, orders: int, single: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("This benchmark runs on PostgreSQL.")
        try:
            with transaction.atomic():
                self._run(orders, min(single, orders))
                raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: the database is as it was.")

    def _timed(self, label: str, work) -> None:
        started = time.perf_counter()
        work()
        self.stdout.write(f"{label}: {time.perf_counter() - started:.2f} s")

    def _run(self, count: int, single: int) -> None:
        now = timezone.now()
        template = Template.objects.create(code="bench_attr", name="Bench", channel="sms", kind="marketing")
        campaigns = [
            Campaign.objects.create(
                name=f"Bench {days}d", status="running", launch_started_at=now, click_window_hours=24 * days
            )
            for days in (2, 5, 7)
        ]
        customers = Customer.objects.bulk_create(
            Customer(external_id=f"BENCH-ATTR-{n}", phone=f"+8809{n:09d}") for n in range(count)
        )
        messages = []
        for n, customer in enumerate(customers):
            for k, campaign in enumerate(campaigns):
                sent = now - timedelta(hours=(n * 7 + k * 53) % 168 + 1)
                messages.append(
                    Message(
                        idempotency_key=f"bench-attr:{campaign.pk}:{customer.pk}", customer=customer, template=template,
                        channel="sms", kind="marketing", topic="marketing", campaign_id=campaign.pk, variant="A",
                        status="sent", scheduled_for=sent, sent_at=sent,
                        delivered_at=sent + timedelta(minutes=1) if (n + k) % 3 == 0 else None,
                        clicked_at=sent + timedelta(minutes=30) if (n + k) % 5 == 0 else None,
                    )
                )  # fmt: skip
        Message.objects.bulk_create(messages, batch_size=5_000)
        placed = Order.objects.bulk_create(
            Order(external_id=f"BENCH-ATTR-{c.pk}", customer=c, channel="pos" if c.pk % 4 == 0 else "web",
                  currency="BDT", placed_at=now, subtotal=Decimal("100.00"), total=Decimal("100.00"))
            for c in customers
        )  # fmt: skip
        with connection.cursor() as cursor:
            for model in (Customer, Message, Order):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
        self.stdout.write(f"{count:,} customers, {len(messages):,} messages, {count:,} orders written")

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self._timed(f"import: {count:,} orders credited at once", lambda: orders_credit(orders=placed))
        credited = Conversion.objects.filter(model="last_touch").count()
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) // 1024
        self.stdout.write(
            f"  {credited:,} credited (last touch), {Conversion.objects.count():,} conversion rows, "
            f"{ConversionEvent.objects.count():,} events; peak memory grew {grown} MB"
        )

        def one_by_one():
            for order in placed[:single]:
                orders_credit(orders=[order], coupons={order.pk: ()})

        self._timed(f"order hook: {single:,} orders credited one at a time", one_by_one)

        def late_touches():
            for customer in customers[:single]:
                late_touch_credit(customer_id=customer.pk, campaign_id=campaigns[0].pk, at=now - timedelta(hours=1))

        self._timed(f"late touch: {single:,} customers' orders credited again", late_touches)
