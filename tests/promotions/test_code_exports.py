"""Codes a spreadsheet cannot read as formulas: shared codes are plain, and codes.csv neutralises older ones."""

import pytest

from promotions.models import PromotionCode
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
