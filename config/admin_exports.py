"""The admin's Exports page: the exports open to the user (config/exports.py), each started in the background
as CSV or XLSX, and their jobs: a progress page that refreshes itself until the download link is there."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from config.errors import DomainError
from config.export_jobs import export_file, export_start
from config.exports import exports_for
from config.models import ExportJob

RECENT = 20


def _own_job(request, job_id: int) -> ExportJob:
    job = get_object_or_404(ExportJob, pk=job_id)
    if job.created_by_id != request.user.pk and not request.user.is_superuser:
        raise PermissionDenied
    return job


def exports_view(site, request):
    context = {
        **site.each_context(request),
        "title": "Exports",
        "exports": exports_for(request.user),
        "jobs": ExportJob.objects.filter(created_by=request.user)[:RECENT],
    }
    return TemplateResponse(request, "admin/exports.html", context)


def export_start_view(site, request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    params = {key: value for key, value in request.POST.items() if key not in ("csrfmiddlewaretoken", "key", "format")}
    try:
        key, file_format = request.POST.get("key", ""), request.POST.get("format", "")
        job = export_start(user=request.user, key=key, file_format=file_format, params=params)
    except DomainError as exc:
        messages.error(request, f"Nothing was exported: {exc.message}")
        return redirect("admin:exports")
    return redirect("admin:export_job", job.pk)


def export_job_view(site, request, job_id: int):
    job = _own_job(request, job_id)
    context = {
        **site.each_context(request),
        "title": job.title,
        "job": job,
        "refresh": job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING),
        "ready": export_file(job) is not None,
    }
    return TemplateResponse(request, "admin/export_job.html", context)


def export_download_view(site, request, job_id: int):
    job = _own_job(request, job_id)
    path = export_file(job)
    if path is None:
        raise Http404("This export has no file (yet, or any more).")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
