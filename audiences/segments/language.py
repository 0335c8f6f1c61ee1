"""The segment rule language: validation and compilation to one ORM query.

    {"all": [...]} / {"any": [...]} / {"not": rule}
    {"field": name, "op": op, "value": v, "within_days"?: n, "currency"?: code (amounts: required),
     and the field's own keys ("store": code for distance_km)}
    {"event": type, "within_days"?: n, "min_count"?: n, "properties"?: {key: value or {"in": [...]}}}
    {"segment": code}

`validate_rules` checks a tree and names the first problem by its path
(`rules.all[2].value: expects a whole number, got "x"`). `compile_rules` turns a valid tree into a
`Q` over Customer: nested segments are inlined, so a count or a refresh is a single SQL query.
"""

import operator
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from functools import reduce

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from audiences.currencies import CURRENCY_EXPONENTS, minor_unit_error
from audiences.models import Event
from audiences.segments.event_properties import parse_properties, properties_match
from audiences.segments.fields import Condition, SegmentField, segment_field
from audiences.segments.values import MAX_DAYS, MAX_WHOLE_NUMBER, RuleError, parse_value, whole_number

RulesResolver = Callable[[str], dict | None]  # segment code -> its rules, None when unknown
MAX_DEPTH = 12
GROUP_KEYS = ("all", "any")


def validate_rules(rules, *, resolve: RulesResolver, own_code: str | None = None) -> set[str]:
    """Raise RuleError naming the first problem; return the codes of segments the rules use."""
    if not isinstance(rules, dict) or not any(key in rules for key in (*GROUP_KEYS, "not")):
        raise RuleError('rules: the top level must be a group such as {"all": [...]}')
    used: set[str] = set()
    _validate(rules, "rules", used, depth=0)
    _check_cycles(own_code, used, resolve)
    return used


