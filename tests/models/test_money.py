"""Minor units come from the frozen ISO 4217 table, whatever babel release is installed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from si_mcp.models.iso4217 import CURRENCIES, PUBLISHED
from si_mcp.models.money import currency_exponent, round_money

# ISO 4217 codes whose minor unit is "N.A.": metals, SDR, bond units, test and "no currency" codes.
NOT_APPLICABLE = set("XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX".split())
WITHDRAWN = {"ANG", "BGN", "CUC", "HRK", "SLL", "ZWL"}


@pytest.mark.parametrize(
    ("currency", "places"),
    [("EUR", 2), ("eur", 2), ("JPY", 0), ("RSD", 2), ("HUF", 2), ("IQD", 3), ("BHD", 3), ("CLF", 4), ("ISK", 0)],
)
def test_minor_units_come_from_iso_4217(currency: str, places: int) -> None:
    assert currency_exponent(currency) == places


def test_round_money_is_half_up_away_from_zero_in_the_minor_unit() -> None:
    assert round_money(Decimal("2.675"), "EUR") == Decimal("2.68")
    assert round_money(Decimal("-2.675"), "EUR") == Decimal("-2.68")
    assert round_money(Decimal("1234.5"), "JPY") == Decimal("1235")
    assert round_money(Decimal("1.2345"), "IQD") == Decimal("1.235")


def test_the_frozen_table_holds_every_active_iso_code_pycountry_knows_and_only_real_minor_units() -> None:
    import pycountry

    known = {currency.alpha_3 for currency in pycountry.currencies}
    assert sorted(known - set(CURRENCIES) - NOT_APPLICABLE) == []
    assert not NOT_APPLICABLE & set(CURRENCIES)
    assert {digits for digits, _ in CURRENCIES.values()} <= {0, 2, 3, 4}
    assert len(PUBLISHED) == 10 and len(CURRENCIES) >= 165


def test_recently_withdrawn_codes_still_compute_for_books_kept_in_them() -> None:
    assert all(code in CURRENCIES and currency_exponent(code) == 2 for code in WITHDRAWN)
    assert "XAU" not in CURRENCIES and "ZZZ" not in CURRENCIES
