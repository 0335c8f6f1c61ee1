"""Referrals: both sides rewarded once, after the referee's first paid order clears its pending period; never
for the referrer themselves, once per referee (by phone and email too), at most the monthly cap per referrer;
granted exactly once when the referee sends two orders at once."""

import hashlib
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from audiences.services.customers import customer_upsert
from loyalty.models import Member, Referral
from loyalty.services.referrals import contact_hash, referrals_grant
from tests.loyalty.conftest import days
from tests.loyalty.helpers import assert_ledger_consistent
from tests.promotions.conftest import create_promotion, place, rice


@pytest.fixture
def referrals(marketer, program):
    """The referee gets 10% off a first order; the referrer 50 points, the referee 30, 14 days after it."""
    promotion = create_promotion(marketer, name="Referral", trigger="code", code="",
                                 eligibility={"first_order_only": True})  # fmt: skip
    program.referral_promotion_id = promotion["id"]
    program.referrer_points, program.referee_points, program.referral_monthly_cap = 50, 30, 2
    program.pending_days = 14
    program.save()
    return program


def _code(client, customer="C-1001"):
    answer = client.get(f"/api/v1/loyalty/members/{customer}/referral")
    assert answer.status_code == 200, answer.json()
    return answer.json()["code"]


def _points(customer):
    member = Member.objects.filter(customer__external_id=customer).first()
    return 0 if member is None else assert_ledger_consistent(member)


@pytest.mark.django_db
def test_both_sides_are_rewarded_once_after_the_first_order_clears(storefront, catalog, customer, referrals):
    customer_upsert(external_id="C-1001", phone="+8801711111111", email="rahim@example.com")
    place(storefront, "O-0", [rice(1)], customer="C-1001")  # the referrer is a member
    code = _code(storefront)
    assert _code(storefront) == code  # the same code every time
    customer_upsert(external_id="C-2", phone="+8801722222222", email="karim@example.com")
    first = place(storefront, "O-1", [rice(10)], customer="C-2", codes=[code])
    assert first.status_code == 201 and first.json()["discount_total"] == "100.00"
    place(storefront, "O-2", [rice(10)], customer="C-2")  # a second order rewards nothing more

    assert referrals_grant() == 0  # the first order's points are still pending
    assert referrals_grant(now=timezone.now() + days(15)) == 1
    assert referrals_grant(now=timezone.now() + days(15)) == 0  # twice is once
    assert (_points("C-1001"), _points("C-2")) == (10 + 50, 90 + 100 + 30)  # 10% off the first order


@pytest.mark.django_db
def test_a_referees_phone_and_email_are_kept_keyed_not_as_hashes_anyone_could_reverse(
    storefront, catalog, customer, referrals, settings
):
    customer_upsert(external_id="C-1001", phone="+8801711111111", email="rahim@example.com")
    place(storefront, "O-0", [rice(1)], customer="C-1001")
    customer_upsert(external_id="C-2", phone="+8801722222222", email="karim@example.com")
    place(storefront, "O-1", [rice(1)], customer="C-2", codes=[_code(storefront)])

    referral = Referral.objects.get()
    assert referral.phone_hash == contact_hash("+8801722222222")
    # Trying every phone number through a plain SHA-256 would find it; without the site's key nothing matches.
    assert referral.phone_hash != hashlib.sha256(b"+8801722222222").hexdigest()
    assert referral.email_hash != hashlib.sha256(b"karim@example.com").hexdigest()
    settings.SECRET_KEY = "another site's key"
    assert contact_hash("+8801722222222") != referral.phone_hash


@pytest.mark.django_db
def test_no_self_referral_no_second_referral_of_a_person_and_a_monthly_cap(storefront, catalog, customer, referrals):
    customer_upsert(external_id="C-1001", phone="+8801711111111", email="rahim@example.com")
    place(storefront, "O-0", [rice(1)], customer="C-1001")
    code = _code(storefront)
    customer_upsert(external_id="C-SELF", phone="+8801711111111")  # the referrer under another account
    place(storefront, "O-1", [rice(1)], customer="C-SELF", codes=[code])
    customer_upsert(external_id="C-2", email="karim@example.com")
    place(storefront, "O-2", [rice(1)], customer="C-2", codes=[code])
    customer_upsert(external_id="C-2B", email=" Karim@Example.com")  # the same person again
    place(storefront, "O-3", [rice(1)], customer="C-2B", codes=[code])
    customer_upsert(external_id="C-3", email="jamal@example.com")
    place(storefront, "O-4", [rice(1)], customer="C-3", codes=[code])
    customer_upsert(external_id="C-4", email="nadia@example.com")
    place(storefront, "O-5", [rice(1)], customer="C-4", codes=[code])  # over the cap of 2 this month
    referred = Referral.objects.order_by("id").values_list("referee__customer__external_id", flat=True)
    assert list(referred) == ["C-2", "C-3"]

    storefront.post("/api/v1/orders/O-4/cancel")  # cancelled before it cleared: void
    assert referrals_grant(now=timezone.now() + days(15)) == 1
    assert list(Referral.objects.order_by("id").values_list("status", flat=True)) == ["granted", "void"]
    assert _points("C-1001") == 10 + 50


@pytest.mark.django_db(transaction=True)
def test_two_first_orders_at_once_grant_the_referral_once(api_key, catalog, customer, referrals):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key}")
    place(client, "O-0", [rice(1)], customer="C-1001")
    code = _code(client)
    customer_upsert(external_id="C-2", email="karim@example.com")
    start = threading.Barrier(2)
    statuses = []

    def order(external_id):
        thread_client = APIClient()
        thread_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key}")
        try:
            start.wait()
            statuses.append(place(thread_client, external_id, [rice(10)], customer="C-2", codes=[code]).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=order, args=(f"O-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 201 in statuses
    assert Referral.objects.count() == 1
    assert referrals_grant(now=timezone.now() + days(15)) == 1
    assert referrals_grant(now=timezone.now() + days(15)) == 0
    assert _points("C-1001") == 10 + 50


@pytest.mark.django_db
def test_an_order_with_an_ordinary_code_asks_nothing_of_referrals(storefront, marketer, catalog, customer, referrals):
    create_promotion(marketer, name="Ten off", trigger="code", code="TEN")
    place(storefront, "O-0", [rice(1)], customer="C-1001")  # a member, the program's rules at hand
    with CaptureQueriesContext(connection) as queries:
        assert place(storefront, "O-1", [rice(10)], customer="C-1001", codes=["TEN"]).status_code == 201
    assert not [q["sql"] for q in queries.captured_queries if "loyalty_referralcode" in q["sql"]]


@pytest.mark.django_db
def test_a_code_issued_before_the_program_changed_its_referral_promotion_still_refers(
    storefront, marketer, catalog, customer, referrals
):
    place(storefront, "O-0", [rice(1)], customer="C-1001")
    code = _code(storefront)
    newer = create_promotion(marketer, name="Referral 2", trigger="code", code="",
                             eligibility={"first_order_only": True})  # fmt: skip
    referrals.referral_promotion_id = newer["id"]
    referrals.save()
    place(storefront, "O-1", [rice(1)], customer="C-1001")  # the rules read again after the save
    customer_upsert(external_id="C-2")
    assert place(storefront, "O-2", [rice(10)], customer="C-2", codes=[code]).status_code == 201
    assert Referral.objects.filter(referrer__customer__external_id="C-1001").count() == 1
