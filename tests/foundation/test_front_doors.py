"""`/` and `/api/v1/` answer: a newcomer finds the admin, the API's resources and its docs."""

import pytest

from config.api.root import API_PREFIX

pytestmark = pytest.mark.django_db


def test_the_api_root_lists_every_resource_of_the_schema_and_the_docs(client):
    response = client.get(API_PREFIX)

    assert response.status_code == 200
    root = response.json()
    for link in root["docs"].values():
        assert client.get(link).status_code == 200, link
    schema_paths = client.get("/api/schema/?format=json").json()["paths"]
    listed = {resource["path"]: resource for resource in root["resources"]}
    assert set(listed) == {path for path in schema_paths if path.startswith(API_PREFIX)} - {API_PREFIX}
    for path, resource in listed.items():
        assert set(resource["methods"]) == {method.upper() for method in schema_paths[path]}, path
    assert listed["/api/v1/orders/{external_id}"] == {
        "path": "/api/v1/orders/{external_id}", "methods": ["GET"], "auth": "api_key",
    }  # fmt: skip
    assert listed["/api/v1/promotions"]["auth"] == "token"
    assert "Api-Key" in root["auth"]["api_key"] and "Token" in root["auth"]["token"]


def test_the_schema_documents_the_api_root_as_open(client):
    root = client.get("/api/schema/?format=json").json()["paths"][API_PREFIX]["get"]

    assert root.get("security", []) == []
    assert set(root["responses"]) == {"200", "400", "414"}  # no 401 or 403; a NUL in the URL, gunicorn's 414


def test_the_api_root_without_its_slash_leads_to_it(client):
    response = client.get("/api/v1")

    assert response.status_code == 301 and response["Location"] == API_PREFIX


def test_the_landing_page_links_the_admin_the_api_and_its_docs(client):
    response = client.get("/")

    assert response.status_code == 200
    page = response.content.decode()
    for link in ['href="/admin/"', 'href="/api/v1/"', 'href="/api/docs/"', 'href="/healthz"']:
        assert link in page


def test_the_admins_view_site_link_lands_on_the_landing_page(admin_client):
    assert 'href="/">View site</a>' in admin_client.get("/admin/").content.decode()
    assert admin_client.get("/").status_code == 200
