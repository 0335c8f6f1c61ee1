"""Row writes every app shares."""

from django.db import IntegrityError, models, transaction


def created_or_locked(model: type[models.Model], /, *, key: dict, **fields) -> tuple[models.Model, bool]:
    """(row, created): a new row with `key` and `fields`, or, when a concurrent insert of the same unique `key`
    got there first (this insert waits at the unique index and fails once that one commits), that row, locked.
    Inside the caller's transaction: the failed insert is rolled back to its own savepoint only. `model` is
    positional-only, so a field may be named `model` (a vehicle's)."""
    try:
        with transaction.atomic():
            return model.objects.create(**key, **fields), True
    except IntegrityError:
        return model.objects.select_for_update().get(**key), False
