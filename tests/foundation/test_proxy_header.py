"""X-Forwarded-Proto is believed only behind a trusted proxy (TRUSTED_PROXY_COUNT), in production settings."""

import os
import subprocess
import sys

from tests.support.processes import PROJECT_DIR

PROXY_HEADER = "from django.conf import settings; print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))"


def _header(**env) -> str:
    production = {"DJANGO_DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "promo.example.com"}
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {PROXY_HEADER}"], cwd=PROJECT_DIR, text=True,
        capture_output=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **production, **env},
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_forwarded_proto_is_believed_only_behind_a_trusted_proxy():
    assert _header() == "None"
    assert _header(TRUSTED_PROXY_COUNT="1") == "('HTTP_X_FORWARDED_PROTO', 'https')"
