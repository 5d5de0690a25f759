"""Checks on untrusted input shared by the request parser (:mod:`.http`) and the filter parser (:mod:`.filters`).

A leaf module: it imports only the error helpers, so both parsers can use it without importing each other.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .errors import bad_request, invalid

__all__ = ["check_text"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A lone UTF-16 surrogate (JSON lets "\ud800" through): no text encoding can store it.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_MAX_DEPTH = 32
# Numbers beyond these reach neither SQL (64-bit integers) nor arithmetic: no field of the books holds one.
_MAX_INT = 2**63 - 1
_MAX_DIGITS = 18


def check_text(value: Any, path: str, depth: int = 0, *, in_filter: bool = False) -> None:
    """Refuse control characters and lone surrogates anywhere in a parsed body (keys too), numbers no field can hold,
    and absurd nesting."""
    if depth > _MAX_DEPTH:
        raise bad_request("The request body is nested too deeply.", code="MALFORMED_JSON")
    if isinstance(value, str):
        if _CONTROL.search(value):
            raise invalid("request", path.removeprefix("body."), "contains a control character", code="format")
        if _SURROGATE.search(value):
            raise invalid("request", path.removeprefix("body."), "contains a lone UTF-16 surrogate", code="format")
    elif isinstance(value, int | Decimal) and not isinstance(value, bool) and _too_large(value):
        if in_filter:
            raise bad_request(f"Invalid filter: `{path}` is too large a number.", code="INVALID_FILTER")
        raise invalid("request", path.removeprefix("body."), "is too large a number", code="range")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, path, depth + 1, in_filter=in_filter)
            check_text(item, f"{path}.{key}", depth + 1, in_filter=in_filter)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_text(item, f"{path}.{index}", depth + 1, in_filter=in_filter)


def _too_large(value: int | Decimal) -> bool:
    if isinstance(value, int):
        return not -_MAX_INT <= value <= _MAX_INT
    return not value.is_finite() or bool(value and value.adjusted() >= _MAX_DIGITS)
