"""A campaign's stores reach their home customers, or (store_match "nearest") the customers nearest them."""

from decimal import Decimal

import pytest

from audiences.models import Store
from audiences.services.catalog import store_upsert
from audiences.services.customers import customer_upsert
from campaigns.models import Campaign
from campaigns.selectors import audience

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_dealers(db):
    # Dealer X and Dealer Y, 0.3 degrees (33.4 km) apart on a meridian: the midpoint is 0.15 degrees north of X.
    store_upsert(code="DLR-X", name="X", timezone="Asia/Dhaka", currency="BDT", coordinates=(23.75, 90.40))
    store_upsert(code="DLR-Y", name="Y", timezone="Asia/Dhaka", currency="BDT", coordinates=(24.05, 90.40))
    customer_upsert(external_id="near-x", store="DLR-Y", latitude=23.80, longitude=90.40)  # home Y, 5.6 km from X
    customer_upsert(external_id="near-y", store="DLR-X", latitude=24.00, longitude=90.40)  # home X, 5.6 km from Y
    customer_upsert(external_id="unplaced", store="DLR-X")


def reached(store_match: str) -> set[str]:
    campaign = Campaign.objects.create(name="Service", holdout_percent=Decimal(0), store_match=store_match)
    campaign.stores.set(Store.objects.filter(code="DLR-X"))
    return set(audience(campaign).values_list("external_id", flat=True))


def test_home_store_is_the_default_reading_of_a_campaigns_stores(two_dealers):
    assert reached("home") == {"near-y", "unplaced"}


def test_nearest_store_reaches_the_placed_customers_nearest_it(two_dealers):
    assert reached("nearest") == {"near-x"}


def test_the_api_takes_and_shows_store_match(marketer, two_dealers, sms_template):
    body = {"name": "Service reminders", "stores": ["DLR-X"], "store_match": "nearest",
            "variants": [{"name": "A", "template": "winback", "weight": 1}]}  # fmt: skip
    created = marketer.post("/api/v1/campaigns", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["store_match"] == "nearest"
    refused = marketer.post("/api/v1/campaigns", {**body, "store_match": "closest"}, format="json")
    assert refused.status_code == 400 and "store_match" in refused.json()["fields"]
