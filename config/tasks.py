from celery import shared_task

from config import export_jobs, setup


@shared_task(name="config.tasks.heartbeat")
def heartbeat():
    setup.heartbeat_record(name="beat")


@shared_task(name="config.export_run", ignore_result=True, acks_late=True)
def export_run_task(job_id: int) -> None:
    """Write an export's file; delivered again after a killed worker, it starts the file over (acks late)."""
    export_jobs.export_run(job_id=job_id)


@shared_task(name="config.exports_forget", ignore_result=True)
def exports_forget_task() -> int:
    return export_jobs.exports_forget()
