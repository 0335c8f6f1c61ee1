"""The admin's navigation is grouped by what marketers do; Settings is for administrators only."""

import re

import pytest

from config import admin_navigation

pytestmark = pytest.mark.django_db


def sections(page) -> list[str]:
    return re.findall(r'<a href="/admin/section/[a-z]+/" class="section"[^>]*>([^<]+)</a>', page.text)


def models_in(page, section: str) -> list[str]:
    block = page.text.split(f'<div class="app-{section} module')[1].split("</table>")[0]
    return re.findall(r'<th scope="row"[^>]*>\s*<a href="[^"]+"[^>]*>([^<]+)</a>', block)


def test_a_marketer_sees_the_marketing_sections_in_the_order_of_the_work_and_no_settings(marketer_admin):
    index = marketer_admin.get("/admin/")
    assert sections(index) == ["Campaigns", "Journeys", "Promotions", "Audiences", "Messages", "Loyalty"]
    assert models_in(index, "promotions") == ["Promotions", "Promotion codes", "Code generation jobs", "Redemptions"]
    assert models_in(index, "audiences")[:3] == ["Customers", "Segments", "Customer scores"]
    assert "Periodic tasks" not in index.text and "Heartbeats" not in index.text
    assert marketer_admin.get("/admin/django_celery_beat/periodictask/").status_code == 403
    assert marketer_admin.get("/admin/section/settings/").status_code == 404


def test_an_administrator_finds_the_infrastructure_under_settings(administrator_admin):
    index = administrator_admin.get("/admin/")
    assert sections(index) == ["Campaigns", "Journeys", "Promotions", "Audiences", "Messages", "Loyalty", "Settings"]
    infrastructure = models_in(index, "settings")
    for name in ("Periodic tasks", "Tokens", "Heartbeats", "API keys", "Access attempts", "Users", "Groups"):
        assert name in infrastructure
    assert administrator_admin.get("/admin/django_celery_beat/periodictask/").status_code == 200


def test_a_section_has_its_own_page_and_a_model_breadcrumb_leads_to_its_section(marketer_admin):
    page = marketer_admin.get("/admin/section/promotions/")
    assert page.status_code == 200 and "Promotions administration" in page.text
    assert models_in(page, "promotions")[0] == "Promotions"
    app_page = marketer_admin.get("/admin/messaging/")
    assert sections(app_page) == ["Messages"]


def test_an_analyst_sees_the_same_sections_without_add_links(analyst_admin):
    index = analyst_admin.get("/admin/")
    assert sections(index) == ["Campaigns", "Journeys", "Promotions", "Audiences", "Messages", "Loyalty"]
    assert 'class="addlink"' not in index.text


def test_apps_that_come_later_land_in_their_sections(monkeypatch):
    monkeypatch.setattr(admin_navigation, "_placements", dict(admin_navigation._placements))
    assert admin_navigation.section_of("campaigns.campaign") == "campaigns"
    assert admin_navigation.section_of("loyalty.program") == "loyalty"
    assert admin_navigation.section_of("some_plugin.widget") == "settings"
    admin_navigation.place_in_section("journeys", "campaigns.journey")
    assert admin_navigation.section_of("campaigns.journey") == "journeys"
    with pytest.raises(ValueError, match="Unknown admin section 'journey'"):
        admin_navigation.place_in_section("journey", "campaigns.step")
