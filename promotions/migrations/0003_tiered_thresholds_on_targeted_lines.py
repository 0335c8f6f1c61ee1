"""Tiered promotions that target some lines read their thresholds on those lines, as they did
before `eligibility.subtotal_basis` existed (its default, "cart", is the whole cart): their
prices do not change. That includes whole-cart ones with exclusions (`exclude_skus`,
`exclude_categories`): their tiers never counted the excluded lines. Whole-cart ones without any
target key are the same on either basis and are left as they are."""

import uuid

from django.db import migrations
from django.db.models import F
from django.utils import timezone

# Frozen copy of promotions.engine.definition.TARGET_KEYS: migrations do not import app code.
TARGET_KEYS = ("skus", "categories", "brands", "exclude_skus", "exclude_categories")


def keep_targeted_basis(apps, schema_editor):
    Promotion = apps.get_model("promotions", "Promotion")
    IndexVersion = apps.get_model("promotions", "IndexVersion")
    changed = 0
    for promotion in Promotion.objects.filter(reward__type="tiered").iterator():
        target, eligibility = promotion.target or {}, promotion.eligibility or {}
        if any(target.get(key) for key in TARGET_KEYS) and "subtotal_basis" not in eligibility:
            promotion.eligibility = {**eligibility, "subtotal_basis": "targeted"}
            promotion.save(update_fields=["eligibility"])
            changed += 1
    if changed:  # running processes recompile their index
        IndexVersion.objects.filter(pk=1).update(
            version=F("version") + 1, token=uuid.uuid4().hex, changed_at=timezone.now()
        )


class Migration(migrations.Migration):
    dependencies = [("promotions", "0002_promotion_code_retired_at")]

    operations = [migrations.RunPython(keep_targeted_basis, migrations.RunPython.noop)]
