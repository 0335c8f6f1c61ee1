"""What the segment rule builder offers comes from the segment field registry."""

import pytest
from django.db.models import Q

from audiences.segments import fields
from audiences.segments.builder import builder_catalog
from audiences.segments.services import segment_create

pytestmark = pytest.mark.django_db


def test_the_builder_offers_every_registered_field_with_its_operators_and_labelled_choices():
    catalog = builder_catalog()
    offered = {field["name"]: field for field in catalog["fields"]}
    assert set(offered) == {field.name for field in fields.segment_fields()}
    assert offered["orders_count"]["ops"][:2] == ["eq", "ne"] and offered["orders_count"]["kind"] == "integer"
    assert ["potential_loyalist", "Potential loyalist"] in offered["rfm_segment"]["choices"]
    assert offered["total_spent"]["kind"] == "money"
    assert offered["avg_order_value"]["label"] == "Average order value"
    assert offered["rfm_f"]["label"] == "RFM frequency" and offered["consent.email"]["label"] == "Email consent"
    assert offered["p_alive"]["label"] == "Probability still buying"
    assert offered["predicted_clv_12m"]["label"] == "Predicted 12-month value"
    labels = [field["label"] for field in catalog["fields"]]
    assert labels == sorted(labels, key=str.casefold)


def test_a_field_an_app_registers_appears_and_the_segment_itself_is_not_offered_to_nest(monkeypatch):
    monkeypatch.setattr(fields, "_registry", dict(fields._registry))
    fields.register_segment_field(
        fields.SegmentField(name="loyalty_points", kind="integer", ops=("gte",), compile=lambda *_: Q())
    )
    segment_create(code="vip", name="VIP", rules={"all": [{"field": "orders_count", "op": "gte", "value": 5}]})
    segment_create(code="new", name="New", rules={"all": [{"field": "orders_count", "op": "eq", "value": 0}]})
    catalog = builder_catalog(exclude_segment="vip")
    assert {"name": "loyalty_points", "label": "Loyalty points", "kind": "integer", "ops": ["gte"], "choices": [],
            "within_days": False, "description": "", "options": [], "op_labels": {}} in catalog["fields"]  # fmt: skip
    assert ["new", "New"] in catalog["segments"] and ["vip", "VIP"] not in catalog["segments"]
