"""A GIN index (jsonb_path_ops) on the events' properties, for segment conditions on them (`properties @>`).

PostgreSQL only: SQLite compares each key through json_extract, with no index to build. It is not in the
model's Meta because SQLite cannot create a GIN index; `event_properties_gin` is its name on PostgreSQL.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model("audiences", "Event")._meta.db_table)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS event_properties_gin ON {table} USING gin (properties jsonb_path_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS event_properties_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("audiences", "0017_data_subject_requests"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
