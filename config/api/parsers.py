"""The API's JSON parser: refuses, as a 400, what would otherwise fail deep inside (a 500) or corrupt data.

- NUL characters and lone surrogates in any key or text: PostgreSQL cannot store them in text or JSON.
- Nesting deeper than `MAX_DEPTH`: Python's parser and every recursive walk of rules or properties
  would hit the recursion limit.
- Numbers too large for a float (`1e999999`, read as infinity).
"""

import codecs
import json
import math

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils.json import strict_constant

MAX_DEPTH = 32


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is too large")
    return value


def _text_error(text: str) -> str | None:
    if "\x00" in text:
        return "may not contain the NUL character (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "may not contain a lone surrogate (an unpaired \\ud800-\\udfff escape)"
    return None


def check_json(data, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise ParseError naming the first place where `data` breaks one of the rules above."""
    stack = [(data, 0, "")]
    while stack:
        value, depth, where = stack.pop()
        if depth > max_depth:
            raise ParseError(f"JSON nested more than {max_depth} levels deep (at {where or 'the top'}).")
        if isinstance(value, dict):
            for key, item in value.items():
                place = f"{where}.{key}" if where else str(key)
                if problem := _text_error(key):
                    raise ParseError(f"A key {problem} (at {where or 'the top'}).")
                stack.append((item, depth + 1, place))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, f"{where}[{index}]") for index, item in enumerate(value))
        elif isinstance(value, str) and (problem := _text_error(value)):
            raise ParseError(f"Text {problem} (at {where or 'the top'}).")


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            data = json.load(
                codecs.getreader(encoding)(stream), parse_constant=strict_constant, parse_float=_finite_float
            )
        except RecursionError as exc:
            raise ParseError(f"JSON nested more than {MAX_DEPTH} levels deep.") from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        check_json(data)
        return data
