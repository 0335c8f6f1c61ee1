"""The demo's journeys: the ready-made abandoned cart switched on, and a few demo customers' carts entered into it,
so `make run` shows enrollments waiting for their 1-hour reminder (and the 10% holdout) in the admin; and
complaint recovery, with three resolved complaints whose store managers are emailed. The carts
enter directly rather than as recorded events, so the demo leaves no pending segment recheck behind a flush."""

from django.db import transaction
from django.utils import timezone

from audiences.models import Consent, ConsentStatus, Customer
from campaigns.journeys.entry import journey_enter, live_versions
from campaigns.journeys.models import Enrollment, Journey, StepRun
from campaigns.journeys.services import journey_update
from messaging.models import Message

DEMO_JOURNEY = "abandoned_cart"
DEMO_CARTS = 20
DEMO_COMPLAINT_JOURNEY = "complaint_recovery"
DEMO_COMPLAINTS = 3


@transaction.atomic
def demo_journey_start() -> int:
    """Returns how many demo carts entered (0 when the journey is missing or already on)."""
    journey = Journey.objects.filter(code=DEMO_JOURNEY).first()
    if journey is None or journey.active:
        return 0
    journey_update(journey=journey, active=True)
    consenting = Consent.objects.filter(status=ConsentStatus.OPTED_IN, topic="marketing").values("customer_id")
    customers = Customer.objects.filter(pk__in=consenting).order_by("pk")[:DEMO_CARTS]
    (version,) = [version for version in live_versions() if version.journey_id == journey.pk]
    now = timezone.now()
    for customer in customers:
        cart = f"DEMO-CART-{customer.pk}"
        snapshot = {"event": "cart_updated", "properties": {"cart_id": cart}}
        journey_enter(version=version, customer_id=customer.pk, key=cart, snapshot=snapshot, now=now)
    _demo_complaints_start(list(customers)[-DEMO_COMPLAINTS:], now)
    return len(customers)


def _demo_complaints_start(customers, now) -> None:
    """complaint_recovery on, with a few resolved complaints: the first tick emails the store's manager (the
    console in `make run`), and the apologies wait for their hour."""
    journey = Journey.objects.filter(code=DEMO_COMPLAINT_JOURNEY).first()
    if journey is None or journey.active:
        return
    journey_update(journey=journey, active=True)
    (version,) = [version for version in live_versions() if version.journey_id == journey.pk]
    for customer in customers:
        complaint = f"DEMO-COMPLAINT-{customer.pk}"
        snapshot = {"event": "complaint_resolved", "properties": {"complaint_id": complaint}}
        journey_enter(version=version, customer_id=customer.pk, key=complaint, snapshot=snapshot, now=now)


def demo_journeys_remove() -> None:
    """Before the demo's customers are flushed: every enrollment and journey message refers to one of them.
    The demo journey is switched off, so the next seeding starts it again."""
    StepRun.objects.all().delete()
    Enrollment.objects.all().delete()
    Message.objects.exclude(journey="").delete()
    Journey.objects.filter(code__in=[DEMO_JOURNEY, DEMO_COMPLAINT_JOURNEY]).update(active=False)
