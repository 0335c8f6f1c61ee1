"""The nightly model job as beat runs it: predicted lifetime value and churn (`audiences.predictions_compute`), then
recommendations (`audiences.recommendations_compute`), each committed in a process of its own like a worker's
task, timed against issue #21's targets."""

import multiprocessing
import os
import queue
import resource
import time
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from audiences.clv.services import predictions_compute
from audiences.recommendations.services import recommendations_compute
from config.benchmarking import backend_cpu_seconds

TARGET_SECONDS = 600  # the whole job: 10 minutes
TARGET_BYTES = 1_000_000_000  # 1 GB


@dataclass(frozen=True)
class PartRun:
    name: str
    rows: int
    seconds: float
    cpu_seconds: float  # the part's process, user + system
    database_cpu_seconds: float | None  # its PostgreSQL backend's (parallel workers aside); None if unreadable
    peak_rss_bytes: int  # the part's process, ru_maxrss


def _predictions() -> int:
    return predictions_compute().customers


def _recommendations() -> int:
    return recommendations_compute().rows


PARTS = {"predictions": _predictions, "recommendations": _recommendations}


def _part(name: str, results) -> None:
    """One part in a forked process, as a worker runs a task: a connection of its own, committed on return."""
    connections.close_all()  # the parent's connection is not this process's
    database_before = backend_cpu_seconds()
    started, cpu_before = time.perf_counter(), _cpu_seconds()
    rows = PARTS[name]()
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_before
    database_after = backend_cpu_seconds()
    database = None if database_before is None or database_after is None else database_after - database_before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    connections.close_all()
    results.put(PartRun(name, rows, seconds, cpu, database, peak))


def _run(context, results, names: list[str]) -> list[PartRun]:
    """Start a process per part and wait for them all; a part that dies without a result stops the benchmark."""
    processes = [context.Process(target=_part, args=(name, results)) for name in names]
    for process in processes:
        process.start()
    runs = []
    while len(runs) < len(processes):
        try:
            runs.append(results.get(timeout=1))
        except queue.Empty:
            failed = [process for process in processes if process.exitcode not in (None, 0)]
            if failed:
                raise CommandError(f"a part of the job failed (exit code {failed[0].exitcode}): see above") from None
    for process in processes:
        process.join()
    return runs


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB ({size / 1e6:,.0f} MB)"


class Command(BaseCommand):
    help = (
        "Run the nightly model job on this database as beat runs it, committed: predictions (CLV and churn), then "
        "recommendations, each in a process of its own. Prints each part's wall time, CPU seconds (its own and its "
        "PostgreSQL backend's), rows written and peak memory (the process's resident set size, ru_maxrss), and the "
        f"job's against issue #21's targets: ≤ {TARGET_SECONDS // 60} minutes, ≤ 1 GB. It replaces the stored "
        "predictions and recommendations, as the nightly run would."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--parallel", action="store_true",
            help="Run the two parts at once (one per core); the job's memory is then the sum of their peaks.",
        )  # fmt: skip
        parser.add_argument("--only", choices=tuple(PARTS), help="Run one part alone.")

    def handle(self, *args, parallel, only, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench_models measures the job on PostgreSQL: set DATABASE_URL to a PostgreSQL database."
            )
        names = [only] if only else list(PARTS)
        self.stdout.write(f"load average at the start: {_load()}")
        connections.close_all()
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        started = time.perf_counter()
        if parallel:
            runs = _run(context, results, names)
        else:
            runs = [run for name in names for run in _run(context, results, [name])]
        seconds = time.perf_counter() - started
        self.stdout.write(f"load average at the end: {_load()}")
        for run in sorted(runs, key=lambda run: names.index(run.name)):
            database = "unread" if run.database_cpu_seconds is None else f"{run.database_cpu_seconds:,.1f} s"
            self.stdout.write(
                f"{run.name}: {run.rows:,} rows in {run.seconds:,.1f} s; CPU {run.cpu_seconds:,.1f} s, its PostgreSQL "
                f"backend {database}; peak RSS {_mib(run.peak_rss_bytes)}"
            )
        peaks = [run.peak_rss_bytes for run in runs]
        memory = sum(peaks) if parallel else max(peaks)
        cpu, database = (sum(run.cpu_seconds for run in runs), sum(run.database_cpu_seconds or 0 for run in runs))
        self.stdout.write(
            f"job ({'parallel' if parallel else 'one part after the other'}): {seconds:,.1f} s "
            f"({'within' if seconds <= TARGET_SECONDS else 'over'} {TARGET_SECONDS} s), peak RSS "
            f"{'summed' if parallel else 'of the larger part'} {_mib(memory)} "
            f"({'within' if memory <= TARGET_BYTES else 'over'} 1 GB); "
            f"CPU {cpu:,.1f} s, PostgreSQL backends {database:,.1f} s"
        )


def _load() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())
