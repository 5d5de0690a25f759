"""Currency minor units and half-up rounding: the one definition shared by the engine, the PDF and the MCP layer.

Minor units come from the frozen ISO 4217 table in :mod:`si_mcp.models.iso4217` (EUR 2, JPY 0, RSD 2, BHD 3), not
from babel's CLDR data, which changes between babel releases and differs from ISO for some codes.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .iso4217 import CURRENCIES

__all__ = ["MAX_AMOUNT", "currency_exponent", "from_minor", "round_money", "to_minor"]

MAX_AMOUNT = Decimal(10) ** 15
"""Amounts (a document's totals) must stay below this: in minor units it fits a signed 64-bit integer column in
every currency (3 decimals at most), so the books can sum it exactly in SQL."""

# A code outside ISO 4217 (only the real API could send one) is shown with the most common minor unit.
_UNKNOWN_EXPONENT = 2


def currency_exponent(currency: str) -> int:
    """Number of decimals of the currency's minor unit per ISO 4217 (a code outside it gets 2)."""
    entry = CURRENCIES.get(currency.upper())
    return _UNKNOWN_EXPONENT if entry is None else entry[0]


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half-up (away from zero) to the currency's minor unit; never ``round()``, never float."""
    return amount.quantize(Decimal(1).scaleb(-currency_exponent(currency)), rounding=ROUND_HALF_UP)


def to_minor(amount: Decimal, currency: str) -> int:
    """``amount`` as an integer count of the currency's minor unit (12.34 EUR → 1234, 500 JPY → 500): how the
    books store money in SQL, where integers sum exactly on every database. Amounts are already in minor units;
    an older finer one is rounded half-up."""
    units = round_money(amount, currency).scaleb(currency_exponent(currency))
    return int(units)


def from_minor(units: int, currency: str) -> Decimal:
    """The inverse of :func:`to_minor`: 1234 EUR minor units → Decimal("12.34")."""
    return Decimal(units).scaleb(-currency_exponent(currency))
