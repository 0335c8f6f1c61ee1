import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the local admin user once and print its credentials (kept in var/admin-credentials.txt)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        credentials_file = settings.VAR_DIR / "admin-credentials.txt"
        User = get_user_model()
        if not User.objects.filter(username=username).exists():
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(username=username, email=f"{username}@example.com", password=password)
            credentials_file.parent.mkdir(parents=True, exist_ok=True)
            credentials_file.write_text(f"{username}\n{password}\n")
            credentials_file.chmod(0o600)
        if credentials_file.exists():
            saved_username, password = credentials_file.read_text().split()[:2]
            self.stdout.write(
                self.style.SUCCESS(f"Admin: {settings.SITE_URL}/admin/  user: {saved_username}  password: {password}")
            )
        else:
            self.stdout.write(f"Admin user '{username}' exists; its password is not stored here.")
