"""Staff users in each role, signed in to the admin."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from config.roles import ADMINISTRATOR, ANALYST, MARKETER


def staff_in(role: str | None, username: str) -> User:
    user = User.objects.create_user(username=username, password="x", is_staff=True, email=f"{username}@example.com")
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def marketer_admin(db) -> Client:
    return signed_in(staff_in(MARKETER, "mia"))


@pytest.fixture
def analyst_admin(db) -> Client:
    return signed_in(staff_in(ANALYST, "ana"))


@pytest.fixture
def administrator_admin(db) -> Client:
    return signed_in(staff_in(ADMINISTRATOR, "ada"))
