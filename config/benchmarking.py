"""What the benchmark commands share: a free local port, a percentile, a connection once a server answers, the
URL of the database this process uses (for the servers they start), and the CPU the whole host, or one process,
has spent.

In config, below every app, so each app's bench command can use it without importing another app's command.
"""

import http.client
import os
import socket
import time
from urllib.parse import quote

from django.db import connection


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def connect_when_up(port: int, *, timeout: float = 30) -> http.client.HTTPConnection:
    """A connection to the local server on `port`, once its /healthz answers (within `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            client.request("GET", "/healthz")
            client.getresponse().read()
            return client
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def database_url() -> str:
    """The PostgreSQL database this process is connected to, as a DATABASE_URL for a child process."""
    db = connection.settings_dict
    user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def host_cpu_seconds() -> float | None:
    """CPU seconds every core of this host has spent busy since boot (/proc/stat: all but idle and iowait), for
    what a benchmark costs the whole machine — its servers, the database and the load generator alike. None where
    there is no /proc/stat."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except OSError:
        return None
    busy = sum(fields[:8]) - fields[3] - fields[4]  # user nice system idle iowait irq softirq steal
    return busy / os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user and system) process `pid` has spent so far (/proc/<pid>/stat); None where it cannot be
    read (no /proc, or the process is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime and stime, in clock ticks


def backend_cpu_seconds() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend so far; None when the server is not PostgreSQL on this
    host."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return process_cpu_seconds(pid)
