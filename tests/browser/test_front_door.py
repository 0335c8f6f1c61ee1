"""A newcomer's first clicks: the landing page, the API root and docs, and signing in to the admin."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_the_landing_page_to_the_admin_and_the_api_docs(page):
    get_user_model().objects.create_superuser(username="mira", email="mira@example.com", password="right-horse-9")
    page.goto("/")
    assert page.locator("h1").inner_text() == "Promotions engine"

    page.click("text=API documentation")
    page.wait_for_selector(".swagger-ui .information-container", timeout=30_000)  # rendered offline
    assert "Promotions engine API" in page.locator(".swagger-ui .title").inner_text()

    page.goto("/")
    page.click("text=Campaign manager")
    page.fill("#id_username", "mira")
    page.fill("#id_password", "right-horse-9")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    assert page.url.endswith("/admin/")
    assert page.console_errors == []
