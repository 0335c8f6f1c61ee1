"""The management API: promotions, permissions, validation, code generation and export."""

from datetime import timedelta

import pytest
from django.utils import timezone

from promotions.models import CodeGenerationJob, Promotion, PromotionCode, Redemption
from promotions.services.codes import code_generation_run
from promotions.services.definitions import promotions_lifecycle_advance
from tests.promotions.conftest import create_promotion, evaluate, place, rice, segment

pytestmark = pytest.mark.django_db


def test_marketer_creates_reads_lists_and_patches(marketer, catalog):
    created = create_promotion(marketer, name="Welcome 15%", trigger="code", code="welcome15", budget="50000.00",
                               priority=10, eligibility={"first_order_only": True, "min_subtotal": "1000.00"},
                               target={"categories": ["electronics"]}, stores=["DHK-01"])  # fmt: skip
    assert created["code"] == "WELCOME15" and created["status"] == "active" and created["budget"] == "50000.00"
    assert marketer.get(f"/api/v1/promotions/{created['id']}").json()["name"] == "Welcome 15%"
    listed = marketer.get("/api/v1/promotions").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == created["id"]
    patched = marketer.patch(f"/api/v1/promotions/{created['id']}", {"priority": 3}, format="json")
    assert patched.status_code == 200 and patched.json()["priority"] == 3


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", ["Ten", "Paused code", "Five off"]),
        ("?status=paused", ["Paused code"]),
        ("?trigger=code", ["Paused code"]),
        ("?reward_type=fixed_amount", ["Five off"]),
        ("?status=active&reward_type=percentage", ["Ten"]),
        ("?status=&colour=red", ["Ten", "Paused code", "Five off"]),  # empty and unknown filters narrow nothing
    ],
)
def test_the_list_filters_by_status_trigger_and_reward_type(marketer, catalog, query, names):
    create_promotion(marketer, name="Ten", priority=3)
    create_promotion(marketer, name="Paused code", priority=2, status="paused", trigger="code", code="P2")
    create_promotion(marketer, name="Five off", priority=1, reward={"type": "fixed_amount", "value": "5"})
    listed = marketer.get(f"/api/v1/promotions{query}").json()
    assert [promotion["name"] for promotion in listed["results"]] == names


def test_dates_decide_scheduled_and_expired(marketer, catalog):
    now = timezone.now()
    future = create_promotion(marketer, starts_at=(now + timedelta(days=1)).isoformat())
    past = create_promotion(marketer, starts_at=(now - timedelta(days=2)).isoformat(),
                            ends_at=(now - timedelta(days=1)).isoformat())  # fmt: skip
    assert (future["status"], past["status"]) == ("scheduled", "expired")


