"""The management API of campaigns: create, read, list, patch, the actions and results, in the one error shape."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from audiences.models import Store
from campaigns.launch import campaign_launch_run
from campaigns.models import Campaign
from tests.campaigns.conftest import people, segment_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(sms_template, code_promotion):
    Store.objects.create(code="DHK-01", name="Dhaka", timezone="Asia/Dhaka", currency="BDT")
    segment_of("lapsed_dhaka", people(30))
    segment_of("complainers", [])
    return {"template": sms_template, "promotion": code_promotion}


def body(setup, **changes) -> dict:
    return {
        "name": "Win back Dhaka",
        "objective": "reactivation",
        "type": "broadcast",
        "audience": {"include": ["lapsed_dhaka"], "exclude": ["complainers"]},
        "channels": ["sms"],
        "promotion": setup["promotion"].pk,
        "budget": "20000.00",
        "holdout_percent": 10,
        "coupon_pattern": "WB-####-####",
        "variants": [
            {"name": "A", "template": "winback", "weight": 50, "promotion": setup["promotion"].pk},
            {"name": "B", "template": "winback", "weight": 50, "promotion": setup["promotion"].pk},
        ],
        **changes,
    }


def test_create_read_list_and_patch(marketer, setup):
    created = marketer.post("/api/v1/campaigns", body(setup), format="json")
    assert created.status_code == 201, created.json()
    campaign = created.json()
    assert campaign["status"] == "draft"
    assert campaign["audience"] == {
        "include": ["lapsed_dhaka"],
        "exclude": ["complainers"],
        "consent_topic": "marketing",
    }
    assert campaign["budget"] == "20000.00" and campaign["promotions"] == [setup["promotion"].pk]
    assert [v["name"] for v in campaign["variants"]] == ["A", "B"]
    assert "launch" in campaign["allowed_actions"]

    assert marketer.get(f"/api/v1/campaigns/{campaign['id']}").json()["name"] == "Win back Dhaka"
    listed = marketer.get("/api/v1/campaigns?status=draft").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == campaign["id"]
    assert marketer.get("/api/v1/campaigns?status=running").json()["count"] == 0

    patched = marketer.patch(f"/api/v1/campaigns/{campaign['id']}", {"holdout_percent": "0"}, format="json")
    assert patched.status_code == 200 and patched.json()["holdout_percent"] == "0.00"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"audience": {"include": ["nobody_knows"]}}, "audience", "nobody_knows"),
        ({"variants": [{"name": "A", "template": "missing"}]}, "variants", "missing"),
        ({"holdout_percent": 100}, "holdout_percent", "99.99"),
        ({"budget": "12.345"}, "budget", "minor unit"),
        ({"coupon_pattern": "WB-#"}, "coupon_pattern", "bits"),
        ({"starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"}, "ends_at", "after"),
        ({"variants": [{"name": "A", "weight": 0, "template": "winback"}]}, "variants", "1"),
        ({"channels": ["email"]}, "variants", "channel"),
        ({"stores": ["NOWHERE"]}, "stores", "NOWHERE"),
        ({"attribution": {"click_window_hours": 721}}, "attribution", "720"),
        ({"attribution": {"receipt_channels": ["fax"]}}, "attribution", "fax"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(marketer, setup, changes, field, words):
    answer = marketer.post("/api/v1/campaigns", body(setup, **changes), format="json")
    assert answer.status_code == 400, answer.json()
    error = answer.json()
    assert error["code"] == "invalid" and field in error["fields"]
    assert words in str(error["fields"][field])
    assert not Campaign.objects.exists()


def test_unknown_filter_value_is_a_400(marketer, setup):
    answer = marketer.get("/api/v1/campaigns?status=flying")
    assert answer.status_code == 400 and "status" in answer.json()["fields"]


def test_launch_pause_resume_archive_and_results(marketer, setup):
    campaign_id = marketer.post("/api/v1/campaigns", body(setup, ends_at="2099-01-01T00:00:00Z"), format="json").json()[
        "id"
    ]
    launched = marketer.post(f"/api/v1/campaigns/{campaign_id}/launch")
    assert launched.status_code == 200 and launched.json()["status"] == "running"
    campaign_launch_run(campaign_id=campaign_id)

    again = marketer.post(f"/api/v1/campaigns/{campaign_id}/launch")
    assert again.status_code == 409
    assert again.json()["code"] == "transition_not_allowed" and again.json()["status"] == "running"
    archive = marketer.post(f"/api/v1/campaigns/{campaign_id}/archive")
    assert archive.status_code == 409 and "running" in archive.json()["message"]

    assert marketer.post(f"/api/v1/campaigns/{campaign_id}/pause").json()["status"] == "paused"
    assert marketer.post(f"/api/v1/campaigns/{campaign_id}/resume").json()["status"] == "running"
    retarget = marketer.patch(f"/api/v1/campaigns/{campaign_id}", {"audience": {"include": []}}, format="json")
    assert retarget.status_code == 409 and retarget.json()["code"] == "not_editable"

    results = marketer.get(f"/api/v1/campaigns/{campaign_id}/results").json()
    assert results["audience_size"] == 30
    assert sum(v["recipients"] for v in results["variants"]) + results["holdout_size"] == 30
    assert results["sending_cost"] == str(Campaign.objects.get(pk=campaign_id).sending_cost.quantize(Decimal("0.01")))
    assert results["currency"] == "BDT"


def test_unknown_campaign_is_a_404_in_the_error_shape(marketer, setup):
    for answer in (marketer.get("/api/v1/campaigns/999"), marketer.post("/api/v1/campaigns/999/launch")):
        assert answer.status_code == 404 and answer.json() == {"code": "not_found", "message": "Unknown campaign 999."}


def test_an_analyst_reads_but_cannot_launch(analyst, marketer, setup):
    campaign_id = marketer.post("/api/v1/campaigns", body(setup), format="json").json()["id"]
    assert analyst.get(f"/api/v1/campaigns/{campaign_id}").status_code == 200
    assert analyst.post(f"/api/v1/campaigns/{campaign_id}/launch").status_code == 403
    assert analyst.post("/api/v1/campaigns", body(setup), format="json").status_code == 403


def test_approval_through_the_api(marketer, setup):
    campaign_id = marketer.post("/api/v1/campaigns", body(setup, requires_approval=True), format="json").json()["id"]
    refused = marketer.post(f"/api/v1/campaigns/{campaign_id}/launch")
    assert refused.status_code == 409 and refused.json()["code"] == "approval_required"
    assert marketer.post(f"/api/v1/campaigns/{campaign_id}/approve").status_code == 403  # marketers cannot approve
    marketer.user.user_permissions.add(Permission.objects.get(codename="approve_campaign"))
    approved = marketer.post(f"/api/v1/campaigns/{campaign_id}/approve")
    assert approved.status_code == 200 and approved.json()["approved_by"] == "marketer"
    assert marketer.post(f"/api/v1/campaigns/{campaign_id}/launch").json()["status"] == "running"


def test_attribution_windows_default_are_set_per_campaign_and_freeze_at_the_start(marketer, setup):
    default = marketer.post("/api/v1/campaigns", body(setup), format="json").json()
    assert default["attribution"] == {
        "click_window_hours": 120, "receipt_window_hours": 24, "receipt_channels": ["sms", "whatsapp", "in_app"],
    }  # fmt: skip

    custom = {"click_window_hours": 48, "receipt_window_hours": 6, "receipt_channels": ["email", "sms"]}
    created = marketer.post("/api/v1/campaigns", body(setup, attribution=custom), format="json").json()
    assert marketer.get(f"/api/v1/campaigns/{created['id']}").json()["attribution"] == custom
    patched = marketer.patch(
        f"/api/v1/campaigns/{created['id']}", {"attribution": {"receipt_channels": []}}, format="json"
    ).json()
    assert patched["attribution"] == {**custom, "receipt_channels": []}

    marketer.post(f"/api/v1/campaigns/{created['id']}/launch")
    late = marketer.patch(
        f"/api/v1/campaigns/{created['id']}", {"attribution": {"click_window_hours": 72}}, format="json"
    )
    assert late.status_code == 409 and late.json()["code"] == "not_editable"


def test_a_staged_test_through_the_api(marketer, setup):
    plain = marketer.post("/api/v1/campaigns", body(setup), format="json").json()
    assert plain["test_percent"] is None and plain["staged_test"] is None  # old clients see nothing new to do

    refused = marketer.post("/api/v1/campaigns", body(setup, holdout_percent=10, test_percent=95), format="json")
    assert refused.status_code == 400 and "test_percent" in str(refused.json())
    refused = marketer.post("/api/v1/campaigns", body(setup, test_percent=20, test_metric="open"), format="json")
    assert refused.status_code == 400 and "test_metric" in str(refused.json())

    staged = body(setup, test_percent="20.00", test_wait_hours=6, test_metric="conversion", test_fallback="nothing")
    created = marketer.post("/api/v1/campaigns", staged, format="json")
    assert created.status_code == 201, created.json()
    campaign = created.json()
    assert (campaign["test_percent"], campaign["test_wait_hours"]) == ("20.00", 6)
    assert (campaign["test_metric"], campaign["test_fallback"]) == ("conversion", "nothing")
    assert campaign["staged_test"]["state"] == "testing"

    assert marketer.post(f"/api/v1/campaigns/{campaign['id']}/launch").status_code == 200
    campaign_launch_run(campaign_id=campaign["id"])
    read = marketer.get(f"/api/v1/campaigns/{campaign['id']}").json()
    stage = read["staged_test"]
    assert stage["state"] == "waiting" and stage["decide_at"] and stage["winner"] is None
    assert (
        stage["remainder_waiting"]
        == Campaign.objects.get(pk=campaign["id"]).assignments.filter(status="remainder").count()
        > 0
    )
    results = marketer.get(f"/api/v1/campaigns/{campaign['id']}/results").json()
    assert results["staged_test"]["state"] == "waiting"
