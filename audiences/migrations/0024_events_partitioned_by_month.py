"""Events partitioned by month of occurred_at on PostgreSQL (docs/operations.md, "Monthly partitions").

The idempotency key's unique index becomes (key, occurred_at): a partitioned table's unique indexes must include
its partition key; the writers keep keys unique across months (audiences/services/events.py). Then, on
PostgreSQL only, the table is rebuilt partitioned: the rows are moved, every index and constraint is built again
(the primary key as (id, occurred_at)) and ids go on from the same sequence. It holds an exclusive lock on the
events for its whole run: 29.6 s for 2,000,000 events on the benchmark host (docs/benchmarks.md). SQLite
keeps a plain table. Not reversible: the keys may no longer be unique on their own.
"""

from django.db import migrations, models
from django.utils import timezone

AHEAD_MONTHS = 3


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from config.partitions import table_partition_by_month

    event = apps.get_model("audiences", "Event")
    constrained = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is event and field.db_constraint
    ]
    if constrained:
        raise RuntimeError(
            f"{', '.join(constrained)} must hold no database foreign key (db_constraint=False) before events are "
            "partitioned: a partitioned table's id alone is not a key."
        )
    table_partition_by_month(
        event._meta.db_table, event._meta.get_field("occurred_at").column, now=timezone.now(), ahead=AHEAD_MONTHS
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audiences", "0023_customer_predictions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="idempotency_key",
            field=models.CharField(blank=True, max_length=128, null=True),
        ),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.UniqueConstraint(fields=("idempotency_key", "occurred_at"), name="event_key_unique"),
        ),
        migrations.RunPython(partition, elidable=False),
    ]
