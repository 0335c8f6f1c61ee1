import pytest

from config.models import Heartbeat
from config.setup import periodic_tasks_install
from tests.support.processes import celery_command, running, subprocess_env, wait_until


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_real_worker_and_beat_run_the_periodic_heartbeat(settings, tmp_path):
    settings.HEARTBEAT_INTERVAL_SECONDS = 1
    periodic_tasks_install()
    env = subprocess_env(tmp_path)
    commands = {
        "worker": celery_command("worker", "-l", "info", "-c", "1", "-Q", env["CELERY_TASK_DEFAULT_QUEUE"]),
        "beat": celery_command("beat", "-l", "info", "--max-interval", "1", "--pidfile="),
    }

    def beats() -> int:
        heartbeat = Heartbeat.objects.filter(name="beat").first()
        return heartbeat.beats if heartbeat else 0

    with running(commands, env, tmp_path) as processes:
        ran_twice = wait_until(lambda: beats() >= 2, timeout=90)
        alive = {name: process.poll() is None for name, process in processes.items()}

    logs = {name: (tmp_path / f"{name}.log").read_text()[-2000:] for name in commands}
    assert ran_twice, f"heartbeat never ran twice; alive={alive}; logs={logs}"
