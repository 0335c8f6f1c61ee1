"""Template text: compile-checking and rendering marketers' Django templates over a safe context.

Pure (no database). Templates run in the sandboxed engine of `messaging.sandbox` (built-in tags and
filters only, nothing that reaches outside the message, each render bounded in steps, characters and
time) over a context of plain dicts and strings, so a template cannot call model methods or read
settings.
"""

import html as html_lib
import re
from dataclasses import dataclass
from functools import lru_cache

from django.template import Context, TemplateSyntaxError

from messaging.sandbox import (
    MAX_NESTING,
    RenderBudget,
    RenderLimitExceeded,
    current_budget,
    engine,
    install_budget,
    nested_too_deep,
    unusable_filter_argument,
)

TRANSLATION_FIELDS = ("subject", "preheader", "html", "text", "body")


class TemplateTextError(ValueError):
    """A template that cannot render for anyone; the message names the line."""


class TemplateRenderError(ValueError):
    """A template that failed for these values, or went over a render limit (`over_limit`)."""

    def __init__(self, message: str, *, over_limit: bool = False):
        super().__init__(message)
        self.over_limit = over_limit


def _where(error: Exception) -> str:
    line = (getattr(error, "template_debug", None) or {}).get("line")
    return f"line {line}: " if line else ""


@lru_cache(maxsize=2048)
def compile_text(source: str):
    """A compiled template, or TemplateTextError saying which line is wrong and why."""
    try:
        template = engine.from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateTextError(f"{_where(error)}{error}") from error
    except RecursionError as error:  # the parser recurses once per nested block tag
        raise TemplateTextError(f"tags are nested more than {MAX_NESTING} deep.") from error
    deep = nested_too_deep(template)
    if deep is not None:
        raise TemplateTextError(f"line {deep}: tags are nested more than {MAX_NESTING} deep.")
    unusable = unusable_filter_argument(template)
    if unusable:
        raise TemplateTextError(f"line {unusable[0]}: {unusable[1]}")
    install_budget(template)
    return template


def render_text(source: str, context: dict, *, autoescape: bool, budget: RenderBudget | None = None) -> str:
    """The rendered text, or TemplateRenderError naming the line; bounded by `budget` (default: settings)."""
    if not source:
        return ""
    template = compile_text(source)
    token = current_budget.set(budget or RenderBudget.from_settings())
    try:
        return template.render(Context(context, autoescape=autoescape))
    except RenderLimitExceeded as error:
        raise TemplateRenderError(f"{_where(error)}over a render limit: {error}", over_limit=True) from error
    except Exception as error:  # a filter failing on these values, e.g. divisibleby:0
        raise TemplateRenderError(f"{_where(error)}{error} ({type(error).__name__})") from error
    finally:
        current_budget.reset(token)


_LINK = re.compile(r"""<a\s[^>]*?href\s*=\s*["']([^"']+)["'][^>]*>(.*?)</a>""", re.IGNORECASE | re.DOTALL)
_BREAK = re.compile(r"<br\s*/?>|</(p|div|h[1-6]|li|tr|table)>", re.IGNORECASE)
_DROP = re.compile(r"<(style|script|head)[^>]*>.*?</\1>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")


def html_to_text(html: str) -> str:
    """A readable plain-text part for an HTML email: links as 'text (url)', blocks as lines."""

    def link(match: re.Match) -> str:
        label = _TAG.sub("", match.group(2)).strip()
        url = match.group(1)
        return url if not label or label == url else f"{label} ({url})"

    text = _DROP.sub("", html)
    text = _LINK.sub(link, text)
    text = _BREAK.sub("\n", text)
    text = html_lib.unescape(_TAG.sub("", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


_HREF = re.compile(r"""(<a\s[^>]*?href\s*=\s*)(["'])(https?://[^"']+)\2""", re.IGNORECASE)


def rewrite_links(html: str, tracked_url) -> str:
    """Every http(s) link of an HTML body replaced by `tracked_url(original)`."""
    return _HREF.sub(
        lambda match: f"{match.group(1)}{match.group(2)}{tracked_url(match.group(3))}{match.group(2)}", html
    )


@dataclass(frozen=True)
class RenderedMessage:
    subject: str = ""
    preheader: str = ""
    html: str = ""
    text: str = ""
    body: str = ""


def render_translation(fields: dict, context: dict) -> RenderedMessage:
    """Render every field of one translation; HTML is autoescaped, the rest is plain text.

    The fields share one budget (MESSAGING_RENDER_MAX_*): the limits are per message."""
    budget = RenderBudget.from_settings()

    def render(name: str, autoescape: bool = False) -> str:
        return render_text(fields.get(name, ""), context, autoescape=autoescape, budget=budget)

    html = render("html", autoescape=True)
    text = render("text")
    return RenderedMessage(
        subject=" ".join(render("subject").split()),
        preheader=render("preheader").strip(),
        html=html,
        text=text or (html_to_text(html) if html else ""),
        body=render("body").strip(),
    )


def translation_errors(fields: dict) -> dict[str, str]:
    """{field: "line N: why"} for each field of a translation that cannot render for anyone: it does not
    compile, a filter is given a fixed argument it cannot take, or rendered over empty values it
    already goes over a render limit (a loop over fixed text, a padded value)."""
    errors = {}
    budget = RenderBudget.from_settings()  # shared, as in a send: the limits are per message
    spent = False
    for name in TRANSLATION_FIELDS:
        source = fields.get(name) or ""
        try:
            if spent:
                compile_text(source)  # the budget is gone: only whether the field compiles still tells
            else:
                render_text(source, {}, autoescape=name == "html", budget=budget)
        except TemplateTextError as error:
            errors[name] = str(error)
        except TemplateRenderError as error:
            if error.over_limit:  # other failures depend on the customer's values: the outbox records them
                errors[name] = str(error)
                spent = True
    return errors
