"""Marketer, Analyst and Administrator: created by a migration, enforced the same way in the admin and the API."""

import importlib
import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from audiences.models import Segment
from audiences.services.customers import customer_upsert
from config.api.views import ManagementView
from config.roles import ADMINISTRATOR, ANALYST, MARKETER, MARKETING_APPS
from promotions.models import Promotion
from promotions.services.definitions import promotion_create
from tests.backoffice.conftest import signed_in, staff_in

pytestmark = pytest.mark.django_db

ROLES_MIGRATION = ("config", "0002_roles_marketer_analyst_administrator")


def codenames(role: str) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=role).permissions.all()}


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite alters no schema inside a transaction")
def test_the_migration_creates_the_three_roles_on_a_database_without_permissions():
    Group.objects.all().delete()
    Permission.objects.all().delete()  # as on a fresh database: permissions come after migrate, roles before
    state = MigrationLoader(connection).project_state(ROLES_MIGRATION)
    migration = importlib.import_module(f"config.migrations.{ROLES_MIGRATION[1]}")
    with connection.schema_editor() as schema_editor:
        migration.install_roles(state.apps, schema_editor)

    marketer, analyst, administrator = codenames(MARKETER), codenames(ANALYST), codenames(ADMINISTRATOR)
    assert {"promotions.change_promotion", "audiences.add_segment", "messaging.change_template"} <= marketer
    assert analyst and all(".view_" in name for name in analyst)
    assert {"promotions.view_promotion", "audiences.view_customer", "messaging.view_message"} <= analyst
    assert {name.split(".")[0] for name in marketer} <= set(MARKETING_APPS)
    assert {"django_celery_beat.change_periodictask", "auth.add_user", "authtoken.view_tokenproxy"} <= administrator
    assert marketer < administrator


@pytest.mark.parametrize(
    "record",
    ["messaging.delete_message", "promotions.delete_redemption", "audiences.delete_customerscore",
     "audiences.delete_consentrecord", "promotions.delete_codegenerationjob", "messaging.delete_trackingevent"],
)  # fmt: skip
def test_no_role_may_delete_a_record(record):
    for role in (MARKETER, ANALYST, ADMINISTRATOR):
        assert record not in codenames(role)
    assert "promotions.delete_promotion" in codenames(MARKETER)  # other things may still be deleted


def registered_marketing_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in MARKETING_APPS
    ]


def test_in_the_admin_an_analyst_sees_every_marketing_screen_and_may_change_nothing():
    request = RequestFactory().get("/admin/")
    request.user = staff_in(ANALYST, "ana")
    for model, model_admin in registered_marketing_admins():
        label = model._meta.label
        assert model_admin.has_view_permission(request), label
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label
        assert not model_admin.get_actions(request), label  # no bulk action: not even a refresh or a send


def test_an_analyst_opens_every_marketing_list_and_record_without_an_error():
    """Read-only forms have no editable fields: a form that sets up its widgets must not assume them."""
    Segment.objects.create(code="dhaka", name="Dhaka", rules={"all": [{"field": "city", "op": "eq", "value": "Dhaka"}]})
    customer_upsert(external_id="C-1", email="c1@example.com")
    promotion_create(name="Ten off", status="active", trigger="auto", reward={"type": "percentage", "value": "10"})
    analyst = signed_in(staff_in(ANALYST, "ana"))
    opened = 0
    for model, _model_admin in registered_marketing_admins():
        route = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert analyst.get(reverse(f"{route}_changelist")).status_code == 200, model._meta.label
        record = model._default_manager.order_by("pk").first()
        if record is not None:
            assert analyst.get(reverse(f"{route}_change", args=[record.pk])).status_code == 200, model._meta.label
            opened += 1
    assert opened >= 4  # the segment, customer and promotion above, and what migrations install (templates...)


def test_in_the_admin_a_marketer_may_view_every_marketing_screen():
    request = RequestFactory().get("/admin/")
    request.user = staff_in(MARKETER, "mia")
    for model, model_admin in registered_marketing_admins():
        assert model_admin.has_view_permission(request), model._meta.label


def _management_routes(resolver=None, prefix=""):
    """(url with sample arguments, view class) of every management endpoint."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _management_routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class and issubclass(view_class, ManagementView):
                url = re.sub(r"<int:\w+>", "1", re.sub(r"<(?:str|slug):\w+>", "x", route))
                yield "/" + url.lstrip("^").rstrip("$"), view_class


def _writes(view_class):
    """The methods of a view that change something (a POST that only reads is declared as a GET)."""
    mapped = getattr(view_class, "permission_methods", {})
    for method in ("post", "put", "patch", "delete"):
        if hasattr(view_class, method) and mapped.get(method.upper(), method.upper()) != "GET":
            yield method


def test_in_the_api_an_analyst_reads_every_management_endpoint_and_writes_none(analyst):
    routes = list(_management_routes())
    writes = [(url, method) for url, view_class in routes for method in _writes(view_class)]
    assert {
        ("/api/v1/promotions", "post"),
        ("/api/v1/templates/x", "patch"),
        ("/api/v1/segments/x/refresh", "post"),
    } <= set(writes)
    for url, method in writes:
        response = getattr(analyst, method)(url, {}, format="json")
        assert response.status_code == 403, (method, url, response.status_code)
        assert response.json()["code"] == "permission_denied"
    readable = [url for url, view_class in routes if hasattr(view_class, "get") and "<" not in url]
    for url in readable:
        assert analyst.get(url).status_code in (200, 404), url  # 404: the sample id names nothing


def test_the_admin_and_the_api_agree_for_each_role():
    promotion = promotion_create(name="Eid", reward={"type": "percentage", "value": "10"})
    for role, may_write in ((MARKETER, True), (ANALYST, False)):
        user = staff_in(role, f"{role.lower()}-both")
        api = APIClient()
        api.force_authenticate(user)
        admin_page = signed_in(user).get(f"/admin/promotions/promotion/{promotion.pk}/change/")
        api_patch = api.patch(f"/api/v1/promotions/{promotion.pk}", {"name": "Eid 2"}, format="json")
        assert admin_page.status_code == 200
        assert ('name="_save"' in admin_page.text) is may_write, role
        assert (api_patch.status_code == 200) is may_write, (role, api_patch.status_code)
        assert api.get(f"/api/v1/promotions/{promotion.pk}").status_code == 200


def test_an_analyst_cannot_import_but_may_export(analyst_admin):
    assert analyst_admin.get("/admin/audiences/customer/import/").status_code == 403
    assert analyst_admin.get("/admin/audiences/customer/export/").status_code == 200
    customer_upsert(external_id="C-1")
    refused = analyst_admin.post(
        "/admin/promotions/promotion/add/", {"name": "Sneaky", "reward": '{"type": "percentage", "value": "5"}'}
    )
    assert refused.status_code == 403
    assert not Promotion.objects.exists()


def test_a_marketer_may_import(marketer_admin):
    assert marketer_admin.get("/admin/audiences/customer/import/").status_code == 200
