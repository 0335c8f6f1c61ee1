"""Start real processes (Celery worker, beat, ...) against the test database."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.support.cache import KEY_PREFIX

PROJECT_DIR = Path(settings.BASE_DIR)


def subprocess_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a child process that must see the test database and an isolated queue."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{db['NAME']}"
    else:
        user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        database_url = f"postgres://{user}@{host}:{port}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "VAR_DIR": str(var_dir),
        "CELERY_TASK_DEFAULT_QUEUE": f"test-{uuid.uuid4().hex[:12]}",
        "CACHE_KEY_PREFIX": KEY_PREFIX,  # what it caches in a shared Redis is this process's to clear
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    return env


@contextmanager
def running(commands: dict[str, list[str]], env: dict[str, str], log_dir: Path) -> Iterator[dict]:
    """Run the commands for the duration of the block; always stop them afterwards."""
    processes = {}
    try:
        for name, command in commands.items():
            log = open(log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process below
            processes[name] = (subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=log), log)
        yield {name: process for name, (process, _) in processes.items()}
    finally:
        for process, _ in processes.values():
            if process.poll() is None:
                process.terminate()
        for process, log in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def celery_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "config", *args]


def wait_until(condition: Callable[[], bool], *, timeout: float, interval: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def gunicorn_command(port: int, *, workers: int, threads: int = 1) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", str(workers), "--threads", str(threads),
            "-b", f"127.0.0.1:{port}", "--log-level", "warning"]  # fmt: skip
