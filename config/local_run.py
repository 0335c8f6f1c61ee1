"""What `make run` tells a newcomer: where the local site answers and how to sign in to the admin."""

import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from config.roles import ANALYST, MARKETER


def local_url(addr: str) -> str:
    """The URL a browser on this machine uses for `runserver`'s address (`0.0.0.0:9000` -> `http://127.0.0.1:9000`)."""
    host, _, port = addr.rpartition(":")
    if not host:  # runserver accepts a bare port
        host, port = "127.0.0.1", addr
    if host in ("0.0.0.0", "[::]"):  # noqa: S104 - only the wildcard is translated, for display
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def answers(url: str) -> bool:
    """Whether a local server answers at `url` at all (an error status is still an answer)."""
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local URL
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@dataclass(frozen=True)
class AdminCredentials:
    """The local admin's sign-in, kept in `var/admin-credentials.txt` with the URL it was last served at."""

    username: str
    password: str

    @staticmethod
    def path() -> Path:
        return settings.VAR_DIR / "admin-credentials.txt"

    def save(self, url: str) -> None:
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"url: {url}/admin/\nuser: {self.username}\npassword: {self.password}\n")
        path.chmod(0o600)

    @classmethod
    def load(cls) -> "AdminCredentials | None":
        path = cls.path()
        if not path.exists():
            return None
        text = path.read_text()
        fields = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
        if "user" in fields and "password" in fields:
            return cls(username=fields["user"], password=fields["password"])
        username, password = text.split()[:2]  # the first format: the user name and the password, one a line
        return cls(username=username, password=password)

    def banner(self, url: str) -> str:
        roles = "".join(
            f"       {role}: user {username}  password: {password}\n"
            for role, (username, password) in role_users().items()
        )
        return (
            f"Admin: {url}/admin/  user: {self.username}  password: {self.password}\n{roles}"
            f"API:   {url}/api/v1/  (docs: {url}/api/docs/)\n"
            f"Kept in {self.path()}"
        )


# Users a newcomer signs in as to see what each role may do; made by `ensure_admin --role-users`.
ROLE_USERNAMES = {MARKETER: "marketer", ANALYST: "analyst"}


def role_users_path() -> Path:
    return settings.VAR_DIR / "role-users.txt"


def role_users() -> dict[str, tuple[str, str]]:
    """{role: (user name, password)} as kept in var/role-users.txt; empty when there is none."""
    path = role_users_path()
    if not path.exists():
        return {}
    rows = (line.split(": ", 2) for line in path.read_text().splitlines() if line.count(": ") == 2)
    return {role: (username, password) for role, username, password in rows}


def role_users_save(users: dict[str, tuple[str, str]]) -> None:
    path = role_users_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{role}: {username}: {password}\n" for role, (username, password) in users.items()))
    path.chmod(0o600)
