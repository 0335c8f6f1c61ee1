"""Data-subject requests: export a customer's data (now, or in the background for a big history) and erase it.

Erasure runs each registered section's eraser in its own transaction and marks the section done in that same
transaction, so a run killed halfway and delivered again (acks late) resumes after the last finished section,
and a second request or run of a finished one changes nothing.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audiences.data_subjects.export import EXPORT_KEY, customer_data, customer_data_size
from audiences.data_subjects.models import DataSubjectRequest
from audiences.data_subjects.registry import data_sections
from audiences.models import Customer
from config.export_jobs import export_start, exports_dir
from config.models import ExportJob

Kind, Status = DataSubjectRequest.Kind, DataSubjectRequest.Status


def customer_export(*, customer: Customer, user) -> tuple[DataSubjectRequest, dict | None]:
    """The request recorded, with the customer's data when the history is small; a big one is written by an
    export job (`request.export_job`) and the data is None."""
    now = timezone.now()
    if customer_data_size(customer) <= settings.DATA_EXPORT_INLINE_MAX_ROWS:
        data = customer_data(customer)
        request = DataSubjectRequest.objects.create(
            kind=Kind.EXPORT, customer=customer, requested_by=user, requested_at=now, status=Status.DONE,
            finished_at=now,
        )  # fmt: skip
        return request, data
    with transaction.atomic():
        job = export_start(
            user=user, key=EXPORT_KEY, file_format=ExportJob.Format.JSON, params={"customer": customer.pk}
        )
        request = DataSubjectRequest.objects.create(
            kind=Kind.EXPORT, customer=customer, requested_by=user, requested_at=now, export_job=job
        )
    return request, None


def export_request_refresh(*, request: DataSubjectRequest) -> DataSubjectRequest:
    """A background export's request takes its job's outcome."""
    job = request.export_job
    if request.status in (Status.DONE, Status.FAILED) or job is None:
        return request
    outcome = {ExportJob.Status.DONE: Status.DONE, ExportJob.Status.FAILED: Status.FAILED}.get(job.status)
    if outcome is not None:
        DataSubjectRequest.objects.filter(pk=request.pk).update(
            status=outcome, finished_at=job.finished_at or timezone.now(), error=job.error
        )
        request.refresh_from_db()
    return request


def erasure_request(*, customer: Customer, user) -> DataSubjectRequest:
    """Queue the customer's erasure; asked again, the request already made (queued, running or done)."""
    with transaction.atomic():
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        existing = (
            DataSubjectRequest.objects.filter(customer=customer, kind=Kind.ERASURE)
            .exclude(status=Status.FAILED)
            .first()
        )
        if existing is not None:
            return existing
        request = DataSubjectRequest.objects.create(
            kind=Kind.ERASURE, customer=customer, requested_by=user, requested_at=timezone.now()
        )
        _enqueue(request.pk)
    return request


def _enqueue(request_id: int) -> None:
    from audiences.tasks import erasure_run_task  # tasks call services: imported here, not at the top

    transaction.on_commit(lambda: erasure_run_task.delay(request_id))


def erasure_run(*, request_id: int) -> DataSubjectRequest | None:
    request = DataSubjectRequest.objects.filter(pk=request_id, kind=Kind.ERASURE).first()
    if request is None or request.status == Status.DONE:
        return request
    DataSubjectRequest.objects.filter(pk=request.pk).update(status=Status.RUNNING, error="")
    try:
        for section in data_sections():
            if section.erase is not None:
                _section_erase(request, section)
        _export_files_forget(request.customer_id)
    except Exception as exc:
        DataSubjectRequest.objects.filter(pk=request.pk).update(status=Status.FAILED, error=str(exc)[:2000])
        raise
    DataSubjectRequest.objects.filter(pk=request.pk).update(status=Status.DONE, finished_at=timezone.now())
    request.refresh_from_db()
    return request


def _section_erase(request: DataSubjectRequest, section) -> None:
    with transaction.atomic():
        locked = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
        if section.key in locked.steps_done:
            return
        section.erase(Customer.objects.get(pk=request.customer_id))
        locked.steps_done = [*locked.steps_done, section.key]
        locked.save(update_fields=["steps_done"])


def _export_files_forget(customer_id: int) -> None:
    """Files exported earlier hold what was just erased."""
    jobs = ExportJob.objects.filter(key=EXPORT_KEY, params__customer=customer_id)
    for job in jobs:
        if job.file_name:
            (exports_dir() / job.file_name).unlink(missing_ok=True)
    jobs.delete()
