"""Currency minor units and half-up rounding: the one definition shared by the engine and the MCP layer.

The minor unit comes from ISO 4217 through babel's CLDR data (EUR 2, JPY 0, RSD 0, BHD 3);
babel is imported on first use only, so importing this module stays cheap.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache

__all__ = ["currency_exponent", "round_money"]


@cache
def currency_exponent(currency: str) -> int:
    """Number of decimals of the currency's minor unit (ISO 4217; unknown codes get 2)."""
    from babel.numbers import get_currency_precision

    return int(get_currency_precision(currency.upper()))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half-up (away from zero) to the currency's minor unit; never ``round()``, never float."""
    return amount.quantize(Decimal(1).scaleb(-currency_exponent(currency)), rounding=ROUND_HALF_UP)
