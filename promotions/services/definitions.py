"""Promotions: checking and saving their definitions, and moving them through their lifecycle.

Every save bumps the index version, so each process rebuilds its compiled index on its next pricing.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audiences.currencies import CURRENCY_EXPONENTS, minor_unit_error
from audiences.models import Segment, Store
from promotions.engine.definition import parse_eligibility, parse_reward
from promotions.engine.evaluate import normalize_code
from promotions.engine.parsing import MAX_MONEY, DefinitionError, parse_target
from promotions.engine.types import HELD, PromotionStatus
from promotions.lifecycle import REQUESTABLE, lifecycle_status
from promotions.models import PROMOTION_FIELDS, IndexVersion, Promotion, PromotionCode

MAX_CODE_LENGTH = PromotionCode._meta.get_field("code").max_length


def index_version_bump() -> None:
    """Tell every process that its compiled index is stale (read on each pricing)."""
    token = uuid.uuid4().hex
    if not IndexVersion.objects.filter(pk=1).update(version=F("version") + 1, token=token, changed_at=timezone.now()):
        IndexVersion.objects.get_or_create(pk=1, defaults={"version": 1, "token": token})


def _plain_code(code: str) -> bool:
    return all(character.isalnum() or character in "-_" for character in code)


def _saved_code(promotion: Promotion) -> str | None:
    if promotion.pk is None:
        return None
    return Promotion.objects.filter(pk=promotion.pk).values_list("code", flat=True).first()


def promotion_clean(promotion: Promotion) -> None:
    """Clean a promotion before saving it, as Django's `clean` does: normalise, then check.

    Sets `reward_type` from the reward and upper-cases the code; a ValidationError names each bad field.
    """
    errors: dict[str, list[str]] = {}
    for field, parse in (("reward", parse_reward), ("target", parse_target), ("eligibility", parse_eligibility)):
        try:
            parsed = parse(getattr(promotion, field), field)
        except DefinitionError as exc:
            errors.setdefault(exc.field, []).append(exc.message)
            continue
        if field == "reward":
            promotion.reward_type = parsed.type
    if promotion.status not in REQUESTABLE:
        errors["status"] = [
            f"Use one of: {', '.join(REQUESTABLE)} (scheduled and expired follow from starts_at and ends_at)."
        ]
    if promotion.currency and promotion.currency not in CURRENCY_EXPONENTS:
        errors["currency"] = [f"Unknown currency '{promotion.currency}'."]
    if promotion.budget is not None:
        if not 0 <= promotion.budget <= MAX_MONEY:
            errors["budget"] = [f"Between 0 and {MAX_MONEY:,f}."]
        elif promotion.currency in CURRENCY_EXPONENTS and (
            message := minor_unit_error(promotion.budget, promotion.currency)
        ):
            errors["budget"] = [message]
    for field in ("stores", "channels"):
        value = getattr(promotion, field)
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            errors[field] = ["Expected a list of codes."]
    if "stores" not in errors and promotion.stores:
        known = set(Store.objects.filter(code__in=promotion.stores).values_list("code", flat=True))
        unknown = sorted(set(promotion.stores) - known)
        if unknown:
            errors["stores"] = [f"Unknown store(s): {', '.join(unknown)}."]
    if "eligibility.segments" not in errors and isinstance(promotion.eligibility, dict):
        # A segment nobody can be a member of would make the code refuse every customer, silently.
        segments = set(promotion.eligibility.get("segments") or ())
        unknown = sorted(segments - set(Segment.objects.filter(code__in=segments).values_list("code", flat=True)))
        if unknown:
            errors["eligibility.segments"] = [f"Unknown segment(s): {', '.join(unknown)}."]
    if promotion.starts_at and promotion.ends_at and promotion.ends_at <= promotion.starts_at:
        errors["ends_at"] = ["Must be after starts_at."]
    if promotion.code and promotion.trigger != Promotion.Trigger.CODE:
        errors["code"] = ["Only a promotion triggered by a code has one (set trigger to 'code')."]
    if promotion.code:
        promotion.code = normalize_code(promotion.code)
        taken = PromotionCode.objects.filter(code=promotion.code)
        if promotion.pk:
            taken = taken.exclude(promotion=promotion, job__isnull=True, usage_limit__isnull=True)
        if len(promotion.code) > MAX_CODE_LENGTH:  # upper-casing can lengthen it: "ß" becomes "SS"
            errors["code"] = [f"At most {MAX_CODE_LENGTH} characters once upper-cased."]
        elif not _plain_code(promotion.code) and promotion.code != _saved_code(promotion):
            # Nothing a spreadsheet or a URL could read as more than a code: no '=', '+', '@', spaces. A code
            # saved before this rule keeps working: the promotion can still be edited and paused.
            errors["code"] = ["Use letters, digits, '-' and '_' only."]
        elif taken.exists():
            errors["code"] = [f"The code {promotion.code} is already taken (codes are case-insensitive)."]
    if errors:
        raise ValidationError(errors)


def _save(promotion: Promotion, requested_status: str) -> Promotion:
    promotion.status = requested_status
    promotion_clean(promotion)
    promotion.status = lifecycle_status(
        requested=requested_status, starts_at=promotion.starts_at, ends_at=promotion.ends_at, now=timezone.now()
    )
    promotion.save()
    _shared_code_sync(promotion)
    index_version_bump()
    return promotion


def _shared_code_sync(promotion: Promotion) -> None:
    """Make the promotion's shared code the one its `code` field names.

    A code that has been redeemed is never renamed or deleted, since the ledger names it: it is
    retired (no longer triggers anything) and comes back if the marketer sets it again.
    """
    shared = PromotionCode.objects.filter(promotion=promotion, job__isnull=True, usage_limit__isnull=True)
    current = shared.filter(retired_at__isnull=True).first()
    if current is not None and current.code == promotion.code:
        return
    if current is not None:
        if current.redemptions.exists():
            current.retired_at = timezone.now()
            current.save(update_fields=["retired_at"])
        else:
            current.delete()
    if promotion.code and not shared.filter(code=promotion.code).update(retired_at=None):
        PromotionCode.objects.create(promotion=promotion, code=promotion.code)


@transaction.atomic
def promotion_create(*, created_by=None, **fields) -> Promotion:
    unknown = set(fields) - set(PROMOTION_FIELDS)
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    requested = fields.pop("status", Promotion.Status.DRAFT)
    return _save(Promotion(created_by=created_by, **fields), requested)


@transaction.atomic
def promotion_update(*, promotion: Promotion, **fields) -> Promotion:
    unknown = set(fields) - set(PROMOTION_FIELDS)
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    promotion = Promotion.objects.select_for_update().get(pk=promotion.pk)
    requested = fields.pop("status", None)
    if requested is None:
        # Keep what the marketer asked for: scheduled and expired were "active" with dates.
        requested = promotion.status if promotion.status in HELD else PromotionStatus.ACTIVE
    for name, value in fields.items():
        setattr(promotion, name, value)
    return _save(promotion, requested)


@transaction.atomic
def promotions_lifecycle_advance(*, now: datetime | None = None) -> int:
    """Move promotions between scheduled, active and expired as their dates say. Idempotent."""
    now = now or timezone.now()
    expired = Promotion.objects.filter(
        status__in=[Promotion.Status.SCHEDULED, Promotion.Status.ACTIVE], ends_at__lte=now
    ).update(status=Promotion.Status.EXPIRED, updated_at=now)
    started = (
        Promotion.objects.filter(status=Promotion.Status.SCHEDULED, starts_at__lte=now)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .update(status=Promotion.Status.ACTIVE, updated_at=now)
    )
    if expired or started:
        index_version_bump()
    return expired + started
