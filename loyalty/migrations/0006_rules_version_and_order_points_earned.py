"""The rules' version row (loyalty.program_rules) and each member's `order_points_earned`, summed from their
orders' earn entries as they are now."""

import uuid

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    apps.get_model("loyalty", "RulesVersion").objects.create(pk=1, token=uuid.uuid4().hex)
    Member, LedgerEntry = apps.get_model("loyalty", "Member"), apps.get_model("loyalty", "LedgerEntry")
    earned = (
        LedgerEntry.objects.filter(member=OuterRef("pk"), source_type="order", rule="earn")
        .order_by()
        .values("member")
        .annotate(total=Sum("points"))
        .values("total")[:1]
    )
    Member.objects.update(order_points_earned=Coalesce(Subquery(earned), Value(0)))


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0005_referral_contact_hmac")]

    operations = [
        migrations.CreateModel(
            name="RulesVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=32)),
            ],
        ),
        migrations.AddField(
            model_name="member",
            name="order_points_earned",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Every point the member's orders ever earned (their `earn` entries): a bound on their "
                "qualifying points that spares most orders the tier query; the drift check verifies it.",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
