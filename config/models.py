from django.db import models


class Heartbeat(models.Model):
    """Last time a periodic task ran through beat and a worker: the liveness of the pipeline."""

    name = models.CharField(max_length=64, unique=True)
    last_seen_at = models.DateTimeField()
    beats = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.name} @ {self.last_seen_at:%Y-%m-%d %H:%M:%S}"
