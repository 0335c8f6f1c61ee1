from django.conf import settings
from django.db import models


class Heartbeat(models.Model):
    """Last time a periodic task ran through beat and a worker: the liveness of the pipeline."""

    name = models.CharField(max_length=64, unique=True)
    last_seen_at = models.DateTimeField()
    beats = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.name} @ {self.last_seen_at:%Y-%m-%d %H:%M:%S}"


class ExportJob(models.Model):
    """A file an analyst asked for, written in the background in chunks (config/export_jobs.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        PDF = "pdf", "PDF"
        JSON = "json", "JSON"

    key = models.SlugField(max_length=64, help_text="The registered export (config/exports.py).")
    title = models.CharField(max_length=200)
    format = models.CharField(max_length=4, choices=Format.choices)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Rows to write, counted when the run starts.")
    written = models.PositiveIntegerField(default=0)
    attempt = models.PositiveIntegerField(default=0, help_text="Each run takes the next; an older run stops.")
    file_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.title} ({self.format})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.written * 100 // self.total) if self.total else 0
