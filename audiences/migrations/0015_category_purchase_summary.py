"""The per-customer purchase summary by category, backfilled from the placed order lines.

The copy runs before the foreign keys and the query index exist (the primary key is filled in its
own order): one grouped pass over the lines, then each key checked with one join and the index
built once, as in 0011. The statement is a frozen copy of services.purchases.category_purchases_rebuild.
"""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    summary = schema_editor.quote_name(apps.get_model("audiences", "CategoryPurchase")._meta.db_table)
    lines = schema_editor.quote_name(apps.get_model("audiences", "OrderLine")._meta.db_table)
    if schema_editor.connection.vendor == "postgresql":
        # One grouping of every placed line: memory for the hash table instead of batches spilled to disk.
        schema_editor.execute("SET LOCAL work_mem = '256MB'")
    schema_editor.execute(
        f"INSERT INTO {summary} (customer_id, category_id, last_placed_at) "  # noqa: S608 - table names only
        f"SELECT customer_id, category_id, MAX(placed_at) FROM {lines} "
        "WHERE customer_id IS NOT NULL AND category_id IS NOT NULL AND order_status = 'placed' "
        "GROUP BY customer_id, category_id ORDER BY customer_id, category_id"
    )


def foreign_key(to: str, *, checked: bool) -> models.ForeignKey:
    return models.ForeignKey(
        db_constraint=checked,
        db_index=False,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to=to,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audiences", "0014_order_returns"),
    ]

    operations = [
        migrations.CreateModel(
            name="CategoryPurchase",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "customer", "category", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("last_placed_at", models.DateTimeField()),
                ("category", foreign_key("audiences.category", checked=False)),
                ("customer", foreign_key("audiences.customer", checked=False)),
            ],
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="categorypurchase", name="category", field=foreign_key("audiences.category", checked=True)
        ),
        migrations.AlterField(
            model_name="categorypurchase", name="customer", field=foreign_key("audiences.customer", checked=True)
        ),
        migrations.AddIndex(
            model_name="categorypurchase",
            index=models.Index(fields=["category", "last_placed_at", "customer"], name="category_purchase_recent"),
        ),
    ]
