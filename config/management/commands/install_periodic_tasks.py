from django.core.management.base import BaseCommand

from config.setup import periodic_tasks_install


class Command(BaseCommand):
    help = "Install the periodic tasks declared in config/periodic_tasks.py into celery-beat (idempotent)."

    def handle(self, *args, **options):
        count = periodic_tasks_install()
        self.stdout.write(self.style.SUCCESS(f"{count} periodic task(s) installed."))
