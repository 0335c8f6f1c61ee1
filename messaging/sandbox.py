"""The template engine marketers' texts run in, and the bounds on what one render may cost.

Pure (no database). The engine has Django's built-in tags and filters only, minus the tags that reach
outside the message or cannot render in one (`load`, `include`, `extends`, `block`, `url`, `debug`,
`csrf_token`, `querystring`, `lorem`). A render is bounded by a `RenderBudget`:

- steps: every tag, text or variable rendered and every loop item counts one, so nested loops stop
  at the budget instead of running a million times;
- characters: the text rendered so far and any filter's result, so `ljust:"2000000"` stops before it
  builds the string;
- seconds: checked at every step, in the rendering thread itself (no signals, which only reach the
  main thread and would not work in Celery's or gunicorn's worker threads).
"""

import functools
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.template import Engine, Library, TemplateSyntaxError, defaultfilters, defaulttags
from django.template.base import FilterExpression, Node, NodeList, TextNode
from django.template.defaulttags import ForNode

# Rendering recurses once per nested tag (a few frames each); far below Python's recursion limit.
MAX_NESTING = 30
REFUSED_TAGS = ("load", "include", "extends", "block", "url", "debug", "csrf_token", "querystring", "lorem")
# Filters whose argument is a width or a number of digits: the result is built before it could be measured.
_WIDTH_FILTERS = {"ljust", "rjust", "center", "floatformat", "stringformat"}
_DIGITS = re.compile(r"\d+")


class RenderLimitExceeded(ValueError):
    """A render went over one of the bounds (MESSAGING_RENDER_MAX_*)."""


@dataclass
class RenderBudget:
    """What one message has spent and may spend; shared by all the fields of the message."""

    max_steps: int
    max_chars: int
    max_seconds: float
    steps: int = field(init=False, default=0)
    chars: int = field(init=False, default=0)
    deadline: float = field(init=False, default=0.0)

    def __post_init__(self):
        self.deadline = time.monotonic() + self.max_seconds

    @classmethod
    def from_settings(cls) -> "RenderBudget":
        return cls(
            max_steps=settings.MESSAGING_RENDER_MAX_STEPS,
            max_chars=settings.MESSAGING_RENDER_MAX_CHARS,
            max_seconds=settings.MESSAGING_RENDER_MAX_SECONDS,
        )

    def spend(self, *, steps: int = 0, chars: int = 0) -> None:
        self.steps += steps
        self.chars += chars
        if self.steps > self.max_steps:
            raise RenderLimitExceeded(
                f"more than {self.max_steps} steps (tags, values and loop items): a loop runs too many times"
            )
        if self.chars > self.max_chars:
            raise RenderLimitExceeded(f"the message is longer than {self.max_chars} characters")
        if time.monotonic() > self.deadline:
            raise RenderLimitExceeded(f"rendering took more than {self.max_seconds:g} s")

    def check_size(self, length: int) -> None:
        if length > self.max_chars:
            raise RenderLimitExceeded(f"a value would be longer than {self.max_chars} characters")


# The budget of the render in progress in this thread (or task); filters see no context of their own.
current_budget: ContextVar[RenderBudget | None] = ContextVar("message_render_budget", default=None)


def _bounded_filter(name: str, function):
    @functools.wraps(function)  # keeps is_safe, needs_autoescape, ... and the signature Django checks
    def bounded(value, *args, **kwargs):
        budget = current_budget.get()
        if budget is not None and name in _WIDTH_FILTERS and args:
            for digits in _DIGITS.findall(str(args[0])):
                budget.check_size(int(digits) if len(digits) < 10 else budget.max_chars + 1)
        result = function(value, *args, **kwargs)
        if budget is not None and isinstance(result, str | list | tuple):
            budget.check_size(len(result))
        return result

    return bounded


def _refused_tag(name: str):
    def refuse(parser, token):
        raise TemplateSyntaxError(f"the tag '{name}' is not allowed in messages.")

    return refuse


message_library = Library()
message_library.tags.update(defaulttags.register.tags)
message_library.tags.update({name: _refused_tag(name) for name in REFUSED_TAGS})
message_library.filters.update(
    {name: _bounded_filter(name, function) for name, function in defaultfilters.register.filters.items()}
)


class MessageEngine(Engine):
    def get_template_builtins(self, builtins):
        return [message_library]


