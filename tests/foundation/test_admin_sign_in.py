"""Admin sign-in resists guessing without letting a stranger lock the administrators out.

Failures in a row from one address, for one user name or across user names, lock that address, with a clear
page; the same user from their own address, and other users, still sign in. Behind a proxy the client's own
address counts.
"""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(settings):
    settings.AXES_FAILURE_LIMIT = 5
    User = get_user_model()
    User.objects.create_superuser(username="mira", email="mira@example.com", password="right-horse-battery")
    User.objects.create_superuser(username="tom", email="tom@example.com", password="tom-pass-word-1")


def sign_in(client, username, password, address="203.0.113.7", **headers):
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def test_five_wrong_passwords_lock_that_user_from_that_address(client, staff):
    for _ in range(4):
        assert sign_in(client, "mira", "wrong").status_code == 200  # the form again, with its error
    assert sign_in(client, "mira", "wrong").status_code == 429  # the fifth locks
    locked = sign_in(client, "mira", "right-horse-battery")
    assert locked.status_code == 429
    assert (
        "Sign-in locked" in locked.text and "Try again in" in locked.text and "axes_reset_username mira" in locked.text
    )


def test_a_stranger_cannot_lock_the_real_user_or_anyone_else_out(client, staff):
    for _ in range(5):
        sign_in(client, "mira", "wrong", address="198.51.100.66")  # someone else guessing mira's password
    assert sign_in(client, "mira", "right-horse-battery", address="203.0.113.7").status_code == 302
    client.logout()
    assert sign_in(client, "tom", "tom-pass-word-1", address="203.0.113.8").status_code == 302
    client.logout()
    assert sign_in(client, "tom", "tom-pass-word-1", address="198.51.100.66").status_code == 429  # the guesser's


def test_an_address_trying_many_user_names_is_locked(client, staff):
    for name in ("admin", "root", "mira", "tom", "marketing"):  # one guess each
        assert sign_in(client, name, "Password1", address="198.51.100.66").status_code in (200, 429)
    assert sign_in(client, "mira", "right-horse-battery", address="198.51.100.66").status_code == 429
    assert sign_in(client, "mira", "right-horse-battery", address="203.0.113.7").status_code == 302


def test_behind_a_proxy_each_client_counts_on_its_own_and_the_header_cannot_be_forged(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for _ in range(5):  # the attacker rotates what it writes in front; the proxy appends the real address
        sign_in(client, "mira", "wrong", address=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.66")
    assert sign_in(client, "mira", "right-horse-battery", address=proxy,
                   HTTP_X_FORWARDED_FOR="5.6.7.8, 198.51.100.66").status_code == 429  # fmt: skip
    assert sign_in(client, "mira", "right-horse-battery", address=proxy,
                   HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 302  # fmt: skip


def test_without_a_proxy_a_forwarded_header_is_ignored(client, staff):
    for attempt in range(5):
        sign_in(client, "mira", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")
    assert sign_in(client, "mira", "right-horse-battery", HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_a_success_resets_the_count(client, staff):
    for _ in range(4):
        sign_in(client, "mira", "wrong")
    assert sign_in(client, "mira", "right-horse-battery").status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "mira", "wrong")
    assert sign_in(client, "mira", "right-horse-battery").status_code == 302
