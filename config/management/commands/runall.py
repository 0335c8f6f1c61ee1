import os
import signal
import subprocess
import sys
import threading
import time

from django.core.management.base import BaseCommand

from config.local_run import AdminCredentials, answers, local_url

READY_TIMEOUT_SECONDS = 90
# The worker's start-up banner ends with its queues at every log level; at `info` it also logs "ready.".
WORKER_READY_MARKERS = ("[queues]", " ready.")


class Command(BaseCommand):
    help = (
        "Run web, a Celery worker and celery-beat together in the foreground (Ctrl-C stops all three); "
        "once web answers and the worker is ready, print where to sign in."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument(
            "--log-level",
            default="warning",
            help="The worker's and beat's log level; `info` shows every task, periodic ones included (every 10 s).",
        )

    def handle(self, *args, addr, concurrency, log_level, **options):
        url = local_url(addr)
        python = sys.executable
        commands = {
            "web": [python, "manage.py", "runserver", addr, "--noreload"],
            "worker": [python, "-m", "celery", "-A", "config", "worker", "-l", log_level, "-c", str(concurrency)],
            "beat": [python, "-m", "celery", "-A", "config", "beat", "-l", log_level],
        }
        # Links in messages point where this run serves, unless the operator said otherwise.
        env = {"SITE_URL": url, **os.environ, "PYTHONUNBUFFERED": "1"}
        worker_ready = threading.Event()
        processes = {}
        for name, command in commands.items():
            process = subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
            )
            processes[name] = process
            ready = worker_ready if name == "worker" else None
            threading.Thread(target=self._forward, args=(name, process, ready), daemon=True).start()
        threading.Thread(target=self._announce_when_up, args=(url, worker_ready), daemon=True).start()
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"{name} exited with {process.returncode}; stopping the others.")
                        stopping = True
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()

    def _forward(self, name: str, process: subprocess.Popen, ready: threading.Event | None) -> None:
        """Copy a child's output line by line, named, so the three logs stay readable side by side."""
        for line in process.stdout:
            self.stdout.write(f"{name:<6} | {line.rstrip()}")
            if ready is not None and any(marker in line for marker in WORKER_READY_MARKERS):
                ready.set()

    def _announce_when_up(self, url: str, worker_ready: threading.Event) -> None:
        """Print the sign-in last, once the start-up output is over, so it does not scroll away."""
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline and not answers(f"{url}/healthz"):
            time.sleep(0.5)
        worker_ready.wait(timeout=max(0.0, deadline - time.monotonic()))
        credentials = AdminCredentials.load()
        lines = credentials.banner(url) if credentials else f"Admin: {url}/admin/\nAPI:   {url}/api/v1/"
        rule = "=" * 72
        self.stdout.write(
            self.style.SUCCESS(f"\n{rule}\nUp: web, worker and beat (Ctrl-C stops all three).\n{lines}\n{rule}\n")
        )
