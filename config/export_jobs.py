"""Background exports: `export_start` queues a job, `export_run` writes its file in chunks with progress (or,
for a report, renders its page and prints it to PDF: config/printing.py).

Safe to run twice and to kill: each run takes the job's next `attempt` and writes its own part file; a
chunk's progress is saved only while the run is still the job's latest, so an older run (a worker killed and
its task delivered again, or a second delivery) stops at its next chunk, and only the latest renames its part
into place. A finished job is not written again.
"""

import csv
import json
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook

from config.errors import DomainError
from config.exports import CHUNK, export_for, export_named
from config.models import ExportJob
from config.printing import PrintingUnavailable, html_to_pdf
from config.replica import from_replica
from config.spreadsheets import neutralise

KEEP_FOR = timedelta(days=7)


class ExportRefused(DomainError):
    def __init__(self, message: str):
        super().__init__(code="export_refused", message=message)


class Superseded(Exception):
    """A later run of the same job took over."""


def exports_dir() -> Path:
    return Path(settings.VAR_DIR) / "exports"


def export_start(*, user, key: str, file_format: str, params: dict | None = None) -> ExportJob:
    export = export_for(user, key)
    if export is None:
        raise ExportRefused(f"There is no export '{key}' open to you.")
    if export.document:
        formats = [ExportJob.Format.PDF]
    elif export.payload:
        formats = [ExportJob.Format.JSON]
    else:
        formats = [ExportJob.Format.CSV, ExportJob.Format.XLSX]
    if file_format not in formats:
        raise ExportRefused(f"Export as {' or '.join(f.label for f in formats)}, not '{file_format}'.")
    params = params or {}
    if export.param and not str(params.get(export.param, "")).isdigit():
        raise ExportRefused(f"Choose the {export.param} to export.")
    detail = export.describe(params) if export.param else ""
    with transaction.atomic():
        job = ExportJob.objects.create(
            key=key,
            title=f"{export.title}{': ' + detail if detail else ''}",
            format=file_format,
            params={export.param: int(params[export.param])} if export.param else {},
            created_by=user,
        )
        _enqueue(job.pk)
    return job


def _enqueue(job_id: int) -> None:
    from config.tasks import export_run_task  # tasks call services: imported here, not at the top

    transaction.on_commit(lambda: export_run_task.delay(job_id))


def export_run(*, job_id: int, chunk_size: int = CHUNK) -> ExportJob | None:
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == ExportJob.Status.DONE:
            return job
        export = export_named(job.key)
        if export is None:
            return _fail(job, f"The export '{job.key}' is no longer offered.")
        job.attempt += 1
        job.status, job.written, job.error, job.started_at = ExportJob.Status.RUNNING, 0, "", timezone.now()
        with from_replica():
            job.total = export.count(job.params)
        job.save(update_fields=["attempt", "status", "written", "error", "started_at", "total"])
    attempt = job.attempt
    folder = exports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{slugify(job.title)[:80]}-{job.pk}.{job.format}"
    part = folder / f"{name}.{attempt}.part"
    try:
        with from_replica():  # the rows; the job's own progress is a write, on the primary
            if export.document:
                _print(job, attempt, export, part)
            elif export.payload:
                _write_json(job, attempt, export, part)
            else:
                write = _write_xlsx if job.format == ExportJob.Format.XLSX else _write_csv
                chunks = export.chunks(job.params, chunk_size)
                write(part, export.columns(job.params), _progressing(job, attempt, chunks))
    except Superseded:
        part.unlink(missing_ok=True)
        return None
    except (PrintingUnavailable, ValueError) as exc:  # said to the user on the job's page; no retry helps
        part.unlink(missing_ok=True)
        return _fail(job, f"The export stopped: {exc}")
    except Exception as exc:
        part.unlink(missing_ok=True)
        _fail(job, f"The export stopped: {exc}")
        raise
    with transaction.atomic():
        current = ExportJob.objects.select_for_update().get(pk=job.pk)
        if current.attempt != attempt:
            part.unlink(missing_ok=True)
            return None
        part.replace(folder / name)
        current.status, current.file_name, current.finished_at = ExportJob.Status.DONE, name, timezone.now()
        current.save(update_fields=["status", "file_name", "finished_at"])
    return current


def _print(job: ExportJob, attempt: int, export, part: Path) -> None:
    """Two steps: read the data into the page, then print it."""
    html = export.document(job.params)
    if not ExportJob.objects.filter(pk=job.pk, attempt=attempt).update(written=1):
        raise Superseded
    html_to_pdf(html, part)
    if not ExportJob.objects.filter(pk=job.pk, attempt=attempt).update(written=2):
        raise Superseded


def _write_json(job: ExportJob, attempt: int, export, part: Path) -> None:
    document = export.payload(job.params)
    with part.open("w", encoding="utf-8") as out:
        json.dump(document, out, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
    if not ExportJob.objects.filter(pk=job.pk, attempt=attempt).update(written=F("total")):
        raise Superseded


def _progressing(job: ExportJob, attempt: int, chunks):
    for rows in chunks:
        yield rows
        moved = ExportJob.objects.filter(pk=job.pk, attempt=attempt).update(written=F("written") + len(rows))
        if not moved:
            raise Superseded


def _write_csv(path: Path, columns: list[str], chunks) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as out:  # the BOM: Excel reads it as UTF-8
        writer = csv.writer(out)
        writer.writerow(columns)
        for rows in chunks:
            writer.writerows([neutralise(cell) for cell in row] for row in rows)


def _write_xlsx(path: Path, columns: list[str], chunks) -> None:
    workbook = Workbook(write_only=True)  # rows stream to a temporary file, not held in memory
    sheet = workbook.create_sheet("Export")
    sheet.append(columns)
    for rows in chunks:
        for row in rows:
            sheet.append([_cell(cell) for cell in row])
    workbook.save(path)


def _cell(value):
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    return neutralise(value)


def _fail(job: ExportJob, message: str) -> ExportJob:
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, error=message[:2000])
    job.refresh_from_db()
    return job


def export_file(job: ExportJob) -> Path | None:
    if job.status != ExportJob.Status.DONE or not job.file_name:
        return None
    path = exports_dir() / job.file_name
    return path if path.exists() else None


def exports_forget(*, now=None) -> int:
    """Delete files and jobs older than a week (a periodic task)."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    old = ExportJob.objects.filter(created_at__lt=cutoff)
    for job in old:
        if job.file_name:
            (exports_dir() / job.file_name).unlink(missing_ok=True)
    return old.delete()[0]
