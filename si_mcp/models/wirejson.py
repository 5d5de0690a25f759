"""JSON for the wire, with exact Decimals.

pydantic reads JSON numbers through float and writes Decimals as strings; neither is
acceptable for money. Every body the client or the local API reads or writes goes
through these two functions: numbers with a fraction become ``Decimal`` on the way in
and Decimals are written as plain JSON numbers on the way out.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import simplejson

from ._base import format_timestamp

__all__ = ["JSONDecodeError", "dumpb", "dumps", "loads", "normalize_number"]

JSONDecodeError = simplejson.JSONDecodeError


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def loads(data: str | bytes) -> Any:
    """Parse JSON; numbers with a fraction or exponent become ``Decimal``."""
    return simplejson.loads(data, use_decimal=True)


def dumps(value: Any) -> str:
    """Serialize compactly; Decimals become JSON numbers written exactly as they are."""
    return simplejson.dumps(
        value, use_decimal=True, default=_default, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def dumpb(value: Any) -> bytes:
    """:func:`dumps` as UTF-8 bytes, for HTTP bodies."""
    return dumps(value).encode()


def normalize_number(value: Decimal) -> Decimal:
    """Drop trailing zeros the way a JavaScript number prints (``12100.00`` → ``12100``, ``24.20`` → ``24.2``)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
