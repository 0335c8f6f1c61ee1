"""Schemathesis against the served schema (/api/schema/ through the WSGI app), for every operation.

Each operation is called twice over: with a storefront API key and with a Marketer's token, so
both the storefront and the management sides get past authentication. The checks: no 5xx, and
every answer (status code and body) is one the schema declares.

`make test` runs a short pass (FUZZ_EXAMPLES, 20 by default); `make fuzz` runs many more examples.
Run alone with `pytest -m fuzz`.
"""

import os

import pytest
import schemathesis
from django.contrib.auth.models import Group, User
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework_api_key.models import APIKey
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from config.wsgi import application
from tests.support.cache import cache_clear

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """The WSGI handler closes the database connection after each request, which would end the test's
    transaction; Django's own test client keeps it open the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(db) -> dict[str, str]:
    """One Authorization header per side of the API: the storefront's key, a Marketer's token."""
    _, key = APIKey.objects.create_key(name="fuzz storefront")
    user = User.objects.create_user(username="fuzz-marketer", password="x")
    user.groups.add(Group.objects.get(name="Marketer"))
    return {"storefront": f"Api-Key {key}", "marketer": f"Token {Token.objects.create(user=user).key}"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("FUZZ_RANDOM") != "1",  # CI replays the same examples; `make fuzz` explores
    suppress_health_check=list(HealthCheck),
    database=None,
)
@pytest.mark.parametrize("side", ["storefront", "marketer"])
def test_no_server_error_and_answers_match_the_schema(case, side, credentials):
    # Each example from the same data and counters, so that hypothesis can replay and shrink a failure.
    cache_clear()
    with transaction.atomic():
        case.call_and_validate(headers={"Authorization": credentials[side]}, checks=CHECKS)
        transaction.set_rollback(True)


def test_workflows_of_linked_operations(credentials):
    """Stateful: schemathesis links the operations that share a resource (a customer put, then read; a
    segment created, then its members) and walks chains of them, each call with its side's credentials."""

    class Workflow(schema.as_state_machine()):
        def setup(self):
            # Every scenario starts from the same data and counters, so hypothesis can replay one.
            cache_clear()
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case):
            security = case.operation.definition.raw.get("security") or []
            side = "storefront" if {"ApiKeyAuth": []} in security else "marketer"
            return {"headers": {"Authorization": credentials[side]}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Workflow.run(
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=6,
            deadline=None,
            derandomize=os.environ.get("FUZZ_RANDOM") != "1",
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
