import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from config.local_run import ROLE_USERNAMES, AdminCredentials, local_url, role_users, role_users_save


class Command(BaseCommand):
    help = "Create the local admin user once and print its credentials (kept in var/admin-credentials.txt)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--addr", help="The address `runall` serves at (host:port); default SITE_URL.")
        parser.add_argument(
            "--role-users", action="store_true", help="Also a Marketer and an Analyst user, to try what each may do."
        )

    def handle(self, *args, username, addr, role_users, **options):
        url = local_url(addr) if addr else settings.SITE_URL
        User = get_user_model()
        credentials = AdminCredentials.load()
        if not User.objects.filter(username=username).exists():
            credentials = AdminCredentials(username=username, password=secrets.token_urlsafe(12))
            User.objects.create_superuser(
                username=username, email=f"{username}@example.com", password=credentials.password
            )
        if credentials is None:
            self.stdout.write(f"Admin user '{username}' exists; its password is not stored here.")
            return
        credentials.save(url)
        if role_users:
            _role_users_ensure()
        self.stdout.write(self.style.SUCCESS(credentials.banner(url)))


def _role_users_ensure() -> None:
    """A staff user per role, created once; a password is kept only for a user made here."""
    User = get_user_model()
    kept = role_users()
    for role, username in ROLE_USERNAMES.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(
                username=username, email=f"{username}@example.com", password=password, is_staff=True
            )
            user.groups.add(Group.objects.get(name=role))
            kept[role] = (username, password)
    role_users_save(kept)
