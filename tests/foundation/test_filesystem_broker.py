"""The embedded default's broker hands a worker whole messages only, however the timing falls."""

import os
import subprocess
import sys
from queue import Empty

import pytest
from kombu import Connection

from config import broker
from tests.support.processes import PROJECT_DIR


@pytest.fixture
def channel(tmp_path):
    folders = {name: str(tmp_path / name) for name in ("queue", "processed", "control")}
    for folder in folders.values():
        os.makedirs(folder)
    options = {"data_folder_in": folders["queue"], "data_folder_out": folders["queue"],
               "processed_folder": folders["processed"], "control_folder": folders["control"]}  # fmt: skip
    with Connection("filesystem://", transport=broker.AtomicFilesystemTransport, transport_options=options) as conn:
        yield conn.default_channel


def test_a_worker_looking_while_a_message_is_written_finds_nothing_then_the_whole_message(channel, monkeypatch):
    seen_while_writing = []
    encode = broker.str_to_bytes

    def encode_while_a_worker_looks(text):
        try:
            seen_while_writing.append(channel._get("celery"))
        except Empty:
            seen_while_writing.append("nothing")
        return encode(text)

    monkeypatch.setattr(broker, "str_to_bytes", encode_while_a_worker_looks)
    channel._put("celery", {"body": "x" * 100_000, "n": 1})
    assert seen_while_writing == ["nothing"]
    assert channel._get("celery") == {"body": "x" * 100_000, "n": 1}


def test_the_embedded_default_uses_it():
    env = {key: value for key, value in os.environ.items() if key != "CELERY_BROKER_URL"}
    code = "import django; django.setup(); from django.conf import settings; print(settings.CELERY_BROKER_TRANSPORT)"
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "config.broker:AtomicFilesystemTransport", out.stderr[-2000:]
