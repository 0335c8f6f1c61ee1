"""Code generation: a job of unique single-use codes from a pattern, queued, then run in batches by Celery."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from promotions.code_patterns import InvalidPattern, codes_from_pattern, validate_pattern
from promotions.models import CodeGenerationJob, Promotion, PromotionCode

MAX_CODES_PER_JOB = 5_000_000
CODE_BATCH_SIZE = 100_000


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
    from promotions.tasks import code_generation_task  # tasks call services: import here, not at the top

    transaction.on_commit(lambda: code_generation_task.delay(job.pk))
    return job


def code_generation_run(*, job_id: int, batch_size: int = CODE_BATCH_SIZE) -> CodeGenerationJob | None:
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
            inserted = _insert_codes(job, codes_from_pattern(job.pattern, wanted))
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