def test_analyst_reads_but_may_not_write(analyst, marketer, catalog):
    created = create_promotion(marketer)
    assert analyst.get(f"/api/v1/promotions/{created['id']}").status_code == 200
    assert analyst.post("/api/v1/promotions", {"name": "x", "reward": {"type": "gift", "sku": "A"}},
                        format="json").status_code == 403  # fmt: skip
    assert analyst.patch(f"/api/v1/promotions/{created['id']}", {"priority": 1}, format="json").status_code == 403


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"reward": {"type": "percentage", "value": "120"}}, "reward.value"),
        ({"reward": {"type": "teleport"}}, "reward.type"),
        ({"target": {"skus": "A"}}, "target.skus"),
        ({"eligibility": {"star_sign": "leo"}}, "eligibility.star_sign"),
        ({"stores": ["NOWHERE"]}, "stores"),
        ({"code": "X1"}, "code"),
        ({"status": "expired"}, "status"),
        ({"budget": "9999999999999.999"}, "budget"),
        ({"currency": "JPY", "budget": "10.5"}, "budget"),
        ({"trigger": "code", "code": "ß" * 40}, "code"),
        ({"starts_at": "2026-12-02T00:00:00Z", "ends_at": "2026-12-01T00:00:00Z"}, "ends_at"),
        # Out of range: counts past a cart line's 100,000 units, binary floats, segments that do not exist.
        ({"reward": {"type": "buy_x_get_y", "buy": 10**30, "get": 1}}, "reward.buy"),
        ({"reward": {"type": "buy_x_get_y", "buy": 2, "get": 1, "max_applications": 100_001}},
         "reward.max_applications"),
        ({"reward": {"type": "gift", "sku": "A", "quantity": 10**20}}, "reward.quantity"),
        ({"reward": {"type": "bundle", "price": "10", "items": [{"sku": "A", "quantity": 10**9}]}},
         "reward.items.0.quantity"),
        ({"reward": {"type": "percentage", "value": 12.5}}, "reward.value"),
        ({"reward": {"type": "tiered", "tiers": [{"min_subtotal": "100", "percent": 5.5}]}}, "reward.tiers.0.percent"),
        ({"eligibility": {"min_quantity": 10**12}}, "eligibility.min_quantity"),
        ({"eligibility": {"min_subtotal": 99.99}}, "eligibility.min_subtotal"),
        ({"eligibility": {"segments": ["no_such_segment"]}}, "eligibility.segments"),
    ],
)  # fmt: skip
def test_bad_definitions_are_400_naming_the_field(marketer, catalog, fields, field):
    response = marketer.post("/api/v1/promotions", {"name": "Bad", "reward": {"type": "gift", "sku": "A"}, **fields},
                             format="json")  # fmt: skip
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Promotion.objects.exists()


def test_the_largest_counts_and_existing_segments_are_accepted(marketer, catalog):
    segment("vip")
    reward = {"type": "buy_x_get_y", "buy": 100_000, "get": 100_000, "percent_off": 50}
    created = create_promotion(marketer, eligibility={"segments": ["vip"], "min_quantity": 100_000}, reward=reward)
    assert created["reward"]["buy"] == 100_000 and created["eligibility"]["segments"] == ["vip"]


def test_codes_are_unique_case_insensitively(marketer, catalog):
    create_promotion(marketer, trigger="code", code="SPRING")
    response = marketer.post("/api/v1/promotions", {"name": "Again", "trigger": "code", "code": "spring",
                                                    "reward": {"type": "gift", "sku": "A"}}, format="json")  # fmt: skip
    assert response.status_code == 400 and "code" in response.json()["fields"]


def test_a_redeemed_shared_code_stops_working_when_replaced_or_removed(marketer, storefront, catalog):
    promotion = create_promotion(marketer, trigger="code", code="OLDCODE")
    url = f"/api/v1/promotions/{promotion['id']}"

    def code_status(code):
        return evaluate(storefront, [rice()], codes=[code])["codes"][0]

    assert place(storefront, "ORD-1", [rice()], codes=["oldcode"]).status_code == 201
    assert marketer.patch(url, {"code": "NEWCODE"}, format="json").json()["code"] == "NEWCODE"
    assert code_status("oldcode")["reason"] == "not_found"
    assert code_status("newcode")["status"] == "applied"
    # The ledger still names the code the customer used.
    assert Redemption.objects.get(order__external_id="ORD-1").code.code == "OLDCODE"

    assert marketer.patch(url, {"code": ""}, format="json").json()["code"] == ""
    assert code_status("newcode")["reason"] == "not_found"  # never redeemed: simply gone
    assert not PromotionCode.objects.filter(code="NEWCODE").exists()
    validate = storefront.post("/api/v1/coupons/validate", {"code": "oldcode"}, format="json").json()
    assert (validate["valid"], validate["reason"]) == (False, "not_found")

    # Set again, the retired code comes back with its count.
    assert marketer.patch(url, {"code": "oldcode"}, format="json").status_code == 200
    assert code_status("OLDCODE")["status"] == "applied"
    assert PromotionCode.objects.get(code="OLDCODE").used == 1
    export = marketer.get(f"{url}/codes.csv")
    assert b"".join(export.streaming_content).decode().splitlines()[1:] == ["OLDCODE,,1"]


