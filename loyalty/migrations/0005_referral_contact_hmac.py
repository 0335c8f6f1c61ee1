"""Referral contact hashes become keyed (HMAC-SHA-256 under SECRET_KEY): recomputed from each referee's phone
and email as they are now."""

from django.db import migrations
from django.utils.crypto import salted_hmac

SALT = "loyalty.referral.contact"  # loyalty.services.referrals.CONTACT_HASH_SALT, frozen here


def _keyed(value: str) -> str | None:
    return salted_hmac(SALT, value, algorithm="sha256").hexdigest() if value else None


def rehash(apps, schema_editor):
    Referral = apps.get_model("loyalty", "Referral")
    referrals = list(Referral.objects.select_related("referee__customer").order_by("id"))
    seen = set()  # a phone or email two referees share by now stays with the earlier referral (both unique)
    for referral in referrals:
        customer = referral.referee.customer
        phone, email = _keyed(customer.phone), _keyed(customer.email.strip().lower())
        referral.phone_hash = phone if ("phone", phone) not in seen else None
        referral.email_hash = email if ("email", email) not in seen else None
        seen.update({("phone", phone), ("email", email)})
    Referral.objects.bulk_update(referrals, ["phone_hash", "email_hash"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0004_tier_reviews")]

    operations = [migrations.RunPython(rehash, migrations.RunPython.noop)]
