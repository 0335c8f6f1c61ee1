"""Codes a spreadsheet cannot read as formulas: shared codes are plain, and codes.csv neutralises older ones."""

import pytest

from promotions.models import Promotion, PromotionCode
from tests.promotions.conftest import create_promotion

pytestmark = pytest.mark.django_db


def test_shared_codes_take_letters_digits_dash_and_underscore_only(marketer, catalog):
    response = marketer.post(
        "/api/v1/promotions",
        {"name": "Bad", "trigger": "code", "code": "=1+1", "reward": {"type": "percentage", "value": "5"}},
        format="json",
    )
    assert response.status_code == 400 and response.json()["fields"] == {
        "code": ["Use letters, digits, '-' and '_' only."]
    }
    assert create_promotion(marketer, trigger="code", code="eid-2026_bd")["code"] == "EID-2026_BD"


def test_codes_csv_neutralises_a_code_stored_before_the_rule(marketer, catalog):
    promotion = create_promotion(marketer, trigger="code", code="SAFE-1")
    PromotionCode.objects.create(promotion_id=promotion["id"], code="=1+1")  # a code saved by an older version
    body = b"".join(marketer.get(f"/api/v1/promotions/{promotion['id']}/codes.csv").streaming_content).decode()
    assert "'=1+1" in body and "\r\n=1+1" not in body


def test_a_code_saved_before_the_rule_does_not_block_editing_its_promotion(marketer, catalog):
    promotion = create_promotion(marketer, name="Eid", trigger="code", code="EID2026")
    Promotion.objects.filter(pk=promotion["id"]).update(code="EID.2026")  # accepted by an older version
    PromotionCode.objects.filter(promotion_id=promotion["id"]).update(code="EID.2026")
    paused = marketer.patch(f"/api/v1/promotions/{promotion['id']}", {"status": "paused"}, format="json")
    assert paused.status_code == 200 and paused.json()["code"] == "EID.2026"
    renamed = marketer.patch(f"/api/v1/promotions/{promotion['id']}", {"code": "EID.2027"}, format="json")
    assert renamed.status_code == 400 and renamed.json()["fields"] == {
        "code": ["Use letters, digits, '-' and '_' only."]
    }
