from celery import shared_task

from audiences import scoring
from audiences.data_subjects import retention
from audiences.data_subjects import services as data_subjects
from audiences.models import Segment
from audiences.segments import recheck as segment_recheck
from audiences.segments import services as segment_services


@shared_task(name="audiences.segment_refresh")
def segment_refresh(segment_id: int) -> int | None:
    segment = Segment.objects.filter(pk=segment_id).first()
    if segment is None:
        return None
    return segment_services.segment_refresh(segment=segment).count


@shared_task(name="audiences.segments_refresh_all")
def segments_refresh_all() -> int:
    return len(segment_services.segments_refresh_all())


@shared_task(name="audiences.segment_memberships_recheck")
def segment_memberships_recheck() -> int:
    """The number of customers re-evaluated; safe to run twice or side by side."""
    return segment_recheck.memberships_recheck().customers


@shared_task(name="audiences.scores_recompute")
def scores_recompute() -> int:
    return scoring.scores_recompute()


@shared_task(name="audiences.erasure_run", ignore_result=True, acks_late=True)
def erasure_run_task(request_id: int) -> None:
    """Erase a customer's personal data; delivered again after a killed worker, it resumes (acks late)."""
    data_subjects.erasure_run(request_id=request_id)


@shared_task(name="audiences.events_retention", ignore_result=True)
def events_retention() -> int:
    return retention.events_prune()
