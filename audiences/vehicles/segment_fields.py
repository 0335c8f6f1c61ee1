"""The segment fields over vehicles: a condition holds when any vehicle the customer owns now (status owned)
matches it, as one EXISTS over the vehicle indexes (audiences/vehicles/models.py)."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from audiences.models import Vehicle, VehicleStatus
from audiences.segments.fields import COMPARISON, Compiler, Condition, SegmentField, column, register_segment_field

DATE_OPS = ("within_days", "older_than_days", "gt", "gte", "lt", "lte", "between", "exists")
# Vehicle dates are mostly to come: "within N days" looks ahead, from today to N days on.
DATE_OP_LABELS = {"within_days": "within the next (days)", "older_than_days": "passed more than … days ago"}
# age > N  <=>  model year < this year - N: the comparison turns around.
_AGE_TO_YEAR_OP = {"gt": "lt", "gte": "lte", "lt": "gt", "lte": "gte"}


def owns_vehicle(matching: Q) -> Q:
    return Q(Exists(Vehicle.objects.filter(matching, owner=OuterRef("pk"), status=VehicleStatus.OWNED)))


def on_owned_vehicle(compile_on_vehicle: Compiler, path: str) -> Compiler:
    """A condition on one column of the customer's owned vehicles; `exists false`: no owned vehicle has it."""

    def compile_condition(condition: Condition, value) -> Q:
        if condition.op == "exists":
            known = owns_vehicle(Q(**{f"{path}__isnull": False}))
            return known if value else ~known
        return owns_vehicle(compile_on_vehicle(condition, value))

    return compile_condition


def _today(condition: Condition):
    return timezone.localdate(condition.now)


def _date(path: str) -> Compiler:
    def compile_condition(condition: Condition, value) -> Q:
        op, today = condition.op, _today(condition)
        if op == "within_days":
            return Q(**{f"{path}__gte": today, f"{path}__lte": today + timedelta(days=value)})
        if op == "older_than_days":
            return Q(**{f"{path}__lt": today - timedelta(days=value)})
        if op == "between":
            return Q(**{f"{path}__gte": value[0].date(), f"{path}__lte": value[1].date()})
        return Q(**{f"{path}__{op}": value.date()})

    return compile_condition


def _age_years(condition: Condition, value) -> Q:
    """A vehicle's age is this year (the rule's clock) less its model year: a 2019 car is 7 in 2026."""
    this_year = _today(condition).year
    op = condition.op
    if op == "between":
        return Q(year__gte=this_year - value[1], year__lte=this_year - value[0])
    if op in ("in", "not_in"):
        years = [this_year - age for age in value]
        return Q(year__in=years) if op == "in" else ~Q(year__in=years)
    if op in ("eq", "ne"):
        return Q(year=this_year - value) if op == "eq" else ~Q(year=this_year - value)
    return Q(**{f"year__{_AGE_TO_YEAR_OP[op]}": this_year - value})


def _text(path: str) -> Compiler:
    """Makes and models compare without regard to case: "toyota" finds "Toyota"."""

    def compile_condition(condition: Condition, value) -> Q:
        op = condition.op
        if op == "contains":
            return Q(**{f"{path}__icontains": value})
        if op in ("in", "not_in"):
            any_of = Q()
            for item in value:
                any_of |= Q(**{f"{path}__iexact": item})
            return any_of if op == "in" else ~any_of
        return Q(**{f"{path}__iexact": value}) if op == "eq" else ~Q(**{f"{path}__iexact": value})

    return compile_condition


def register_vehicle_fields() -> None:
    integer = {"kind": "integer", "ops": COMPARISON}
    text = {"kind": "text", "ops": ("eq", "ne", "in", "not_in", "contains", "exists")}
    dates = {"kind": "datetime", "ops": DATE_OPS, "op_labels": DATE_OP_LABELS}
    for name, path, compile_on_vehicle, kind, label, description in [
        ("vehicle.age_years", "year", _age_years, integer, "Vehicle: age (years)",
         "This year less the model year, for any vehicle the customer owns: a 2019 car is 7 in 2026."),
        ("vehicle.make", "make", _text("make"), text, "Vehicle: make", "Any vehicle the customer owns; any case."),
        ("vehicle.model", "model", _text("model"), text, "Vehicle: model", "Any vehicle the customer owns; any case."),
        ("vehicle.year", "year", column("year"), integer, "Vehicle: model year", "Any vehicle the customer owns."),
        ("vehicle.mileage", "mileage", column("mileage"), integer, "Vehicle: mileage (km)",
         "The latest odometer reading of any vehicle the customer owns."),
        ("vehicle.next_service_due", "next_service_due", _date("next_service_due"), dates,
         "Vehicle: next service due", "Within the next N days: from today to N days on; overdue: before today."),
        ("vehicle.warranty_ends", "warranty_ends", _date("warranty_ends"), dates, "Vehicle: warranty ends",
         "Within the next N days: from today to N days on."),
    ]:  # fmt: skip
        register_segment_field(
            SegmentField(
                name=name,
                compile=on_owned_vehicle(compile_on_vehicle, path),
                label=label,
                description=description,
                **kind,
            )
        )
