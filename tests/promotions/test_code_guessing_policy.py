"""The guessing budget's policy, for any sequence of requests: a request carrying codes is refused exactly when
the budget was spent before it, every unknown code answered counts once, and real codes never count."""

import uuid
from unittest import mock

from django.core.cache import cache
from django.test import RequestFactory
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import Throttled

from promotions.api.guessing import GuessingCounter, code_guessing_budget
from promotions.api.throttles import digest
from promotions.engine.evaluate import normalize_code
from tests.support.cache import cache_clear

REAL = {"REAL-1", "REAL-2"}
codes = st.lists(st.sampled_from(["real-1", "REAL-2", "nope-1", "NOPE-1", "nope-2", "x-3", "x-4", " x-5 "]), max_size=6)


@settings(max_examples=150, deadline=None)
@given(limit=st.integers(min_value=0, max_value=8), requests=st.lists(st.tuples(codes, st.booleans()), max_size=25))
def test_a_request_is_refused_exactly_when_the_budget_was_spent_before_it(limit, requests):
    cache_clear()
    key = f"{uuid.uuid4().hex[:8]}.secret"
    http = RequestFactory().post("/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    rates = {"code_guessing_key": f"{limit}/d", "code_guessing_customer": f"{limit}/d"}
    spent = {"key": 0, "customer": 0}
    frozen_clock = mock.patch.object(GuessingCounter, "timer", lambda self: 0.0)
    with mock.patch.object(GuessingCounter, "THROTTLE_RATES", rates), frozen_clock:
        for request_codes, with_customer in requests:
            unknown = {normalize_code(code) for code in request_codes} - REAL
            budgets = ["customer"] if with_customer else ["key"]  # the key's overall cap is left out here
            expect_refusal = bool(request_codes) and any(spent[name] >= limit for name in budgets)
            try:
                with code_guessing_budget(http, customer="C-1" if with_customer else None, codes=request_codes) as g:
                    g.unknown(len(unknown))
            except Throttled as refusal:
                assert expect_refusal, (spent, request_codes)
                assert refusal.wait == 86400  # a day's window, seen from its first second
                continue
            assert not expect_refusal, (spent, request_codes)
            for name in budgets:
                spent[name] += len(unknown)
        # The counters hold exactly the unknown codes answered: the reservations of real codes and of refused
        # requests were all given back.
        counters = {"key": ("code_guessing_key", key.partition(".")[0]), "customer": ("code_guessing_customer", "C-1")}
        for name, (scope, ident) in counters.items():
            assert cache.get(f"{GuessingCounter(scope, digest(ident)).get_cache_key()}:0", 0) == spent[name]
