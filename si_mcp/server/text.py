"""Small, pure helpers for what the model reads: money with its currency, dates, untrusted strings.

Client names, notes and item names come from third parties. They are *data*: every string
that goes into a text summary passes through :func:`clean`, which strips control and format
characters (newlines included, so a name cannot start a new "instruction" line) and caps the
length. Structured content keeps newlines in notes but is capped the same way.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["clean", "clean_block", "currency_exponent", "day", "decimal_text", "money", "money_text", "percent"]


def currency_exponent(currency: str) -> int:
    """Digits after the decimal point for ``currency`` (ISO 4217), from the same table the books use."""
    # Imported here: the wire models stay off the stdio start-up path until a tool runs.
    from si_mcp.models.money import currency_exponent as exponent

    return exponent(currency)


def money(amount: Decimal | None, currency: str) -> str:
    """The exact amount as a plain decimal string in the currency's minor unit: ``"12100.00"``."""
    value = amount if amount is not None else Decimal(0)
    quantum = Decimal(1).scaleb(-currency_exponent(currency))
    return str(value.quantize(quantum, rounding=ROUND_HALF_UP))


def money_text(amount: Decimal | None, currency: str) -> str:
    """An amount for people, always with its currency: ``"12,100.00 EUR"``."""
    value = Decimal(money(amount, currency))
    return f"{value:,} {currency.upper()}"


def decimal_text(value: Decimal) -> str:
    """A number without trailing zeros and never in exponent form: ``12100.00`` and ``1.21E+4`` read ``12100``."""
    return format(value.normalize(), "f")


def percent(rate: Decimal) -> str:
    """A rate without trailing zeros: ``21``, ``5.5``."""
    return decimal_text(rate)


def day(value: datetime | date | None, zone: str | None = None) -> date | None:
    """The calendar day of a timestamp: midnight UTC is a date given without time (that day); another instant is
    the day it falls on where the organization is (``zone``), as the API decides it."""
    if value is None or not isinstance(value, datetime):
        return value
    if zone and (value.hour, value.minute, value.second, value.microsecond) != (0, 0, 0, 0):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return value.astimezone(ZoneInfo(zone)).date()
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return value.date()


def _printable(char: str) -> bool:
    return unicodedata.category(char)[0] != "C"


def clean(value: object, limit: int = 80) -> str:
    """One line of untrusted text: control/format characters dropped, whitespace collapsed, capped."""
    text = "".join(ch if _printable(ch) else " " for ch in str(value or ""))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def clean_block(value: object, limit: int = 1000) -> str:
    """Multi-line untrusted text for structured content: newlines kept, other controls dropped, capped."""
    lines = [clean(line, limit) for line in str(value or "").splitlines()]
    text = "\n".join(lines).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
