"""Every write of promotions: definitions, codes, and the redemption of an order's promotions.

Exactness under concurrency comes from the database, never from Python: each use is claimed
by a conditional UPDATE (`used = used + 1 WHERE used < usage_limit`, `budget_spent + amount <=
budget`) inside the order's transaction, rows are always claimed in the same order (promotion
id, then code id) so that concurrent orders cannot deadlock, and check constraints back it up.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Value
from django.utils import timezone

from audiences import services as audience_services
from audiences.currencies import CURRENCY_EXPONENTS, minor_unit_error
from audiences.models import Order, Segment, Store
from promotions.code_patterns import InvalidPattern, generate_codes, validate_pattern
from promotions.engine.definition import parse_eligibility, parse_reward
from promotions.engine.evaluate import normalize_code
from promotions.engine.parsing import MAX_MONEY, DefinitionError, parse_target
from promotions.engine.reasons import reason_message
from promotions.engine.types import Reason
from promotions.errors import OrderExists, RedemptionConflict
from promotions.lifecycle import REQUESTABLE, lifecycle_status
from promotions.models import (
    PROMOTION_FIELDS,
    CodeGenerationJob,
    CustomerPromotionUsage,
    IndexVersion,
    OrderPricing,
    Promotion,
    PromotionCode,
    Redemption,
)
from promotions.order_hooks import run_place_hooks
from promotions.results import evaluation_payload
from promotions.selectors import Pricing, PricingRequest, cart_price, order_first_answer

MAX_CODES_PER_JOB = 5_000_000
MAX_CODE_LENGTH = PromotionCode._meta.get_field("code").max_length
CODE_BATCH_SIZE = 100_000


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


def promotion_validate(promotion: Promotion) -> None:
    """Check a promotion before saving it; a ValidationError names each bad field."""
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
    promotion_validate(promotion)
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
        requested = promotion.status if promotion.status in ("draft", "paused") else "active"
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


# Codes


@transaction.atomic
def code_generation_start(*, promotion: Promotion, count: int, pattern: str, created_by=None) -> CodeGenerationJob:
    """Queue the generation of `count` unique single-use codes; a Celery job does the work."""
    errors = {}
    if promotion.trigger != Promotion.Trigger.CODE:
        errors["promotion"] = ["Codes can only be generated for a promotion triggered by a code."]
    if not isinstance(count, int) or not 1 <= count <= MAX_CODES_PER_JOB:
        errors["count"] = [f"Between 1 and {MAX_CODES_PER_JOB}."]
    try:
        pattern = validate_pattern(pattern)
    except InvalidPattern as exc:
        errors["pattern"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    job = CodeGenerationJob.objects.create(promotion=promotion, count=count, pattern=pattern, created_by=created_by)
    from promotions.tasks import generate_codes_task  # tasks call services: import here, not at the top

    transaction.on_commit(lambda: generate_codes_task.delay(job.pk))
    return job


def coupon_codes_generate(*, job_id: int, batch_size: int = CODE_BATCH_SIZE) -> CodeGenerationJob | None:
    """Generate the job's codes in batches, each committed with the job's progress.

    Safe to run twice or after a crash: it carries on from the committed count. Collisions
    with existing codes are skipped by the database and topped up in the next batch.
    """
    job = CodeGenerationJob.objects.filter(pk=job_id).first()
    if job is None or job.status == CodeGenerationJob.Status.DONE:
        return job
    CodeGenerationJob.objects.filter(pk=job.pk).update(status=CodeGenerationJob.Status.RUNNING)
    fruitless_batches = 0
    while job.generated < job.count:
        wanted = min(job.count - job.generated, batch_size)
        with transaction.atomic():
            inserted = _insert_codes(job, generate_codes(job.pattern, wanted))
            CodeGenerationJob.objects.filter(pk=job.pk).update(generated=F("generated") + inserted)
        job.generated += inserted
        fruitless_batches = fruitless_batches + 1 if inserted == 0 else 0
        if fruitless_batches >= 3:
            CodeGenerationJob.objects.filter(pk=job.pk).update(
                status=CodeGenerationJob.Status.FAILED,
                error="The pattern has no room for more unique codes.",
                finished_at=timezone.now(),
            )
            job.refresh_from_db()
            return job
    CodeGenerationJob.objects.filter(pk=job.pk).update(status=CodeGenerationJob.Status.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    return job


def _insert_codes(job: CodeGenerationJob, codes: list[str]) -> int:
    if connection.vendor == "postgresql":
        return _copy_codes(job, codes)
    before = PromotionCode.objects.filter(job=job).count()
    PromotionCode.objects.bulk_create(
        [PromotionCode(promotion_id=job.promotion_id, code=code, usage_limit=1, job=job) for code in codes],
        ignore_conflicts=True,
        batch_size=5000,
    )
    return PromotionCode.objects.filter(job=job).count() - before


def _copy_codes(job: CodeGenerationJob, codes: list[str]) -> int:
    """COPY into a temporary table, then one INSERT ... ON CONFLICT DO NOTHING."""
    table = PromotionCode._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS promotion_code_staging (code varchar(64)) ON COMMIT DELETE ROWS"
        )
        with cursor.cursor.copy("COPY promotion_code_staging (code) FROM STDIN") as copy:
            copy.write("\n".join(codes) + "\n")
        cursor.execute(
            f"INSERT INTO {table} (promotion_id, code, usage_limit, used, job_id, created_at) "  # noqa: S608
            "SELECT %s, code, 1, 0, %s, now() FROM promotion_code_staging ON CONFLICT DO NOTHING",
            [job.promotion_id, job.pk],
        )
        return cursor.rowcount


# Orders


REFUSE_UNREDEEMABLE = "refuse"
DROP_UNREDEEMABLE = "drop"


def order_place(
    *,
    external_id: str,
    pricing_request: PricingRequest,
    placed_at: datetime,
    attribution: dict | None = None,
    on_unredeemable_code: str = REFUSE_UNREDEEMABLE,
) -> tuple[dict, bool]:
    """Price the order, then record it and claim every use in one transaction.

    Returns (response, created). The same external_id again returns the first response.
    A code that no longer applies, or a use that can no longer be claimed, is a 409 with its
    reason, and nothing is recorded; with `on_unredeemable_code="drop"` such a code is left out
    instead, the order priced and recorded without it, and the answer lists it in `dropped_codes`.
    """
    replay = _placed_response(external_id)
    if replay is not None:
        return replay, False
    dropped: list[dict] = []
    # Each round either records the order or drops at least one code: it ends.
    while True:
        pricing = cart_price(request=pricing_request)
        try:
            return _order_place_priced(external_id, pricing_request, pricing, placed_at, attribution, dropped), True
        except RedemptionConflict as refused:
            code = refused.coupon
            if on_unredeemable_code != DROP_UNREDEEMABLE or not code:
                raise
            dropped.append({"code": code, "reason": refused.code, "message": refused.message})
            pricing_request = replace(
                pricing_request, codes=[c for c in pricing_request.codes if normalize_code(c) != normalize_code(code)]
            )
        except IntegrityError:
            # The same external_id was placed concurrently: answer as a repeat would.
            replay = _placed_response(external_id)
            if replay is None:
                raise
            return replay, False


def _order_place_priced(external_id, pricing_request, pricing: Pricing, placed_at, attribution, dropped) -> dict:
    for code in pricing.result.codes:
        if code.status != "applied":
            raise RedemptionConflict(
                reason=code.reason,
                message=code.message,
                detail=code.detail,
                coupon=code.code,
                promotion=code.promotion_id,
            )
    with transaction.atomic():
        order = _order_record(external_id, pricing_request, pricing, placed_at, attribution)
        _claim(order, pricing, pricing_request)
        response = {
            "order": external_id,
            **evaluation_payload(pricing.result),
            "dropped_codes": dropped,
            **run_place_hooks(order=order, evaluation=pricing.result, attribution=attribution or {}),
        }
        OrderPricing.objects.create(order=order, response=response)
    return response


def _placed_response(external_id: str) -> dict | None:
    first = order_first_answer(external_id=external_id)
    if first is not None:
        return first
    if Order.objects.filter(external_id=external_id).exists():
        raise OrderExists(external_id=external_id)
    return None


def _order_record(external_id, request: PricingRequest, pricing: Pricing, placed_at, attribution) -> Order:
    result = pricing.result
    lines = []
    for line_input, line_result in zip(request.lines, result.lines, strict=True):
        product = pricing.products.get(line_input.sku)
        lines.append(
            audience_services.OrderLineInput(
                sku=line_input.sku,
                quantity=line_input.quantity,
                unit_price=line_input.unit_price,
                discount=line_result.discount,
                product=product,
                category=None if product else pricing.categories.get(line_input.category or ""),
            )
        )
    store = Store.objects.filter(code=request.store).first() if request.store else None
    return audience_services.order_create(
        external_id=external_id,
        currency=request.currency,
        placed_at=placed_at,
        lines=lines,
        customer=request.customer,
        store=store,
        channel=request.channel or "",
        payment_method=request.payment_method or "",
        discount_total=result.discount_total,
        shipping_price=result.shipping_price,
        shipping_discount=result.shipping_discount,
        attribution=attribution or {},
    )


def _conflict(reason: str, *, promotion_id: int, code: str | None, currency: str) -> RedemptionConflict:
    rule_name = Promotion.objects.filter(pk=promotion_id).values_list("name", flat=True).first()
    return RedemptionConflict(
        reason=reason,
        message=reason_message(reason, code or rule_name or "", None, currency),
        coupon=code,
        promotion=promotion_id,
    )


def _claim(order: Order, pricing: Pricing, request: PricingRequest) -> None:
    result = pricing.result
    currency = result.currency
    applied = sorted(result.applied, key=lambda item: item.promotion_id)
    for item in applied:
        within_limits = (Q(usage_limit__isnull=True) | Q(used__lt=F("usage_limit"))) & (
            Q(budget__isnull=True) | Q(budget_spent__lte=F("budget") - Value(item.amount))
        )
        if not Promotion.objects.filter(within_limits, pk=item.promotion_id).update(
            used=F("used") + 1, budget_spent=F("budget_spent") + item.amount
        ):
            promotion = Promotion.objects.get(pk=item.promotion_id)
            usage_left = promotion.usage_limit is None or promotion.used < promotion.usage_limit
            reason = Reason.BUDGET_EXHAUSTED if usage_left else Reason.USAGE_LIMIT_REACHED
            raise _conflict(reason, promotion_id=item.promotion_id, code=item.code, currency=currency)
    codes = {item.promotion_id: pricing.codes[normalize_code(item.code)] for item in applied if item.code}
    for promotion_id, code in sorted(codes.items(), key=lambda pair: pair[1].pk):
        if not PromotionCode.objects.filter(
            Q(usage_limit__isnull=True) | Q(used__lt=F("usage_limit")), pk=code.pk
        ).update(used=F("used") + 1):
            raise _conflict(Reason.USAGE_LIMIT_REACHED, promotion_id=promotion_id, code=code.code, currency=currency)
    customer = request.customer
    if customer is not None and applied:
        CustomerPromotionUsage.objects.bulk_create(
            [CustomerPromotionUsage(promotion_id=item.promotion_id, customer=customer) for item in applied],
            ignore_conflicts=True,
        )
        limits = dict(
            Promotion.objects.filter(pk__in=[item.promotion_id for item in applied]).values_list(
                "pk", "usage_limit_per_customer"
            )
        )
        for item in applied:
            limit = limits[item.promotion_id]
            usage = CustomerPromotionUsage.objects.filter(promotion_id=item.promotion_id, customer=customer)
            if limit is not None:
                usage = usage.filter(used__lt=limit)
            if not usage.update(used=F("used") + 1):
                raise _conflict(
                    Reason.CUSTOMER_LIMIT_REACHED, promotion_id=item.promotion_id, code=item.code, currency=currency
                )
    Redemption.objects.bulk_create(
        Redemption(
            order=order,
            promotion_id=item.promotion_id,
            code=codes.get(item.promotion_id),
            customer=customer,
            amount=item.amount,
            currency=currency,
        )
        for item in applied
    )
