"""With DATABASE_REPLICA_URL set, segment counts, reports and exports read from the replica; every other read and
every write stays on the primary (a child process configured with a replica that is the test database itself)."""

import subprocess
import sys

import pytest

from tests.support.processes import PROJECT_DIR, subprocess_env

WHERE_QUERIES_GO = """
import django
django.setup()
from django.db import connections
from django.test.utils import CaptureQueriesContext
from audiences.models import Customer
from audiences.segments.selectors import segment_live_count
from config.replica import from_replica

def counted(block):
    with CaptureQueriesContext(connections["default"]) as primary:
        with CaptureQueriesContext(connections["replica"]) as replica:
            block()
    return len(primary), len(replica)

print("plain", *counted(lambda: Customer.objects.count()))
RULES = {"all": [{"field": "city", "op": "eq", "value": "X"}]}
print("segment count", *counted(lambda: segment_live_count(rules=RULES)))
def write_inside():
    with from_replica():
        Customer.objects.create(external_id="REPLICA-W")
        Customer.objects.filter(external_id="REPLICA-W").delete()
print("write inside", *counted(write_inside))
"""


@pytest.mark.processes
@pytest.mark.django_db
def test_only_what_may_lag_reads_from_the_replica(tmp_path):
    env = subprocess_env(tmp_path)
    env["DATABASE_REPLICA_URL"] = env["DATABASE_URL"]
    done = subprocess.run([sys.executable, "-c", WHERE_QUERIES_GO], cwd=PROJECT_DIR, env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lines = {name: counts for name, *counts in (line.rsplit(" ", 2) for line in done.stdout.splitlines())}
    assert lines["plain"] == ["1", "0"]
    assert lines["segment count"] == ["0", "1"]
    primary, replica = lines["write inside"]
    assert int(primary) >= 2 and replica == "0"  # writes (and the delete's own reads) never go to the replica
