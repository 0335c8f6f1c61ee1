"""Every page works under the Content-Security-Policy: nothing it needs is refused, and the header is sent."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "/": "h1",
    "/admin/": "#site-name",
    "/admin/promotions/promotion/add/": "#promotion_form",
    "/admin/audiences/customer/import/": "#content",
    "/admin/audiences/customer/export/": "input.select-toggle",  # import-export's inline handler is cut
    "/admin/messaging/template/add/": "#template_form",
    "/admin/audiences/segment/add/": ".rule-builder-tree .rule-group",  # drawn by its script, under the policy
    "/admin/django_celery_beat/periodictask/add/": "#periodictask_form",
    "/api/docs/": ".swagger-ui .information-container",
    "/api/redoc/": "redoc h1, #redoc-container h1, .api-content h1",
}


def test_pages_render_with_nothing_refused_by_the_policy(page):
    refused = []
    page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
    get_user_model().objects.create_superuser(username="mira", email="mira@example.com", password="right-horse-9")
    page.goto("/admin/login/")
    page.fill("#id_username", "mira")
    page.fill("#id_password", "right-horse-9")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

    for path, rendered in PAGES.items():
        response = page.goto(path)
        policy = dict(
            directive.strip().split(" ", 1) for directive in response.headers["content-security-policy"].split(";")
        )
        assert policy["script-src"].startswith("'self'") and "unsafe" not in policy["script-src"], (path, policy)
        assert policy["object-src"] == "'none'", (path, policy)
        page.wait_for_selector(rendered, timeout=30_000)
    assert refused == []


def test_an_injected_inline_script_would_not_run(page, live_server):
    page.goto("/")
    ran = page.evaluate(
        """() => new Promise(resolve => {
            window.injected = false;
            const script = document.createElement('script');
            script.textContent = 'window.injected = true';
            document.body.appendChild(script);
            setTimeout(() => resolve(window.injected), 200);
        })"""
    )
    assert ran is False
