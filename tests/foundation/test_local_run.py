"""A newcomer's `make run`: the sign-in is printed for the address actually served, last, and kept in a file."""

import sys

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from config.benchmarking import free_port
from config.local_run import AdminCredentials, local_url
from tests.support.processes import running, subprocess_env, wait_until


@pytest.mark.parametrize(
    ("addr", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("0.0.0.0:9123", "http://127.0.0.1:9123"),
        ("8080", "http://127.0.0.1:8080"),
    ],
)
def test_the_url_is_the_one_a_local_browser_opens(addr, url):
    assert local_url(addr) == url


@pytest.mark.django_db
def test_ensure_admin_prints_and_keeps_the_served_url_and_password(settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    call_command("ensure_admin", "--addr", "0.0.0.0:9123")
    first = capsys.readouterr().out
    saved = (tmp_path / "admin-credentials.txt").read_text()
    password = AdminCredentials.load().password
    assert "http://127.0.0.1:9123/admin/" in first and password in first
    assert saved == f"url: http://127.0.0.1:9123/admin/\nuser: admin\npassword: {password}\n"

    call_command("ensure_admin", "--addr", "127.0.0.1:9200")  # a later run on another port: same user, new URL
    assert f"http://127.0.0.1:9200/admin/  user: admin  password: {password}" in capsys.readouterr().out
    assert (tmp_path / "admin-credentials.txt").read_text().startswith("url: http://127.0.0.1:9200/admin/")


@pytest.mark.django_db
def test_make_run_makes_a_marketer_and_an_analyst_to_sign_in_as(settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    call_command("ensure_admin", "--role-users")
    shown = capsys.readouterr().out
    for role, username in (("Marketer", "marketer"), ("Analyst", "analyst")):
        user = User.objects.get(username=username)
        assert user.is_staff and not user.is_superuser and list(user.groups.values_list("name", flat=True)) == [role]
        password = shown.split(f"{role}: user {username}  password: ")[1].split()[0]
        assert user.check_password(password)
    call_command("ensure_admin", "--role-users")  # again: the same users and passwords
    assert capsys.readouterr().out == shown and User.objects.filter(username__in=["marketer", "analyst"]).count() == 2


@pytest.mark.django_db
def test_a_credentials_file_of_the_first_format_still_signs_in(settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    (tmp_path / "admin-credentials.txt").write_text("admin\nold-secret\n")
    call_command("ensure_admin")  # the user does not exist in this database: a new password replaces the old one
    assert AdminCredentials.load().password != "old-secret"
    (tmp_path / "admin-credentials.txt").write_text("admin\nold-secret\n")
    call_command("ensure_admin")  # the user exists now: the file's password is the one shown
    assert "password: old-secret" in capsys.readouterr().out


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_runall_prints_the_sign_in_last_once_web_and_worker_are_up(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    AdminCredentials(username="admin", password="s3cret-pass").save("http://127.0.0.1:1")
    port = free_port()
    env = subprocess_env(tmp_path)
    command = [sys.executable, "manage.py", "runall", "--addr", f"127.0.0.1:{port}", "--concurrency", "1"]
    log = tmp_path / "runall.log"
    with running({"runall": command}, env, tmp_path):
        announced = wait_until(lambda: "Kept in" in log.read_text(), timeout=120)
    output = log.read_text()
    assert announced, output[-3000:]
    banner_at = output.index(f"Admin: http://127.0.0.1:{port}/admin/  user: admin  password: s3cret-pass")
    assert output.index("web    | ") < banner_at and output.index("[queues]") < banner_at
