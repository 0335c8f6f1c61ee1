"""A Marketer or Analyst added in the admin can sign in: a role brings staff status with it (issue #19)."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from config.roles import ANALYST, MARKETER
from tests.backoffice.conftest import staff_in

pytestmark = pytest.mark.django_db


def can_sign_in(username: str, password: str) -> bool:
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": username, "password": password})
    return response.status_code == 302 and client.get("/admin/").status_code == 200


def test_an_administrator_adds_a_marketer_in_the_admin_who_then_signs_in(administrator_admin):
    added = administrator_admin.post(
        "/admin/auth/user/add/", {"username": "newbie", "password1": "right-horse-9", "password2": "right-horse-9"}
    )
    assert added.status_code == 302, added.content
    newbie = User.objects.get(username="newbie")
    assert not can_sign_in("newbie", "right-horse-9")  # no role yet: not staff

    form = {
        "username": "newbie",
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "groups": [Group.objects.get(name=MARKETER).pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-11-27",
        "date_joined_1": "10:00:00",
    }
    changed = administrator_admin.post(f"/admin/auth/user/{newbie.pk}/change/", form)
    assert changed.status_code == 302, changed.content

    newbie.refresh_from_db()
    assert newbie.is_staff
    assert can_sign_in("newbie", "right-horse-9")


def test_a_user_added_to_a_role_from_either_side_is_staff_and_other_groups_do_not_make_staff(db):
    one = User.objects.create_user(username="one", password="x")
    two = User.objects.create_user(username="two", password="x")
    bystander = User.objects.create_user(username="bystander", password="x")

    one.groups.add(Group.objects.get(name=ANALYST))
    Group.objects.get(name=MARKETER).user_set.add(two)
    bystander.groups.add(Group.objects.create(name="Newsletter readers"))

    assert one.is_staff  # the instance in hand says so too
    assert User.objects.get(username="one").is_staff
    assert User.objects.get(username="two").is_staff
    assert not User.objects.get(username="bystander").is_staff


def test_taking_a_role_away_leaves_staff_status_as_an_administrator_set_it():
    user = staff_in(MARKETER, "mia")
    user.groups.clear()
    assert User.objects.get(pk=user.pk).is_staff
