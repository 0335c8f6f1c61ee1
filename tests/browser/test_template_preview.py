"""The admin's HTML email preview, as a marketer sees it in the browser (issue #19)."""

import pytest
from django.contrib.auth import get_user_model

from audiences.models import Customer
from messaging.models import SenderAddress
from messaging.services.templates import template_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_html_preview_shows_the_email_inside_its_sandboxed_frame(page):
    get_user_model().objects.create_superuser(username="mira", email="mira@example.com", password="right-horse-9")
    SenderAddress.objects.create(store=None, postal_address="Shop Ltd, House 12, Road 7, Gulshan 1, Dhaka 1212")
    customer = Customer.objects.create(external_id="C-1", email="rahim@example.com", first_name="Rahim", language="en")
    template = template_create(
        code="eid",
        name="Eid offer",
        channel="email",
        kind="marketing",
        translations=[
            {
                "language": "en",
                "subject": "Eid offer",
                "html": '<p class="greeting">Hello {{ customer.first_name }} & family, "15%" off</p>',
            }
        ],
    )
    page.goto("/admin/login/")
    page.fill("#id_username", "mira")
    page.fill("#id_password", "right-horse-9")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

    page.goto(f"/admin/messaging/template/{template.pk}/preview/?customer={customer.external_id}")

    frame = page.locator("iframe[title='HTML preview']")
    assert frame.get_attribute("sandbox") == ""  # no scripts, no same-origin access to the admin
    inside = page.frame_locator("iframe[title='HTML preview']")
    assert inside.locator(".greeting").inner_text() == 'Hello Rahim & family, "15%" off'
    assert "Shop Ltd, House 12" in inside.locator("body").inner_text()  # the layout's footer too
