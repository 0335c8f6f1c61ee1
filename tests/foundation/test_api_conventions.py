import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("header", [None, "Api-Key wrong.key", "Token abc", "Api-Key "])
def test_storefront_calls_need_a_valid_key(header, storefront):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.put("/api/v1/stores/X", {"name": "X", "timezone": "UTC", "currency": "USD"}, format="json")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"code", "message"}


def test_malformed_json_is_a_400_not_a_500(storefront):
    response = storefront.generic("PUT", "/api/v1/stores/X", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_unknown_api_path_is_json_404(storefront):
    response = storefront.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_create_api_key_prints_a_working_key_last(capsys):
    from django.core.management import call_command

    call_command("create_api_key", "pos")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get("/api/v1/stores/NONE").status_code == 404  # authenticated, store unknown


def test_openapi_schema_and_offline_docs(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ["/api/v1/customers/{external_id}", "/api/v1/events/batch", "/api/v1/products/{sku}"]:
        assert path in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist" in docs.content


def test_the_schema_documents_pages_errors_and_keys_as_the_api_answers(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    listed = paths["/api/v1/promotions"]["get"]
    page = listed["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert {"count", "next", "previous", "results"} <= set(schema["components"]["schemas"][page]["properties"])
    assert {"page", "status", "trigger", "reward_type"} <= {parameter["name"] for parameter in listed["parameters"]}

    evaluate = paths["/api/v1/carts/evaluate"]["post"]
    assert evaluate["security"] == [{"ApiKeyAuth": []}]
    assert evaluate["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert "404" in paths["/api/v1/promotions/{promotion_id}"]["get"]["responses"]
    validate = paths["/api/v1/coupons/validate"]["post"]
    assert "examples" not in validate["responses"]["200"]["content"]["application/json"]  # the request is no answer
    for operations in paths.values():
        for operation in operations.values():
            assert "Subclasses" not in operation.get("description", "")  # base classes' notes stay in the code


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] == "ok"


def test_roles_exist_with_model_permissions():
    from django.contrib.auth.models import Group

    analyst = Group.objects.get(name="Analyst")
    marketer = Group.objects.get(name="Marketer")
    assert analyst.permissions.filter(codename="view_customer").exists()
    assert not analyst.permissions.filter(codename="change_customer").exists()
    assert marketer.permissions.filter(codename="change_customer").exists()


def test_periodic_tasks_installed_idempotently():
    from django_celery_beat.models import PeriodicTask

    from config.setup import periodic_tasks_install

    periodic_tasks_install()
    periodic_tasks_install()
    assert PeriodicTask.objects.filter(name="system.heartbeat").count() == 1


def test_every_operation_of_the_schema_has_an_example(client):
    """The contract promises a schema "with examples": each operation shows a request or an answer."""
    paths = client.get("/api/schema/?format=json").json()["paths"]

    def has_examples(part: dict) -> bool:
        return any(media.get("examples") or "example" in media for media in part.get("content", {}).values())

    missing = [
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        for method, operation in operations.items()
        if not has_examples(operation.get("requestBody", {}))
        and not any(has_examples(response) for response in operation["responses"].values())
    ]
    assert missing == []
