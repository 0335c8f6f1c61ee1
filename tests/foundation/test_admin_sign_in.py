"""Admin sign-in resists guessing: failures in a row lock the user name and the address, with a clear page."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(settings):
    settings.AXES_FAILURE_LIMIT = 5
    User = get_user_model()
    User.objects.create_superuser(username="mira", email="mira@example.com", password="right-horse-battery")
    User.objects.create_superuser(username="tom", email="tom@example.com", password="tom-pass-word-1")


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_right_password_is_refused_after_five_wrong_ones(client, staff):
    for _ in range(4):
        assert sign_in(client, "mira", "wrong").status_code == 200  # the form again, with its error
    assert sign_in(client, "mira", "wrong").status_code == 429  # the fifth locks
    locked = sign_in(client, "mira", "right-horse-battery")
    assert locked.status_code == 429
    assert (
        "Sign-in locked" in locked.text and "Try again in" in locked.text and "axes_reset_username mira" in locked.text
    )
    # the user name is locked from anywhere, and the address for any user name
    assert sign_in(client, "mira", "right-horse-battery", address="198.51.100.1").status_code == 429
    assert sign_in(client, "tom", "tom-pass-word-1").status_code == 429
    assert sign_in(client, "tom", "tom-pass-word-1", address="198.51.100.1").status_code == 302


def test_a_success_resets_the_count(client, staff):
    for _ in range(4):
        sign_in(client, "mira", "wrong")
    assert sign_in(client, "mira", "right-horse-battery").status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "mira", "wrong")
    assert sign_in(client, "mira", "right-horse-battery").status_code == 302
