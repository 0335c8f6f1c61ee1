"""The API examples in docs/ are what the API answers, so the docs cannot drift from it again.

A JSON example in docs/*.md or README.md is labelled by an HTML comment on the line before it:

    <!-- api-request: POST /api/v1/templates -->
    <!-- api-answer: POST /api/v1/templates 201 -->

Every labelled example must fit the OpenAPI schema the API serves, strictly: no field the schema
does not have (the `sms` block docs once showed), every field it requires, errors in the one error
shape with the code the API uses for that status. An answer right after the request it answers, on
a path without placeholders, is also replayed against the real API: same status, same shape (the
same keys all the way down, so `fields` names what the API names). An answer written inline
(`→ 400 {...}`) cannot be checked, so it is refused.
"""

import copy
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator

DOCS = [*sorted(Path(settings.BASE_DIR, "docs").glob("*.md")), Path(settings.BASE_DIR, "README.md")]
LABEL = re.compile(r"^\s*<!-- api-(request|answer): (GET|POST|PUT|PATCH|DELETE) (\S+)(?: (\d{3}))? -->\s*$")
FENCE = re.compile(r"^\s*```json\s*$")
INLINE_ANSWER = re.compile(r"→\s*\d{3}\s*\{")
# The code config.api.errors gives each status it produces itself (domain errors bring their own).
ERROR_CODES = {400: {"invalid", "parse_error"}, 403: {"permission_denied"}, 404: {"not_found"}}


@dataclass(frozen=True)
class Example:
    doc: str
    line: int
    kind: str  # "request" or "answer"
    method: str
    path: str
    status: int | None
    body: str
    follows_request: "Example | None" = None

    def __str__(self) -> str:
        return f"{self.doc}:{self.line} {self.kind} {self.method} {self.path} {self.status or ''}".strip()


def _examples() -> list[Example]:
    examples = []
    for doc in DOCS:
        lines = doc.read_text(encoding="utf-8").splitlines()
        previous = None
        for number, line in enumerate(lines):
            label = LABEL.match(line)
            if not label:
                continue
            assert number + 1 < len(lines) and FENCE.match(lines[number + 1]), f"{doc.name}:{number + 1}: no ```json"
            end = next(i for i in range(number + 2, len(lines)) if lines[i].strip() == "```")
            kind, method, path, status = label.groups()
            example = Example(
                doc=doc.name,
                line=number + 1,
                kind=kind,
                method=method,
                path=path,
                status=int(status) if status else None,
                body="\n".join(lines[number + 2 : end]),
                follows_request=previous if previous and (previous.method, previous.path) == (method, path) else None,
            )
            examples.append(example)
            previous = example if kind == "request" else None
    return examples


EXAMPLES = _examples()


@lru_cache(maxsize=1)
def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _strict(node, components: dict, depth: int = 0):
    """The OpenAPI 3.0 schema as strict JSON Schema: references inlined, `nullable` as null, and
    objects that list their properties closed to any other."""
    if depth > 30:
        return {}
    if isinstance(node, list):
        return [_strict(item, components, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _strict(components[node["$ref"].rsplit("/", 1)[1]], components, depth + 1)
    node = {key: _strict(value, components, depth + 1) for key, value in node.items()}
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


def _operation_schema(example: Example) -> dict:
    schema = _schema()
    operation = schema["paths"].get(example.path, {}).get(example.method.lower())
    assert operation, f"{example}: the API has no {example.method} {example.path}"
    if example.kind == "request":
        part = operation.get("requestBody", {})
    else:
        part = operation["responses"].get(str(example.status))
        assert part, f"{example}: {example.method} {example.path} never answers {example.status}"
    content = part.get("content", {}).get("application/json")
    assert content, f"{example}: no JSON {example.kind} documented for it"
    return _strict(copy.deepcopy(content["schema"]), schema["components"]["schemas"])


def _shape(value):
    """Keys all the way down, and the type of each leaf: what a client relies on."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted({json.dumps(_shape(item), sort_keys=True) for item in value})
    return "null" if value is None else type(value).__name__


def test_the_docs_have_labelled_api_examples():
    kinds = {(example.doc, example.kind) for example in EXAMPLES}
    assert {("messaging.md", "request"), ("messaging.md", "answer"), ("foundation.md", "answer")} <= kinds


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_no_answer_is_written_inline_where_it_cannot_be_checked(doc):
    inline = [
        f"{doc.name}:{number}: {line.strip()}"
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1)
        if INLINE_ANSWER.search(line)
    ]
    assert inline == [], "write API answers as labelled ```json blocks (see this test's docstring)"


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_each_example_fits_the_api_schema(example):
    body = json.loads(example.body)
    errors = sorted(
        jsonschema.Draft7Validator(_operation_schema(example)).iter_errors(body), key=lambda error: error.path
    )
    assert not errors, f"{example}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors)
    if example.kind == "answer" and example.status in ERROR_CODES:
        assert body["code"] in ERROR_CODES[example.status], f"{example}: the API answers another code"


REPLAYED = [example for example in EXAMPLES if example.follows_request and "{" not in example.path]


@pytest.mark.django_db
@pytest.mark.parametrize("example", REPLAYED, ids=str)
def test_an_answer_after_its_request_is_what_the_api_answers(example, admin_client_api):
    request = json.loads(example.follows_request.body)
    call = getattr(admin_client_api, example.method.lower())
    real = call(example.path, request, format="json")
    assert real.status_code == example.status, real.json()
    assert _shape(json.loads(example.body)) == _shape(real.json()), json.dumps(real.json(), ensure_ascii=False)
