"""Time a campaign launch on the current database: a broadcast to everyone, two variants, a 10% holdout.

Meant for PostgreSQL after `seed_demo --customers 1000000` (docs/benchmarks.md). Run it with no Celery
worker on the configured broker: the command runs the launch itself, in this process (or, with --workers,
in that many processes of its own, one per slice of the audience), so that the time and the memory measured
are the launch's.
"""

import multiprocessing
import os
import resource
import threading
import time
from decimal import Decimal

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction

from audiences.models import Customer, Segment, SegmentMembership
from audiences.segments import services as segments
from campaigns.launch import campaign_launch_run, launch_slices_ready
from campaigns.models import Assignment, Campaign
from campaigns.services import campaign_create, campaign_launch
from messaging.models import Message, SenderAddress, Template, TemplateTranslation

TARGET_SECONDS = 60
TARGET_PEAK_MIB = 300
BENCH_NAME = "Benchmark broadcast (bench_campaigns)"
EVERYONE = {"all": [{"field": "total_spent", "op": "gte", "value": "0"}]}  # total_spent is never negative


class PeakRss:
    """The process's resident memory, sampled every 20 ms while the block runs: the launch's own peak."""

    def __init__(self):
        self.peak = 0
        self._stop = threading.Event()
        self._page = resource.getpagesize()

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.current())

    def current(self) -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * self._page

    def __enter__(self):
        self.peak = self.current()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.current())


def mib(size: int) -> float:
    return size / 2**20


def _launch_slice(campaign_id: int, batch_size: int, number: int) -> None:
    campaign_launch_run(campaign_id=campaign_id, batch_size=batch_size, slice_number=number)


def _launch_in_processes(campaign_id: int, batch_size: int, slices: list[int]) -> None:
    """A forked process per slice, as that many Celery workers would run them; each opens its own connection."""
    connections.close_all()
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_launch_slice, args=(campaign_id, batch_size, number)) for number in slices]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    failed = [process.exitcode for process in processes if process.exitcode]
    if failed:
        raise CommandError(f"{len(failed)} of the {len(processes)} launch processes failed (exit codes {failed}).")


class Command(BaseCommand):
    help = (
        "Launch a broadcast to every customer (2 variants, 10% holdout) and time it up to messages queued: "
        "elapsed, rows/s and peak memory against the targets (60 s and 300 MB for 1,000,000 customers). "
        "Seeds --customers first when the database has none. Removes the benchmark campaign afterwards "
        "unless --keep."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=1_000_000, help="Seeded when there are none.")
        parser.add_argument("--batch-size", type=int, default=None, help="Default: CAMPAIGN_LAUNCH_BATCH_SIZE.")
        parser.add_argument("--keep", action="store_true", help="Keep the campaign, its assignments and messages.")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Processes launching at once, each a slice of the audience. Default: CAMPAIGN_LAUNCH_SLICES.",
        )

    def handle(self, *args, customers, batch_size, keep, workers, **options):
        if not Customer.objects.exists():
            self.stdout.write(f"no customers: seeding {customers:,} (seed_demo --customers {customers})")
            call_command("seed_demo", customers=customers, no_progress=True)
        audience_size = Customer.objects.count()
        batch_size = batch_size or settings.CAMPAIGN_LAUNCH_BATCH_SIZE
        workers = workers or settings.CAMPAIGN_LAUNCH_SLICES
        self.stdout.write(
            f"database: {connection.vendor}, {audience_size:,} customers, batch size {batch_size:,}, "
            f"bulk writes with COPY: {connection.vendor == 'postgresql' and settings.BULK_WRITES_WITH_COPY}, "
            f"workers: {workers}"
        )
        campaign = self._campaign()
        slices = launch_slices_ready(campaign_id=campaign.pk, count=workers)

        with PeakRss() as rss:
            started, cpu_started = time.perf_counter(), time.process_time()
            if workers == 1:
                campaign_launch_run(campaign_id=campaign.pk, batch_size=batch_size)
            else:
                _launch_in_processes(campaign.pk, batch_size, slices)
            elapsed = time.perf_counter() - started
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = time.process_time() - cpu_started + children.ru_utime + children.ru_stime
        campaign.refresh_from_db()
        messages = Message.objects.filter(campaign_id=campaign.pk).count()
        peak = max(rss.peak, children.ru_maxrss * 1024)

        self.stdout.write(
            f"launch of {campaign.frozen:,} customers: {elapsed:.1f} s, {campaign.frozen / elapsed:,.0f} customers/s, "
            f"{messages:,} messages queued ({messages / elapsed:,.0f}/s), {campaign.held_out:,} held out, "
            f"skipped {campaign.skipped}"
        )
        self.stdout.write(
            f"CPU of the launch's processes {cpu:.1f} s (the rest of the elapsed time is PostgreSQL's work and waiting "
            f"for a core; load average {os.getloadavg()[0]:.1f})"
        )
        self.stdout.write(
            f"peak RSS during the launch {mib(peak):.0f} MiB, of the largest process "
            f"(this process's peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)"
        )
        scale = 1_000_000 / max(campaign.frozen, 1)
        verdict = "met" if elapsed * scale <= TARGET_SECONDS and mib(peak) <= TARGET_PEAK_MIB else "NOT met"
        self.stdout.write(
            f"target for 1,000,000: <= {TARGET_SECONDS} s and <= {TARGET_PEAK_MIB} MB; "
            f"at this rate 1,000,000 take {elapsed * scale:.0f} s: {verdict}"
        )
        if campaign.frozen != audience_size:
            self.stdout.write("warning: not everyone was frozen by this process (a worker on the broker took part?)")
        if not keep:
            self._remove(campaign)

    @transaction.atomic
    def _campaign(self) -> Campaign:
        """A fresh running broadcast to everyone, launched but not yet frozen (setup: not timed)."""
        for old in Campaign.objects.filter(name=BENCH_NAME):
            self._remove(old)
        segment, _ = Segment.objects.update_or_create(
            code="bench_everyone", defaults={"name": "Benchmark: every customer", "rules": EVERYONE}
        )
        segments.segment_refresh(segment=segment)
        if connection.vendor == "postgresql":
            # A million memberships just written: plan the launch on their statistics, as autovacuum soon would.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {SegmentMembership._meta.db_table}")
        SenderAddress.objects.get_or_create(store=None, defaults={"postal_address": "Benchmark Ltd, Road 1, Dhaka"})
        variants = []
        for name, body in (("A", "Come back: 20% off this week."), ("B", "We kept your basket: 20% off today.")):
            template, created = Template.objects.get_or_create(
                code=f"bench_campaign_{name.lower()}",
                defaults={"name": f"Benchmark {name}", "channel": "sms", "kind": "marketing"},
            )
            if created:
                TemplateTranslation.objects.create(template=template, language="en", body=body)
            variants.append({"name": name, "weight": 1, "template": template})
        campaign = campaign_create(
            name=BENCH_NAME, include_segments=[segment], holdout_percent=Decimal(10), variants=variants
        )
        return campaign_launch(campaign=campaign)

    @staticmethod
    def _remove(campaign: Campaign) -> None:
        """In SQL: the ORM's delete would load a million messages to look for their tracking events (none)."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Message._meta.db_table} WHERE campaign_id = %s", [campaign.pk])  # noqa: S608
            cursor.execute(f"DELETE FROM {Assignment._meta.db_table} WHERE campaign_id = %s", [campaign.pk])  # noqa: S608
            campaign.delete()
