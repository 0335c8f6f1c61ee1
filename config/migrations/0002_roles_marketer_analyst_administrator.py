"""The Marketer, Analyst and Administrator groups with their permissions (config/roles.py).

Permissions are normally created after `migrate` finishes; they are created here first so the groups can hold
them on a fresh database. Every later `migrate` syncs the groups again (config/setup.py), for models added since.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from config.roles import roles_sync


def install_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True  # historical app configs have none; create_permissions skips those
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    roles_sync(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        models=apps.get_models(),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("config", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        # The installed apps an Administrator manages, at their pinned versions' last migration.
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("sessions", "0001_initial"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("rest_framework_api_key", "0005_auto_20220110_1102"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("axes", "0010_accessattemptexpiration"),
        ("audiences", "0010_records_have_no_delete_permission"),
        ("promotions", "0004_records_have_no_delete_permission"),
        ("messaging", "0004_records_have_no_delete_permission"),
    ]

    operations = [migrations.RunPython(install_roles, migrations.RunPython.noop)]
