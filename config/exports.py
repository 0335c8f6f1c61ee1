"""The exports an analyst can ask for in the background: each app registers what it knows
(`register_export`), so config lists them without knowing the apps above it.

An export answers its column names and its rows in chunks; `resource_export` builds one from a
django-import-export resource, so a background file has the same columns as the admin's Export button.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

CHUNK = 2_000


@dataclass(frozen=True)
class Export:
    key: str
    title: str
    permission: str  # "app.view_model": offered only to users who may see what it holds
    columns: Callable[[dict], list[str]]
    count: Callable[[dict], int]
    chunks: Callable[[dict, int], Iterator[list[list]]]  # (params, chunk size) -> lists of rows
    param: str = ""  # the one parameter it needs, e.g. "campaign" (its id); empty: none
    describe: Callable[[dict], str] = lambda params: ""  # the title's detail for these params
    position: int = 100
    document: Callable[[dict], str] | None = None  # a report: its whole HTML page, printed to PDF
    payload: Callable[[dict], object] | None = None  # one JSON document (a customer's data), written as a file


def document_export(*, key: str, title: str, permission: str, model, render) -> Export:
    """A printable report of one `model` row (`render(row)`: its HTML page) made into a PDF in the background;
    the job's parameter is named after the model (`campaign`, `segment`)."""
    param = model._meta.model_name

    def document(params: dict) -> str:
        row = model.objects.filter(pk=params.get(param)).first()
        if row is None:
            raise ValueError(f"there is no {model._meta.verbose_name} {params.get(param)}.")
        return render(row)

    def describe(params: dict) -> str:
        return str(model.objects.filter(pk=params.get(param)).first() or f"unknown {model._meta.verbose_name}")

    return Export(key=key, title=title, permission=permission, columns=lambda params: [], count=lambda params: 2,
                  chunks=lambda params, size: iter(()), param=param, describe=describe, document=document,
                  position=200)  # fmt: skip


def payload_export(*, key: str, title: str, permission: str, model, build, size) -> Export:
    """One JSON document about a `model` row (`build(row)`, JSON-ready; `size(row)`: the rows it reads) written
    in the background; the job's parameter is named after the model (`customer`)."""
    param = model._meta.model_name

    def row_of(params: dict):
        row = model.objects.filter(pk=params.get(param)).first()
        if row is None:
            raise ValueError(f"there is no {model._meta.verbose_name} {params.get(param)}.")
        return row

    return Export(key=key, title=title, permission=permission, columns=lambda params: [],
                  count=lambda params: size(row_of(params)), chunks=lambda params, size: iter(()), param=param,
                  describe=lambda params: str(params.get(param)), payload=lambda params: build(row_of(params)),
                  position=300)  # fmt: skip


_exports: dict[str, Export] = {}


def register_export(export: Export) -> None:
    _exports[export.key] = export


def exports_for(user) -> list[Export]:
    """The table exports open to the user (reports are asked for from their own pages)."""
    return sorted(
        (e for e in _exports.values() if e.document is None and e.payload is None and user.has_perm(e.permission)),
        key=lambda e: (e.position, e.key),
    )


def export_for(user, key: str) -> Export | None:
    export = _exports.get(key)
    return export if export is not None and user.has_perm(export.permission) else None


def export_named(key: str) -> Export | None:
    return _exports.get(key)


def resource_export(*, key: str, title: str, permission: str, resource, queryset, position: int = 100) -> Export:
    """An export of a django-import-export resource over `queryset()` (every row), read in id order by chunks
    (keyset, never OFFSET), each chunk through the resource's own dehydration and prefetching."""

    def chunks(params: dict, size: int) -> Iterator[list[list]]:
        last = 0
        while True:
            ids = list(queryset().filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
            if not ids:
                return
            dataset = resource().export(queryset=queryset().filter(pk__in=ids).order_by("pk"))
            yield [list(row) for row in dataset]
            last = ids[-1]

    return Export(
        key=key,
        title=title,
        permission=permission,
        columns=lambda params: list(resource().get_export_headers()),
        count=lambda params: queryset().count(),
        chunks=chunks,
        position=position,
    )
