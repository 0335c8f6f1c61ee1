"""A lean path through an input serializer for the storefront's hot requests.

DRF builds a serializer's fields afresh for every request (a deep copy of each declared field, for
every nested serializer and every list item's): for `CartInput` that is most of the ~0.65 ms its
validation costs. `LeanInput` builds the fields once and runs each field's own `run_validation` on
the request's values, so a value is accepted, converted and defaulted exactly as the serializer
would; it only takes over the walk through dicts and lists.

Input the walk does not positively accept — any field error, a wrong type where a dict or list
belongs, a list too long, the serializer's `validate` refusing — goes through the serializer itself,
so every refusal is the serializer's own, in the API's one error shape. The schema is the
serializer's too: views keep declaring it in `extend_schema`.

Serializers with a kind of field the walk does not know (any container other than a list or dict of
scalars, a list of serializers or a nested serializer), `validate_<field>` methods or validators of
their own are refused when the `LeanInput` is built. A dict of scalars builds no fields per request:
its own `run_validation` answers for it whole.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import fields as drf_fields
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField, empty


class _Refused(Exception):
    """The lean walk does not accept this input: the serializer answers instead."""


class LeanInput:
    def __init__(self, serializer_class: type[serializers.Serializer]):
        self.serializer_class = serializer_class
        self._walk = _compile(serializer_class())

    def validated(self, data) -> dict:
        """The serializer's `validated_data` for `data`, or its 400 (`ValidationError`) naming each field."""
        try:
            return self._walk(data)
        except (_Refused, ValidationError, DjangoValidationError, SkipField):
            serializer = self.serializer_class(data=data)
            serializer.is_valid(raise_exception=True)
            # The lean walk refused what the serializer accepts: still the serializer's answer.
            return dict(serializer.validated_data)


_CONTAINERS = (serializers.BaseSerializer, drf_fields.ListField, drf_fields.DictField, drf_fields.HStoreField)


def _compile(serializer: serializers.Serializer) -> Callable[[object], dict]:
    own_checks = [name for name in serializer.fields if hasattr(serializer, f"validate_{name}")]
    if own_checks or serializer.validators:
        raise TypeError(f"{type(serializer).__name__} has field checks or validators the lean walk does not run.")
    steps = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if field.source != name:
            raise TypeError(f"{type(serializer).__name__}.{name}: a field with a source of its own.")
        steps.append((name, _field_step(field)))
    validate = serializer.validate  # the class's cross-field checks; stateless for these inputs

    def walk(data) -> dict:
        if type(data) is not dict:
            raise _Refused
        values = {}
        for name, step in steps:
            try:  # noqa: SIM105 - a context manager per field costs more on this hot path
                values[name] = step(data.get(name, empty))
            except SkipField:
                pass
        return validate(values)

    return walk


def _field_step(field) -> Callable[[object], object]:
    if isinstance(field, serializers.ListSerializer):
        return _container(field, _list_of(field, _compile(field.child)))
    if isinstance(field, serializers.Serializer):
        return _container(field, _compile(field))
    if isinstance(field, drf_fields.ListField):
        if isinstance(field.child, _CONTAINERS):
            raise TypeError(f"{field.field_name}: a list of containers.")
        return _container(field, _list_of(field, field.child.run_validation, validators=field.run_validators))
    if isinstance(field, drf_fields.DictField) and not isinstance(field.child, _CONTAINERS):
        return field.run_validation
    if isinstance(field, _CONTAINERS):
        raise TypeError(f"{field.field_name}: {type(field).__name__} is not walked.")
    return field.run_validation


def _container(field, walk: Callable[[object], object]) -> Callable[[object], object]:
    """A nested serializer or list: absent and null as DRF treats them, anything else walked."""

    def step(value):
        if value is empty:
            if field.required:
                raise _Refused
            return field.get_default()  # raises SkipField when there is no default: the key stays out
        if value is None:
            if not field.allow_null:
                raise _Refused
            return None
        return walk(value)

    return step


def _list_of(field, item: Callable[[object], object], validators=None) -> Callable[[object], list]:
    allow_empty = getattr(field, "allow_empty", True)
    max_length, min_length = getattr(field, "max_length", None), getattr(field, "min_length", None)

    def walk(value) -> list:
        if type(value) is not list or (not value and not allow_empty):
            raise _Refused
        if (max_length is not None and len(value) > max_length) or (min_length is not None and len(value) < min_length):
            raise _Refused
        items = [item(one) for one in value]
        if validators is not None:
            validators(items)
        return items

    return walk
