"""Checks on untrusted input shared by the request parser (:mod:`.http`) and the filter parser (:mod:`.filters`).

A leaf module: it imports only the error helpers, so both parsers can use it without importing each other.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import bad_request, invalid

__all__ = ["check_text"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_DEPTH = 32


def check_text(value: Any, path: str, depth: int = 0) -> None:
    """Refuse control characters anywhere in a parsed body (keys too), and absurd nesting."""
    if depth > _MAX_DEPTH:
        raise bad_request("The request body is nested too deeply.", code="MALFORMED_JSON")
    if isinstance(value, str):
        if _CONTROL.search(value):
            raise invalid("request", path.removeprefix("body."), "contains a control character", code="format")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, path, depth + 1)
            check_text(item, f"{path}.{key}", depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_text(item, f"{path}.{index}", depth + 1)
