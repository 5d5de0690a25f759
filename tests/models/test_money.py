from __future__ import annotations

from decimal import Decimal

import pytest

from si_mcp.models.money import currency_exponent, round_money


@pytest.mark.parametrize(("currency", "places"), [("EUR", 2), ("eur", 2), ("JPY", 0), ("RSD", 0), ("BHD", 3)])
def test_minor_units_come_from_iso_4217(currency: str, places: int) -> None:
    assert currency_exponent(currency) == places


def test_round_money_is_half_up_away_from_zero_in_the_minor_unit() -> None:
    assert round_money(Decimal("2.675"), "EUR") == Decimal("2.68")
    assert round_money(Decimal("-2.675"), "EUR") == Decimal("-2.68")
    assert round_money(Decimal("1234.5"), "RSD") == Decimal("1235")
