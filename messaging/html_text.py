"""An HTML email's plain-text part and its tracked links, in time linear in the HTML's length.

Pure (no database). Both run after a template has rendered, on text a marketer controls, so they
must not cost more than the render did: tags are found with `str.find` (a `<` and the next `>`,
as the regex `<[^>]+>` would), each closing tag searched for once, and a closing tag that is not
there is remembered as missing instead of searched for again from the next opening tag (the
regexes this replaces did that, and took 15 s on 200,000 characters). Given a `RenderBudget`,
both look at its clock every `CLOCK_EVERY` tags and charge the characters they add.
"""

import html as html_lib
import re
from collections.abc import Callable, Iterator

from messaging.sandbox import RenderBudget

CLOCK_EVERY = 1000  # tags between two looks at the budget's clock
DROPPED_ELEMENTS = ("style", "script", "head")  # their content is not text a reader sees

_NAME = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
_LINK_TAG = re.compile(r"<a\s", re.IGNORECASE)
# The first href of a tag; a quoted value cannot hold its own quote, so each search stops at the next one.
_HREF = re.compile(r"""\shref\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_WEB = re.compile(r"https?://", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>|</(p|div|h[1-6]|li|tr|table)>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")  # the lines are stripped already: blank ones are bare newlines


def _tags(html: str, budget: RenderBudget | None, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) of each tag in html[start:end]: a `<`, at least one character, the next `>`."""
    end = len(html) if end is None else end
    position, count = start, 0
    while (opening := html.find("<", position, end)) >= 0:
        closing = html.find(">", opening + 1, end)
        if closing < 0:
            return  # no `>` after here: the rest is text
        if closing > opening + 1:
            yield opening, closing + 1
            count += 1
            if budget is not None and count % CLOCK_EVERY == 0:
                budget.spend()
        position = closing + 1 if closing > opening + 1 else opening + 1


def _tag_name(html: str, start: int) -> tuple[bool, str]:
    """(is a closing tag, lowercase name) of the tag at `start`; the name is "" for `<<`, `<!--`, ..."""
    match = _NAME.match(html, start)
    return (bool(match.group(1)), match.group(2).lower()) if match else (False, "")


class _Closings:
    """Where the next `</name>` is, searched for once per opening tag; once there is none, known at once."""

    def __init__(self, html: str, name: str):
        self.html = html
        self.pattern = re.compile(rf"</{name}\s*>", re.IGNORECASE)
        self.none_left = False

    def after(self, position: int) -> tuple[int, int] | None:
        if self.none_left:
            return None
        found = self.pattern.search(self.html, position)
        self.none_left = found is None
        return found.span() if found else None


def _strip_tags(html: str, budget: RenderBudget | None, start: int = 0, end: int | None = None) -> str:
    end = len(html) if end is None else end
    parts, last = [], start
    for opening, closing in _tags(html, budget, start, end):
        parts.append(html[last:opening])
        last = closing
    parts.append(html[last:end])
    return "".join(parts)


def _without_dropped_elements(html: str, budget: RenderBudget | None) -> str:
    closings = {name: _Closings(html, name) for name in DROPPED_ELEMENTS}
    parts, last = [], 0
    for opening, closing in _tags(html, budget):
        is_end, name = _tag_name(html, opening)
        if opening < last or is_end or name not in closings:
            continue  # inside an element already dropped, or not one to drop
        found = closings[name].after(closing)
        if found is not None:
            parts.append(html[last:opening])
            last = found[1]
    parts.append(html[last:])
    return "".join(parts)


def _href(html: str, opening: int, closing: int) -> tuple[int, int] | None:
    """Where the first href value of the link tag html[opening:closing] is, or None."""
    if not _LINK_TAG.match(html, opening):
        return None
    found = _HREF.search(html, opening, closing)
    if found is None:
        return None
    return found.span(1) if found.group(1) is not None else found.span(2)


def _links_as_text(html: str, budget: RenderBudget | None) -> str:
    """Each `<a href="url">label</a>` as `label (url)`, or `url` when the label is empty or the url."""
    closings = _Closings(html, "a")
    parts, last = [], 0
    for opening, closing in _tags(html, budget):
        href = None if opening < last else _href(html, opening, closing)
        if not href or href[0] == href[1]:
            continue
        found = closings.after(closing)
        if found is None:
            continue  # never closed: its text stays as text
        url = html[href[0] : href[1]]
        label = _strip_tags(html, budget, closing, found[0]).strip()
        parts += [html[last:opening], url if not label or label == url else f"{label} ({url})"]
        last = found[1]
    parts.append(html[last:])
    return "".join(parts)


def html_to_text(html: str, budget: RenderBudget | None = None) -> str:
    """A readable plain-text part for an HTML email: links as 'text (url)', blocks as lines, no
    style, script or head. Charged to `budget` (its clock, and the characters of the result)."""
    text = _links_as_text(_without_dropped_elements(html, budget), budget)
    text = html_lib.unescape(_strip_tags(_BREAK.sub("\n", text), budget))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    if budget is not None:
        budget.spend(chars=len(text))
    return text


def rewrite_links(html: str, tracked_url: Callable[[str], str], budget: RenderBudget | None = None) -> str:
    """Every http(s) link of an HTML body replaced by `tracked_url(original)`. Charged to `budget`
    (its clock, and the characters the tracked links add)."""
    parts, last = [], 0
    for opening, closing in _tags(html, budget):
        href = _href(html, opening, closing)
        if not href or not _WEB.match(html, href[0], href[1]):
            continue
        tracked = tracked_url(html[href[0] : href[1]])
        parts += [html[last : href[0]], tracked]
        last = href[1]
        if budget is not None:
            budget.spend(chars=max(0, len(tracked) - (href[1] - href[0])))
    parts.append(html[last:])
    return "".join(parts)
