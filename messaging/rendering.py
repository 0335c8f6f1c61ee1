"""Template text: compile-checking and rendering marketers' Django templates over a safe context.

Pure (no database). Templates run in the sandboxed engine of `messaging.sandbox` (built-in tags and
filters only, nothing that reaches outside the message, each render bounded in steps, characters and
time) over a context of plain dicts and strings, so a template cannot call model methods or read
settings.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.template import Context, TemplateSyntaxError

from messaging import links
from messaging.html_text import html_to_text, rewrite_links
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


@dataclass(frozen=True)
class RenderedMessage:
    subject: str = ""
    preheader: str = ""
    html: str = ""
    text: str = ""
    body: str = ""


def _derived(html: str, text: str, budget: RenderBudget, tracked_url: Callable[[str], str] | None) -> tuple[str, str]:
    """(html with its links tracked, text or the text part derived from html), within `budget`."""
    try:
        text = text or (html_to_text(html, budget) if html else "")
        return (rewrite_links(html, tracked_url, budget) if tracked_url and html else html), text
    except RenderLimitExceeded as error:
        message = f"over a render limit with its text part and links: {error}"
        raise TemplateRenderError(message, over_limit=True) from error


def render_translation(
    fields: dict, context: dict, *, tracked_url: Callable[[str], str] | None = None
) -> RenderedMessage:
    """Render every field of one translation; HTML is autoescaped, the rest is plain text. Without a
    text field the text part is derived from the HTML; with `tracked_url` the HTML's http(s) links
    are replaced by `tracked_url(link)` (after the text part is derived: it shows the real links).

    The fields, the text part and the links share one budget (MESSAGING_RENDER_MAX_*): the limits
    are per message."""
    budget = RenderBudget.from_settings()

    def render(name: str, autoescape: bool = False) -> str:
        return render_text(fields.get(name, ""), context, autoescape=autoescape, budget=budget)

    html, text = _derived(render("html", autoescape=True), render("text"), budget, tracked_url)
    return RenderedMessage(
        subject=" ".join(render("subject").split()),
        preheader=render("preheader").strip(),
        html=html,
        text=text,
        body=render("body").strip(),
    )


def _sample_click_url(url: str) -> str:
    """A tracked link as long as a real one, to charge a template at save what its sends will cost."""
    return links.click_url(message_id=2**31, url=url)


def translation_errors(fields: dict) -> dict[str, str]:
    """{field: "line N: why"} for each field of a translation that cannot render for anyone: it does not
    compile, a filter is given a fixed argument it cannot take, or rendered over empty values it
    already goes over a render limit (a loop over fixed text, a padded value), its HTML's text part
    and tracked links included."""
    errors = {}
    budget = RenderBudget.from_settings()  # shared, as in a send: the limits are per message
    spent = False
    rendered = {}
    for name in TRANSLATION_FIELDS:
        source = fields.get(name) or ""
        try:
            if spent:
                compile_text(source)  # the budget is gone: only whether the field compiles still tells
            else:
                rendered[name] = render_text(source, {}, autoescape=name == "html", budget=budget)
        except TemplateTextError as error:
            errors[name] = str(error)
        except TemplateRenderError as error:
            if error.over_limit:  # other failures depend on the customer's values: the outbox records them
                errors[name] = str(error)
                spent = True
    if not spent and "html" not in errors and rendered.get("html"):
        try:
            _derived(rendered["html"], rendered.get("text", ""), budget, _sample_click_url)
        except TemplateRenderError as error:
            errors["html"] = str(error)
    return errors
