from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate


class ConfigAppConfig(AppConfig):
    """Project-wide pieces: periodic task installation, roles, heartbeat, health."""

    name = "config"
    label = "config"
    verbose_name = "System"

    def ready(self):
        from config import checks, lookups, receivers, setup  # noqa: F401  checks, lookups, receivers register themselves

        post_migrate.connect(setup.install_after_migrate, sender=self)


class EngineAdminConfig(AdminConfig):
    default_site = "config.admin_site.EngineAdminSite"
