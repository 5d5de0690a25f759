"""Currency minor units and half-up rounding: the one definition shared by the engine, the PDF and the MCP layer.

Minor units come from the frozen ISO 4217 table in :mod:`si_mcp.models.iso4217` (EUR 2, JPY 0, RSD 2, BHD 3), not
from babel's CLDR data, which changes between babel releases and differs from ISO for some codes.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .iso4217 import CURRENCIES

__all__ = ["currency_exponent", "round_money"]

# A code outside ISO 4217 (only the real API could send one) is shown with the most common minor unit.
_UNKNOWN_EXPONENT = 2


def currency_exponent(currency: str) -> int:
    """Number of decimals of the currency's minor unit per ISO 4217 (a code outside it gets 2)."""
    entry = CURRENCIES.get(currency.upper())
    return _UNKNOWN_EXPONENT if entry is None else entry[0]


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half-up (away from zero) to the currency's minor unit; never ``round()``, never float."""
    return amount.quantize(Decimal(1).scaleb(-currency_exponent(currency)), rounding=ROUND_HALF_UP)
