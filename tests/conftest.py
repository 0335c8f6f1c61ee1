"""Fixtures shared by every app's tests: API clients for the storefront and for marketers."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from config.api.permissions import verified_keys
from promotions.storefront_cache import process_copies_forget
from tests.support.cache import cache_clear, prefixed


@pytest.fixture(scope="session", autouse=True)
def _own_cache_keys():
    """This process's cache keys under its own prefix, so runs and xdist workers sharing Redis do not collide."""
    with override_settings(CACHES=prefixed(django_settings.CACHES)):
        yield


@pytest.fixture(autouse=True)
def _eager_celery_and_clean_cache(settings):
    """In-process tests run tasks inline; tests that need a real worker start one themselves."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from config.celery import app

    app.conf.task_always_eager = True
    cache_clear()
    verified_keys.forget_all()
    process_copies_forget()
    yield
    cache_clear()
    verified_keys.forget_all()
    process_copies_forget()


@pytest.fixture
def api_key(db) -> str:
    _, key = APIKey.objects.create_key(name="test storefront")
    return key


@pytest.fixture
def storefront(api_key) -> APIClient:
    """A storefront client: every call carries `Authorization: Api-Key <key>`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key}")
    return client


def _user_client(username: str, group: str | None, superuser: bool = False) -> APIClient:
    if superuser:
        user = User.objects.create_superuser(username=username, password="x", email=f"{username}@example.com")
    else:
        user = User.objects.create_user(username=username, password="x")
        if group:
            user.groups.add(Group.objects.get(name=group))
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.user = user
    return client


@pytest.fixture
def marketer(db) -> APIClient:
    """A management-API client whose user is in the Marketer group (may write)."""
    return _user_client("marketer", "Marketer")


@pytest.fixture
def analyst(db) -> APIClient:
    """A management-API client whose user is in the Analyst group (may only read)."""
    return _user_client("analyst", "Analyst")


@pytest.fixture
def admin_client_api(db) -> APIClient:
    return _user_client("boss", None, superuser=True)
