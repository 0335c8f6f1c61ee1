"""Celery tasks: take ids, call one service, safe to run twice."""

from celery import shared_task

from promotions.services.codes import code_generation_run
from promotions.services.definitions import promotions_lifecycle_advance


# The registered name predates the function's: jobs queued before an upgrade still find their task.
@shared_task(name="promotions.generate_codes")
def code_generation_task(job_id: int) -> int:
    job = code_generation_run(job_id=job_id)
    return job.generated if job else 0


@shared_task(name="promotions.advance_lifecycle")
def advance_lifecycle_task() -> int:
    return promotions_lifecycle_advance()