def test_generate_unique_codes_job_progress_and_csv(
    marketer, analyst, catalog, storefront, django_capture_on_commit_callbacks
):
    promotion = create_promotion(marketer, trigger="code", reward={"type": "fixed_amount", "value": "5"})
    with django_capture_on_commit_callbacks(execute=True):
        response = marketer.post(
            f"/api/v1/promotions/{promotion['id']}/codes", {"count": 250, "pattern": "win-####-####"}, format="json"
        )
    assert response.status_code == 202
    job = marketer.get(response.json()["url"]).json()
    assert (job["status"], job["generated"], job["progress"]) == ("done", 250, 1.0)
    codes = list(PromotionCode.objects.values_list("code", flat=True))
    assert len(set(codes)) == 250
    assert all(code.startswith("WIN-") and len(code) == 13 and code[8] == "-" for code in codes)
    assert not set("".join(code[4:8] + code[9:] for code in codes)) & set("01OI")  # the random part

    export = analyst.get(f"/api/v1/promotions/{promotion['id']}/codes.csv")
    assert export.status_code == 200 and export["Content-Type"] == "text/csv"
    rows = b"".join(export.streaming_content).decode().splitlines()
    assert rows[0] == "code,usage_limit,used" and len(rows) == 251

    single = codes[0].lower()
    order = {"external_id": "O-1", "currency": "BDT", "lines": [{"sku": "RICE", "quantity": 1, "unit_price": "100"}],
             "codes": [single]}  # fmt: skip
    assert storefront.post("/api/v1/orders", order, format="json").status_code == 201
    again = storefront.post("/api/v1/orders", {**order, "external_id": "O-2"}, format="json")
    assert again.status_code == 409 and again.json()["reason"] == "usage_limit_reached"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"count": 10, "pattern": "WIN-#######"}, "pattern"), ({"count": 0, "pattern": "########"}, "count"),
     ({"count": 10, "pattern": "BAD PATTERN ########"}, "pattern")],
)  # fmt: skip
def test_code_generation_input_is_checked(marketer, catalog, body, field):
    promotion = create_promotion(marketer, trigger="code")
    response = marketer.post(f"/api/v1/promotions/{promotion['id']}/codes", body, format="json")
    assert response.status_code == 400 and field in response.json()["fields"]
    assert not CodeGenerationJob.objects.exists()


def test_generation_tops_up_collisions_and_is_safe_to_rerun(marketer, catalog):
    promotion = Promotion.objects.get(pk=create_promotion(marketer, trigger="code")["id"])
    job = CodeGenerationJob.objects.create(promotion=promotion, pattern="########", count=120)
    code_generation_run(job_id=job.pk, batch_size=50)
    code_generation_run(job_id=job.pk, batch_size=50)
    assert PromotionCode.objects.filter(job=job).count() == 120


def test_lifecycle_advances_with_the_clock(marketer, catalog, storefront):
    now = timezone.now()
    promotion = create_promotion(marketer, starts_at=(now + timedelta(minutes=1)).isoformat(),
                                 ends_at=(now + timedelta(minutes=2)).isoformat())  # fmt: skip
    assert promotion["status"] == "scheduled"
    assert promotions_lifecycle_advance(now=now + timedelta(seconds=61)) == 1
    assert Promotion.objects.get().status == "active"
    assert promotions_lifecycle_advance(now=now + timedelta(seconds=61)) == 0
    assert promotions_lifecycle_advance(now=now + timedelta(minutes=3)) == 1
    assert Promotion.objects.get().status == "expired"


def test_lifecycle_task_is_a_periodic_task():
    from config.periodic_tasks import periodic_tasks

    spec = next(spec for spec in periodic_tasks() if spec.task == "promotions.advance_lifecycle")
    assert spec.crontab == "* * * * *"
