"""The admin's customer page: every section a marketer asks about, from the apps that know it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from audiences import customer_page
from audiences.models import CustomerScore
from audiences.profile import register_profile_provider
from audiences.segments import services as segments
from audiences.services.catalog import store_upsert
from audiences.services.consent import consent_record
from audiences.services.customers import customer_upsert
from audiences.services.orders import OrderLineInput, order_create
from messaging.models import Message
from messaging.services.templates import template_create
from promotions.offers import customer_offers
from promotions.services.definitions import promotion_create

pytestmark = pytest.mark.django_db

PERCENT = {"type": "percentage", "value": "10"}


@pytest.fixture
def rahim(db):
    store = store_upsert(code="DHK-01", name="Gulshan", timezone="Asia/Dhaka", currency="BDT")[0]
    customer, _ = customer_upsert(
        external_id="C-77", first_name="Rahim", email="rahim@example.com", city="Dhaka", store="DHK-01"
    )
    day = timezone.now() - timedelta(days=3)
    consent_record(customer=customer, channel="email", status="opted_in", source="signup", recorded_at=day)
    consent_record(customer=customer, channel="email", status="opted_out", source="unsubscribe link")
    order_create(
        external_id="O-1",
        currency="BDT",
        placed_at=day,
        customer=customer,
        store=store,
        lines=[OrderLineInput(sku="RICE", quantity=2, unit_price=Decimal("100"))],
    )
    dhaka = segments.segment_create(
        code="dhaka", name="Dhaka shoppers", rules={"all": [{"field": "city", "op": "eq", "value": "Dhaka"}]}
    )
    segments.segment_refresh(segment=dhaka)
    CustomerScore.objects.create(
        customer=customer, rfm_r=4, rfm_f=2, rfm_m=3, rfm_segment="potential_loyalist", computed_at=timezone.now()
    )
    template = template_create(
        code="hello",
        name="Hello there",
        channel="sms",
        kind="marketing",
        translations=[{"language": "en", "body": "Hi"}],
    )
    Message.objects.create(
        idempotency_key="k1", customer=customer, template=template, channel="sms", kind="marketing",
        topic="marketing", status="skipped", reason="no_consent", scheduled_for=timezone.now(),
    )  # fmt: skip
    customer.refresh_from_db()
    return customer


def section(page, key) -> str:
    return page.text.split(f'id="section-{key}"')[1].split("</section>")[0]


def test_the_customer_page_shows_every_section(marketer_admin, rahim):
    segments.segment_create(
        code="sylhet", name="Sylhet", rules={"all": [{"field": "city", "op": "eq", "value": "Sylhet"}]}
    )
    promotion_create(name="Dhaka weekend", status="active", reward=PERCENT, eligibility={"segments": ["dhaka"]})
    promotion_create(name="Sylhet only", status="active", reward=PERCENT, eligibility={"segments": ["sylhet"]})
    promotion_create(name="Still a draft", reward=PERCENT)

    page = marketer_admin.get(f"/admin/audiences/customer/{rahim.pk}/change/")
    assert page.status_code == 200
    assert "<dt>Customer id</dt><dd>C-77</dd>" in section(page, "profile")
    assert "<dt>Home store</dt><dd>Gulshan</dd>" in section(page, "profile")

    consents = section(page, "consents")
    assert "Opted out" in consents.split("History")[0]  # the one in force
    assert "signup" in consents and "unsubscribe link" in consents  # and how it came to be

    assert "Dhaka shoppers" in section(page, "segments")
    scores = section(page, "scores")
    assert "Potential loyalist" in scores and "potential_loyalist" not in scores
    assert '?rfm_r=4&amp;rfm_f=2">R4 F2 M3</a>' in scores
    assert "O-1" in section(page, "orders") and "BDT 200.00" in section(page, "orders")
    assert "<dt>Total spent</dt><dd>BDT 200.00</dd>" in section(page, "profile")
    messages = section(page, "messages")
    assert "Hello there" in messages and "Skipped" in messages and "no_consent" in messages

    qualifying = section(page, "promotions")
    assert "Dhaka weekend" in qualifying
    assert "Sylhet only" not in qualifying and "Still a draft" not in qualifying


def test_qualification_follows_pricing_limits_and_dates(rahim):
    once = promotion_create(name="Once each", status="active", reward=PERCENT, usage_limit_per_customer=1)
    later = promotion_create(
        name="Next week", status="active", reward=PERCENT, starts_at=timezone.now() + timedelta(days=7)
    )
    open_to_all = promotion_create(name="Everyone", status="active", reward=PERCENT, stores=["DHK-01"])
    names = {offer.rule.name for offer in customer_offers(customer=rahim).offers}
    assert names == {once.name, open_to_all.name}
    soon = {offer.rule.name for offer in customer_offers(customer=rahim, now=timezone.now() + timedelta(days=8)).offers}
    assert later.name in soon


def test_an_analyst_sees_the_page_read_only(analyst_admin, rahim):
    page = analyst_admin.get(f"/admin/audiences/customer/{rahim.pk}/change/")
    assert page.status_code == 200
    assert 'id="section-scores"' in page.text and 'name="_save"' not in page.text


def test_a_section_needs_the_permission_to_see_what_it_shows(client, django_user_model, rahim):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(username="cs", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_customer"))
    client.force_login(user)
    page = client.get(f"/admin/audiences/customer/{rahim.pk}/change/")
    assert 'id="section-profile"' in page.text
    for hidden in ("messages", "orders", "promotions", "consents"):
        assert f'id="section-{hidden}"' not in page.text


def test_data_a_later_app_gives_the_profile_shows_before_it_has_a_section(marketer_admin, rahim, monkeypatch):
    from audiences import profile

    monkeypatch.setattr(profile, "_sections", dict(profile._sections))
    register_profile_provider("wallet", lambda customer: {"tier": "Gold", "points": 1200}, schema=None, example=None)
    page = marketer_admin.get(f"/admin/audiences/customer/{rahim.pk}/change/")
    assert "<dt>tier</dt><dd>Gold</dd><dt>points</dt><dd>1200</dd>" in section(page, "wallet")


def test_a_registered_section_takes_its_place(marketer_admin, rahim, monkeypatch):
    monkeypatch.setattr(customer_page, "_sections", dict(customer_page._sections))
    customer_page.register_customer_section(
        customer_page.CustomerSection(
            "loyalty", "Points and tier", customer_page.EXTENSION_TEMPLATE, lambda c: {"value": {"tier": "Gold"}}, 45
        )
    )
    page = marketer_admin.get(f"/admin/audiences/customer/{rahim.pk}/change/")
    titles = [part.split("</h2>")[0] for part in page.text.split('<section class="customer-section"')[1:]]
    assert [title.split("<h2>")[1] for title in titles][3:5] == ["Scores and RFM", "Points and tier"]
