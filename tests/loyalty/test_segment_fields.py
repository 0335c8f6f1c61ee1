"""`loyalty_tier` and `loyalty_points` in segment rules: marketers target gold members or members with points."""

import pytest

from audiences.models import Customer
from loyalty.models import Member, Tier
from loyalty.services.adjustments import points_adjust
from tests.loyalty.conftest import T0, earn, new_member

pytestmark = pytest.mark.django_db


def _preview(client, field, op, value):
    rules = {"all": [{"field": field, "op": op, "value": value}]}
    answer = client.post("/api/v1/segments/preview", {"rules": rules}, format="json")
    assert answer.status_code == 200, answer.json()
    return sorted(answer.json()["sample"])


def test_segments_find_members_by_tier_and_by_spendable_points(marketer, program):
    gold, silver, plain = (new_member(program, external_id) for external_id in ("C-G", "C-S", "C-P"))
    earn(gold, 6_000, external_id="O-1", placed_at=T0)  # reaches gold
    earn(silver, 1_200, external_id="O-2", placed_at=T0)
    earn(plain, 40, external_id="O-3", placed_at=T0)
    points_adjust(member=plain, points=-40, reason="test")
    Customer.objects.create(external_id="C-NOT-A-MEMBER")
    assert Member.objects.get(pk=gold.pk).tier == Tier.objects.get(name="gold")

    assert _preview(marketer, "loyalty_tier", "eq", "gold") == ["C-G"]
    assert _preview(marketer, "loyalty_tier", "in", ["gold", "silver"]) == ["C-G", "C-S"]
    assert _preview(marketer, "loyalty_tier", "ne", "gold") == ["C-NOT-A-MEMBER", "C-P", "C-S"]
    assert _preview(marketer, "loyalty_tier", "exists", False) == ["C-NOT-A-MEMBER", "C-P"]
    assert _preview(marketer, "loyalty_points", "gte", 1_200) == ["C-G", "C-S"]
    assert _preview(marketer, "loyalty_points", "between", [1, 2_000]) == ["C-S"]
    assert _preview(marketer, "loyalty_points", "lt", 100) == ["C-P"]  # members only
    assert _preview(marketer, "loyalty_points", "exists", False) == ["C-NOT-A-MEMBER"]
    refused = marketer.post(
        "/api/v1/segments/preview",
        {"rules": {"all": [{"field": "loyalty_points", "op": "gt", "value": "lots"}]}},
        format="json",
    )
    assert refused.status_code == 400