def _validate(node, where: str, used: set[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise RuleError(f"{where}: rules nest deeper than {MAX_DEPTH} levels")
    if not isinstance(node, dict):
        raise RuleError(f"{where}: expects an object, got {node!r}")
    kinds = [key for key in (*GROUP_KEYS, "not", "field", "event", "segment") if key in node]
    if len(kinds) != 1:
        raise RuleError(f"{where}: expects exactly one of all, any, not, field, event, segment")
    kind = kinds[0]
    if kind in GROUP_KEYS:
        children = node[kind]
        _only(node, {kind}, where)
        if not isinstance(children, list) or not children:
            raise RuleError(f"{where}.{kind}: expects a non-empty list of rules")
        for index, child in enumerate(children):
            _validate(child, f"{where}.{kind}[{index}]", used, depth + 1)
    elif kind == "not":
        _only(node, {"not"}, where)
        _validate(node["not"], f"{where}.not", used, depth + 1)
    elif kind == "segment":
        _only(node, {"segment"}, where)
        if not isinstance(node["segment"], str) or not node["segment"]:
            raise RuleError(f"{where}.segment: expects a segment code")
        used.add(node["segment"])
    elif kind == "event":
        _validate_event(node, where)
    else:
        _validate_field(node, where)


def _only(node: dict, allowed: set[str], where: str) -> None:
    extra = sorted(set(node) - allowed)
    if extra:
        raise RuleError(f"{where}: unexpected key {extra[0]!r}")


def _whole_number(node: dict, key: str, where: str, maximum: int) -> None:
    if key in node:
        try:
            whole_number(node[key], minimum=1, maximum=maximum)
        except RuleError as exc:
            raise RuleError(f"{where}.{key}: {exc}") from None


def _validate_event(node: dict, where: str) -> None:
    _only(node, {"event", "within_days", "min_count", "properties"}, where)
    if not isinstance(node["event"], str) or not node["event"]:
        raise RuleError(f'{where}.event: expects an event type such as "complaint_opened"')
    _whole_number(node, "within_days", where, MAX_DAYS)
    _whole_number(node, "min_count", where, MAX_WHOLE_NUMBER)
    if "properties" in node:
        parse_properties(node["properties"], f"{where}.properties")


def _validate_field(node: dict, where: str) -> None:
    name = node["field"]
    spec = segment_field(name) if isinstance(name, str) else None
    _only(node, {"field", "op", "value", "within_days", "currency", *(spec.options if spec else ())}, where)
    if spec is None:
        raise RuleError(f"{where}.field: unknown field {name!r}")
    for key, label in spec.options.items():
        if not isinstance(node.get(key), str) or not node[key]:
            raise RuleError(f"{where}.{key}: field {name!r} needs {label.lower()} in {key!r}")
    _validate_currency(node, spec, where)
    op = node.get("op")
    if op not in spec.ops:
        raise RuleError(f"{where}.op: field {name!r} does not take operator {op!r}; use one of {', '.join(spec.ops)}")
    if "value" not in node:
        raise RuleError(f"{where}.value: missing")
    if "within_days" in node and not spec.accepts_within_days:
        raise RuleError(f"{where}.within_days: field {name!r} does not take within_days")
    _whole_number(node, "within_days", where, MAX_DAYS)
    try:
        parse_value(spec, op, node["value"])
    except RuleError as exc:
        raise RuleError(f"{where}.value: field {name!r} {exc}") from None


def _validate_currency(node: dict, spec: SegmentField, where: str) -> None:
    """An amount means nothing without its currency: money conditions name one, others take none."""
    if spec.kind != "money":
        if "currency" in node:
            raise RuleError(f"{where}.currency: field {spec.name!r} is not an amount and takes no currency")
        return
    currency = node.get("currency")
    if currency is None:
        raise RuleError(
            f'{where}.currency: field {spec.name!r} is an amount: name its currency, e.g. "currency": "TZS"'
        )
    if not isinstance(currency, str) or currency not in CURRENCY_EXPONENTS:
        raise RuleError(f"{where}.currency: unknown currency {currency!r}; use an ISO 4217 code such as TZS")
    if node.get("op") in spec.ops and "value" in node:
        try:
            amounts = parse_value(spec, node["op"], node["value"])
        except RuleError:
            return  # reported with the value
        for amount in amounts if isinstance(amounts, list) else [amounts]:
            if isinstance(amount, Decimal) and (message := minor_unit_error(amount, currency)):
                raise RuleError(f"{where}.value: {message}")


def _check_cycles(own_code: str | None, used: set[str], resolve: RulesResolver) -> None:
    """Follow nested segments depth-first; a path back to a segment on it is a cycle."""

    def visit(code: str, path: tuple[str, ...]) -> None:
        if code in path:
            raise RuleError(f"rules: segments refer to each other in a cycle: {' -> '.join((*path, code))}")
        rules = resolve(code)
        if rules is None:
            raise RuleError(f"rules: unknown segment {code!r}")
        for child in sorted(referenced_segments(rules)):
            visit(child, (*path, code))

    start = (own_code,) if own_code else ()
    for code in sorted(used):
        visit(code, start)


def referenced_segments(node) -> set[str]:
    if not isinstance(node, dict):
        return set()
    if "segment" in node:
        return {node["segment"]}
    found: set[str] = set()
    for key in GROUP_KEYS:
        for child in node.get(key, []) or []:
            found |= referenced_segments(child)
    if "not" in node:
        found |= referenced_segments(node["not"])
    return found


def compile_rules(rules: dict, *, resolve: RulesResolver, now: datetime | None = None) -> Q:
    """A Q over Customer for a validated rule tree."""
    return _compile(rules, resolve, now or timezone.now(), depth=0)


def _compile(node: dict, resolve: RulesResolver, now: datetime, depth: int) -> Q:
    if depth > MAX_DEPTH * 4:
        raise RuleError("rules: nested segments go too deep")
    # An empty "all" holds for everyone, an empty "any" for no one (as in logic, and as the counts show).
    for key, combine, empty in (("all", operator.and_, Q()), ("any", operator.or_, Q(pk__in=[]))):
        if key in node:
            children = [_compile(child, resolve, now, depth + 1) for child in node[key]]
            return reduce(combine, children) if children else empty
    if "not" in node:
        return ~_compile(node["not"], resolve, now, depth + 1)
    if "segment" in node:
        rules = resolve(node["segment"])
        if rules is None:
            raise RuleError(f"rules: unknown segment {node['segment']!r}")
        return _compile(rules, resolve, now, depth + 1)
    if "event" in node:
        return _compile_event(node, now)
    spec = segment_field(node["field"])
    value = parse_value(spec, node["op"], node["value"])
    condition = Condition(
        field=node["field"],
        op=node["op"],
        value=value,
        within_days=node.get("within_days"),
        currency=node.get("currency"),
        now=now,
        options={key: node[key] for key in spec.options},
    )
    return spec.compile(condition, value)


def _compile_event(node: dict, now: datetime) -> Q:
    events = Event.objects.filter(type=node["event"])
    if node.get("properties"):
        events = events.filter(properties_match(node["properties"]))
    if node.get("within_days"):
        events = events.filter(occurred_at__gte=now - timedelta(days=node["within_days"]))
    min_count = node.get("min_count", 1)
    if min_count <= 1:
        return Q(Exists(events.filter(customer=OuterRef("pk"))))
    counted = events.values("customer").annotate(n=Count("id")).filter(n__gte=min_count).values("customer")
    return Q(pk__in=counted)
