import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from config.local_run import AdminCredentials, local_url


class Command(BaseCommand):
    help = "Create the local admin user once and print its credentials (kept in var/admin-credentials.txt)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--addr", help="The address `runall` serves at (host:port); default SITE_URL.")

    def handle(self, *args, username, addr, **options):
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
        self.stdout.write(self.style.SUCCESS(credentials.banner(url)))
