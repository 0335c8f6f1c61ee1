"""Template text: compile-checking and rendering marketers' Django templates over a safe context.

Pure (no database). Templates get only the built-in tags and filters, minus those that reach
outside the message (`load`, `include`, `extends`, `url`, `debug`, `csrf_token`), and a context
of plain dicts and strings, so a template cannot call model methods or read settings.
"""

import html as html_lib
import re
from dataclasses import dataclass
from functools import lru_cache

from django.template import Context, Engine, TemplateSyntaxError
from django.template.defaulttags import CsrfTokenNode, DebugNode, LoadNode, URLNode

TRANSLATION_FIELDS = ("subject", "preheader", "html", "text", "body")
_FORBIDDEN_NODES = (CsrfTokenNode, DebugNode, LoadNode, URLNode)


class MessageEngine(Engine):
    # Without django.template.loader_tags: no include, extends or block.
    default_builtins = ["django.template.defaulttags", "django.template.defaultfilters"]


_engine = MessageEngine(debug=True, libraries={}, string_if_invalid="")


class TemplateTextError(ValueError):
    """A template that does not compile; the message names the line."""


@lru_cache(maxsize=2048)
def compile_text(source: str):
    """A compiled template, or TemplateTextError saying which line is wrong and why."""
    try:
        template = _engine.from_string(source)
    except TemplateSyntaxError as error:
        line = getattr(error, "template_debug", {}).get("line")
        where = f"line {line}: " if line else ""
        raise TemplateTextError(f"{where}{error}") from error
    for node in template.nodelist.get_nodes_by_type(_FORBIDDEN_NODES):
        line = node.token.lineno if node.token else "?"
        raise TemplateTextError(f"line {line}: the tag '{node.token.contents.split()[0]}' is not allowed in messages.")
    return template


def render_text(source: str, context: dict, *, autoescape: bool) -> str:
    if not source:
        return ""
    return compile_text(source).render(Context(context, autoescape=autoescape))


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
    """Render every field of one translation; HTML is autoescaped, the rest is plain text."""
    html = render_text(fields.get("html", ""), context, autoescape=True)
    text = render_text(fields.get("text", ""), context, autoescape=False)
    return RenderedMessage(
        subject=" ".join(render_text(fields.get("subject", ""), context, autoescape=False).split()),
        preheader=render_text(fields.get("preheader", ""), context, autoescape=False).strip(),
        html=html,
        text=text or (html_to_text(html) if html else ""),
        body=render_text(fields.get("body", ""), context, autoescape=False).strip(),
    )


def translation_errors(fields: dict) -> dict[str, str]:
    """{field: "line N: why"} for each field of a translation that does not compile."""
    errors = {}
    for name in TRANSLATION_FIELDS:
        try:
            compile_text(fields.get(name) or "")
        except TemplateTextError as error:
            errors[name] = str(error)
    return errors
