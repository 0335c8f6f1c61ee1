"""Celery tasks: take ids, call one service, safe to run twice."""

from celery import shared_task

from promotions import services


@shared_task(name="promotions.generate_codes")
def generate_codes_task(job_id: int) -> int:
    job = services.coupon_codes_generate(job_id=job_id)
    return job.generated if job else 0


@shared_task(name="promotions.advance_lifecycle")
def advance_lifecycle_task() -> int:
    return services.promotions_lifecycle_advance()