engine = MessageEngine(debug=True, libraries={}, string_if_invalid="")


def _budgeted(render_annotated, leaf: bool):
    def render(context):
        budget = current_budget.get()
        if budget is None:
            return render_annotated(context)
        budget.spend(steps=1)
        output = render_annotated(context)
        if leaf:  # containers' output is their leaves', already counted
            budget.spend(chars=len(output))
        return output

    return render


class _CountedSequence:
    """A for loop's sequence that charges one step per item before the loop runs."""

    def __init__(self, expression):
        self.expression = expression

    def resolve(self, context, ignore_failures=False):
        values = self.expression.resolve(context, ignore_failures=ignore_failures)
        budget = current_budget.get()
        if budget is not None and hasattr(values, "__len__"):
            budget.spend(steps=len(values))
        return values

    def __str__(self):
        return str(self.expression)


def install_budget(template) -> None:
    """Make every node of a compiled template spend the current budget.

    Django's NodeList and ForNode call `node.render_annotated(context)` for each node and each loop
    item; there is no hook, so each node of this (cached, message-only) template gets its own."""
    for node in template.nodelist.get_nodes_by_type(Node):
        leaf = isinstance(node, TextNode) or not any(getattr(node, name, None) for name in node.child_nodelists)
        node.render_annotated = _budgeted(node.render_annotated, leaf)
        if isinstance(node, ForNode):
            node.sequence = _CountedSequence(node.sequence)


def nested_too_deep(template) -> int | None:
    """The line of the first block tag inside MAX_NESTING others, or None."""
    stack = [(node, 0) for node in template.nodelist]  # (node, how many block tags enclose it)
    while stack:
        node, enclosing = stack.pop()
        children = [getattr(node, name) for name in node.child_nodelists if hasattr(node, name)]
        if children and enclosing >= MAX_NESTING:
            return node.token.lineno if node.token else 0
        stack.extend((child, enclosing + 1) for nodelist in children for child in nodelist or ())
    return None


# Values a filter with a fixed argument is tried on at save: an argument no value can take is refused.
_SAMPLES = ("1", 1, Decimal("1.5"), datetime(2026, 1, 1, 12, 0), [1], {"a": 1})
_SKIPPED_ATTRIBUTES = {"token", "origin"}


def _expressions(value, depth: int = 0):
    """The filter expressions held by a node's attributes (conditions, loop sequences, with-values)."""
    if isinstance(value, FilterExpression):
        yield value
    elif depth < 4 and not isinstance(value, Node | NodeList | str | bytes):
        if isinstance(value, dict):
            items = value.values()
        elif isinstance(value, list | tuple):
            items = value
        else:
            items = [v for k, v in getattr(value, "__dict__", {}).items() if k not in _SKIPPED_ATTRIBUTES]
        for item in items:
            yield from _expressions(item, depth + 1)


def unusable_filter_argument(template) -> tuple[int, str] | None:
    """(line, why) for the first filter given a fixed argument it fails on for every kind of value,
    such as `divisibleby:"0"` or `ljust:"2000000"`; None when there is none."""
    token = current_budget.set(RenderBudget.from_settings())
    try:
        for node in template.nodelist.get_nodes_by_type(Node):
            for expression in _expressions({k: v for k, v in vars(node).items() if k not in _SKIPPED_ATTRIBUTES}):
                for function, args in expression.filters:
                    fixed = [arg for lookup, arg in args if not lookup or arg.lookups is None]
                    if not args or len(fixed) != len(args):
                        continue
                    values = [arg if not lookup else arg.literal for lookup, arg in args]
                    problem = _fails_for_every_value(function, values)
                    if problem:
                        line = node.token.lineno if node.token else 0
                        return line, f"the filter '{function._filter_name}' cannot take {values[0]!r}: {problem}"
    finally:
        current_budget.reset(token)
    return None


def _fails_for_every_value(function, args: list) -> str:
    kwargs = {"autoescape": True} if getattr(function, "needs_autoescape", False) else {}
    problem = ""
    for sample in _SAMPLES:
        try:
            function(sample, *args, **kwargs)
        except RenderLimitExceeded as error:
            return str(error)
        except Exception as error:  # noqa: BLE001 - any failure is what we are looking for
            problem = problem or str(error) or type(error).__name__  # the first value's says most
        else:
            return ""
    return problem
