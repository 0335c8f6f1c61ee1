import logging

from celery import shared_task
from django.utils import timezone

from audiences import scoring
from audiences.clv import services as clv_services
from audiences.data_subjects import retention
from audiences.data_subjects import services as data_subjects
from audiences.models import Segment
from audiences.recommendations import services as recommendation_services
from audiences.segments import recheck as segment_recheck
from audiences.segments import services as segment_services
from audiences.services import orders
from audiences.services.event_partitions import event_partitions_ensure

logger = logging.getLogger(__name__)


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


@shared_task(name="audiences.order_placed", ignore_result=True, acks_late=True)
def order_placed_task(order_id: int) -> bool:
    """An order committed: its `order_placed` receivers (loyalty's first-order bonus, journeys' checks) run here."""
    return orders.order_placed_announce(order_id=order_id)


@shared_task(name="audiences.events_retention", ignore_result=True)
def events_retention() -> int:
    return retention.events_prune()


@shared_task(name="audiences.event_partitions_ensure", ignore_result=True)
def event_partitions_ensure_task() -> int:
    """The number of partitions created; rows moved out of DEFAULT are logged by month."""
    created = event_partitions_ensure(now=timezone.now())
    for month, moved in created.items():
        logger.info("events: partition %04d-%02d created, %s rows moved from DEFAULT", month.year, month.month, moved)
    return len(created)


@shared_task(name="audiences.recommendations_compute", bind=True)
def recommendations_compute(self) -> int:
    """Every customer's recommendations, replaced whole; progress in the log (and the task state when Celery
    keeps results). Safe to run twice. Returns how many customers were done."""

    def progress(customers: int, currency: str) -> None:
        logger.info("recommendations: %s customers done (%s)", f"{customers:,}", currency)
        if self.app.conf.result_backend and self.request.id:
            self.update_state(state="PROGRESS", meta={"customers": customers, "currency": currency})

    return recommendation_services.recommendations_compute(progress=progress).customers


@shared_task(name="audiences.predictions_compute")
def predictions_compute() -> int:
    """Every buying customer's predicted lifetime value and churn risk; safe to run twice."""
    return clv_services.predictions_compute().customers
