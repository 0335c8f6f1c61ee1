"""The export page's "Select all" works under our Content-Security-Policy (issue #19): django-import-export's
inline handler is refused there, so backoffice/export_select_all.js provides it."""

import pytest
from django.contrib.auth import get_user_model

from tests.browser.test_back_office import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_select_all_unticks_and_ticks_every_field_with_nothing_refused(page):
    refused = []
    page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
    get_user_model().objects.create_superuser(username="mira", email="mira@example.com", password=PASSWORD)
    sign_in(page, "mira")
    page.goto("/admin/audiences/customer/export/")
    fields = page.locator(".selectable-field-export-row:visible input[type=checkbox]:not(.select-toggle)")
    assert fields.count() > 10

    page.locator("input.select-toggle:visible").uncheck()
    assert [box.is_checked() for box in fields.all()] == [False] * fields.count()
    page.locator("input.select-toggle:visible").check()
    assert [box.is_checked() for box in fields.all()] == [True] * fields.count()
    assert refused == []
