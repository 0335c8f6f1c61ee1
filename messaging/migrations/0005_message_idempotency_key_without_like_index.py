from django.db import migrations, models

# On PostgreSQL the unique index stays (renamed to the constraint's name, so a large outbox is not reindexed)
# and only the LIKE index `unique=True` added goes; elsewhere the schema editor alters the table.
TABLE = "messaging_message"
CONSTRAINT = "message_idempotency_key_unique"
FORWARD = [
    f"DROP INDEX IF EXISTS {TABLE}_idempotency_key_0ee4d6bf_like",
    f"ALTER TABLE {TABLE} RENAME CONSTRAINT {TABLE}_idempotency_key_key TO {CONSTRAINT}",
]
BACKWARD = [
    f"ALTER TABLE {TABLE} RENAME CONSTRAINT {CONSTRAINT} TO {TABLE}_idempotency_key_key",
    f"CREATE INDEX {TABLE}_idempotency_key_0ee4d6bf_like ON {TABLE} (idempotency_key varchar_pattern_ops)",
]


def _fields(message):
    unique = message._meta.get_field("idempotency_key")
    plain = models.CharField(max_length=200)
    plain.set_attributes_from_name("idempotency_key")
    plain.model = message
    return unique, plain


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)
        return
    message = apps.get_model("messaging", "Message")
    unique, plain = _fields(message)
    schema_editor.alter_field(message, unique, plain)
    schema_editor.add_constraint(message, models.UniqueConstraint(fields=["idempotency_key"], name=CONSTRAINT))


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)
        return
    message = apps.get_model("messaging", "Message")
    schema_editor.remove_constraint(message, models.UniqueConstraint(fields=["idempotency_key"], name=CONSTRAINT))
    unique, plain = _fields(message)
    unique_again = models.CharField(max_length=200, unique=True)
    unique_again.set_attributes_from_name("idempotency_key")
    unique_again.model = message
    schema_editor.alter_field(message, plain, unique_again)


class Migration(migrations.Migration):
    dependencies = [
        ("audiences", "0015_category_purchase_summary"),
        ("messaging", "0004_records_have_no_delete_permission"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.AlterField(
                    model_name="message", name="idempotency_key", field=models.CharField(max_length=200)
                ),
                migrations.AddConstraint(
                    model_name="message",
                    constraint=models.UniqueConstraint(fields=("idempotency_key",), name=CONSTRAINT),
                ),
            ],
        ),
    ]
