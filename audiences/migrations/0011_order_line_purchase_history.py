"""Copy each order's customer, time and status onto its lines, for purchase-history segment conditions.

The copy runs before the foreign key and the indexes exist: one pass over the lines, then each
index built once and the key checked with one join (not a trigger per row).
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_order_fields(apps, schema_editor):
    OrderLine = apps.get_model("audiences", "OrderLine")
    Order = apps.get_model("audiences", "Order")
    lines, orders = OrderLine._meta.db_table, Order._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        sql = (
            f"UPDATE {lines} SET customer_id = o.customer_id, placed_at = o.placed_at, order_status = o.status "  # noqa: S608
            f"FROM {orders} o WHERE o.id = {lines}.order_id"
        )
    else:
        of_order = f"(SELECT o.%s FROM {orders} o WHERE o.id = {lines}.order_id)"  # noqa: S608
        sql = (
            f"UPDATE {lines} SET customer_id = {of_order % 'customer_id'}, "  # noqa: S608
            f"placed_at = {of_order % 'placed_at'}, order_status = {of_order % 'status'}"
        )
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("audiences", "0010_records_have_no_delete_permission"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="orderline", name="order_line_category"),
        migrations.AlterField(model_name="orderline", name="sku", field=models.CharField(max_length=64)),
        migrations.AddField(
            model_name="orderline",
            name="customer",
            field=models.ForeignKey(
                blank=True,
                null=True,
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="audiences.customer",
            ),
        ),
        migrations.AddField(model_name="orderline", name="placed_at", field=models.DateTimeField(null=True)),
        migrations.AddField(
            model_name="orderline",
            name="order_status",
            field=models.CharField(
                choices=[("placed", "Placed"), ("cancelled", "Cancelled")], default="placed", max_length=16
            ),
        ),
        migrations.RunPython(copy_order_fields, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="orderline",
            name="customer",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="audiences.customer",
            ),
        ),
        migrations.AlterField(model_name="orderline", name="placed_at", field=models.DateTimeField()),
        migrations.AddIndex(
            model_name="orderline",
            index=models.Index(
                fields=["category", "placed_at", "customer", "order_status"], name="order_line_purchase_category"
            ),
        ),
        migrations.AddIndex(
            model_name="orderline",
            index=models.Index(
                fields=["sku", "placed_at", "customer", "order_status"], name="order_line_purchase_sku"
            ),
        ),
    ]
