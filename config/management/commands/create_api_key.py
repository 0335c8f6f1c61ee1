from django.core.management.base import BaseCommand
from rest_framework_api_key.models import APIKey


class Command(BaseCommand):
    help = "Create a storefront API key; the key is printed alone on the last line (it is stored hashed)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="What the key is for, e.g. 'web shop' or 'POS Dhaka'.")

    def handle(self, *args, name, **options):
        api_key, key = APIKey.objects.create_key(name=name)
        self.stderr.write(
            f"Created API key '{api_key.name}' (prefix {api_key.prefix}). Store it now: it is shown once."
        )
        self.stdout.write(key)
