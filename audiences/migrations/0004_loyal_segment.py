from django.db import migrations

LOYAL = {
    "code": "loyal",
    "name": "Loyal and engaged",
    "description": "High loyalty score (70+) and engagement score (60+); see docs/scores.md.",
    "rules": {
        "all": [
            {"field": "loyalty_score", "op": "gte", "value": 70},
            {"field": "engagement_score", "op": "gte", "value": 60},
        ]
    },
}


def install_loyal(apps, schema_editor):
    Segment = apps.get_model("audiences", "Segment")
    Segment.objects.get_or_create(code=LOYAL["code"], defaults={**LOYAL, "predefined": True})


class Migration(migrations.Migration):
    dependencies = [
        ("audiences", "0003_customer_scores"),
    ]

    operations = [
        migrations.RunPython(install_loyal, migrations.RunPython.noop),
    ]
