"""Country, locale, currency and default-tax data that organization creation derives from ``country``."""

from __future__ import annotations

import datetime
import subprocess
import sys
import zoneinfo
from decimal import Decimal

import pytest
from babel import Locale

from si_mcp.local.engine.countries import (
    CountryInfo,
    TaxSeed,
    all_countries,
    all_currencies,
    country_by_code,
    rate_on,
    resolve_country,
    suggest_countries,
)

EU27 = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
VAT_COUNTRIES = [*EU27, "GB", "NO", "CH"]
TODAY = datetime.date.today()


def _country(text: str) -> CountryInfo:
    info = resolve_country(text)
    assert info is not None, text
    return info


def _tax(info: CountryInfo, classification: str, current_rate: str) -> TaxSeed:
    for tax in info.taxes:
        if tax.classification == classification and rate_on(tax, TODAY) == Decimal(current_rate):
            return tax
    raise AssertionError(f"{info.alpha2} has no {classification} tax at {current_rate}%: {info.taxes}")


def _standard(info: CountryInfo) -> TaxSeed:
    (standard,) = [tax for tax in info.taxes if tax.classification == "standard"]
    return standard


@pytest.mark.parametrize("text", ["Belgium", "België", "belgique", "BELGIE", "  belgië ", "BE", "be", "BEL"])
def test_belgium_by_any_name_or_code_gets_dutch_locale_euro_brussels_time_and_btw(text: str) -> None:
    info = _country(text)

    assert (info.alpha2, info.alpha3, info.numeric) == ("BE", "BEL", "056")
    assert (info.name, info.native_name) == ("Belgium", "België")
    assert (info.locale, info.currency, info.timezone) == ("nl-BE", "EUR", "Europe/Brussels")
    standard = _standard(info)
    assert standard.name == "Belasting over de toegevoegde waarde"
    assert standard.abbreviation == "BTW 21%"
    assert standard.rates == ((datetime.date(1970, 1, 1), Decimal("21")),)
    assert {tax.abbreviation for tax in info.taxes} == {"BTW 21%", "BTW 12%", "BTW 6%"}


@pytest.mark.parametrize("text", ["United Kingdom", "UK", "GB", "gbr", "Great Britain", "England"])
def test_united_kingdom_resolves_to_gb_with_pounds_and_vat_20(text: str) -> None:
    info = _country(text)

    assert (info.alpha2, info.locale, info.currency, info.timezone) == ("GB", "en-GB", "GBP", "Europe/London")
    standard = _standard(info)
    assert (standard.name, standard.abbreviation, rate_on(standard, TODAY)) == ("Value Added Tax", "VAT 20%", 20)
    assert _tax(info, "reduced", "5").abbreviation == "VAT 5%"


def test_slovenija_gets_ddv_22_and_9_5() -> None:
    info = _country("Slovenija")

    assert (info.alpha2, info.locale, info.currency) == ("SI", "sl-SI", "EUR")
    assert _standard(info).name == "Davek na dodano vrednost"
    assert _standard(info).abbreviation == "DDV 22%"
    assert _tax(info, "reduced", "9.5").abbreviation == "DDV 9.5%"


@pytest.mark.parametrize(
    ("text", "alpha2", "locale"),
    [
        ("Deutschland", "DE", "de-DE"),
        ("Österreich", "AT", "de-AT"),
        ("OSTERREICH", "AT", "de-AT"),
        ("Turkey", "TR", "tr-TR"),
        ("Türkiye", "TR", "tr-TR"),
        ("Holland", "NL", "nl-NL"),
        ("The Netherlands", "NL", "nl-NL"),
        ("Russia", "RU", "ru-RU"),
        ("USA", "US", "en-US"),
        ("Nemčija", "DE", "de-DE"),
        ("Hrvatska", "HR", "hr-HR"),
        ("Polska", "PL", "pl-PL"),
        ("Włochy", "IT", "it-IT"),
        ("Ελλάδα", "GR", "el-GR"),
        ("Suisse", "CH", "de-CH"),
        ("Malta", "MT", "en-MT"),
        ("Korea, Republic of", "KR", "ko-KR"),
        ("Côte d'Ivoire", "CI", "fr-CI"),
        ("Bosnia & Herzegovina", "BA", "bs-BA"),
        ("Montenegro", "ME", "sr-Latn-ME"),
    ],
)
def test_english_native_and_foreign_names_resolve_ignoring_case_and_accents(
    text: str, alpha2: str, locale: str
) -> None:
    info = _country(text)

    assert (info.alpha2, info.locale) == (alpha2, locale)


@pytest.mark.parametrize("text", ["Korea", "korea", "Congo", "Kongo", "Virgin Islands"])
def test_a_name_shared_by_two_countries_resolves_to_none(text: str) -> None:
    assert resolve_country(text) is None


def test_ambiguous_names_suggest_every_country_they_may_mean() -> None:
    assert {"North Korea", "South Korea"} <= set(suggest_countries("Korea"))
    assert {"Congo - Brazzaville", "Congo - Kinshasa"} <= set(suggest_countries("Congo"))
    assert _country("Republic of the Congo").alpha2 == "CG"
    assert _country("Democratic Republic of the Congo").alpha2 == "CD"


def test_kosovo_is_kosovo_never_serbia() -> None:
    info = resolve_country("Kosovo")

    assert info is not None and info.alpha2 == "XK"
    assert (info.currency, info.locale) == ("EUR", "sq-XK")
    assert _country("Serbia").alpha2 == "RS"


@pytest.mark.parametrize("text", ["Narnia", "Belgum", "", "   ", "X", "ZZ", "ZZZ", "Belgium" * 100, "Belgium; drop"])
def test_unknown_or_misspelt_names_do_not_resolve(text: str) -> None:
    assert resolve_country(text) is None


def test_misspelt_names_get_close_english_suggestions_and_nonsense_gets_none() -> None:
    assert "Belgium" in suggest_countries("Belgum")
    assert "Germany" in suggest_countries("Deutchland")
    assert suggest_countries("Narnia") == []
    assert len(suggest_countries("Slovnija", limit=1)) == 1


def test_every_country_resolves_by_english_name_native_name_alpha2_and_alpha3() -> None:
    for info in all_countries():
        for text in (info.name, info.native_name, info.alpha2, info.alpha3.lower()):
            assert resolve_country(text) is info, text


def test_country_by_code_finds_countries_by_alpha2_only() -> None:
    assert country_by_code("si") is _country("Slovenia")
    assert country_by_code("SVN") is None
    assert country_by_code("QQ") is None


def test_all_countries_lists_every_iso_country_once_sorted_by_english_name() -> None:
    countries = all_countries()

    assert len(countries) >= 240
    assert len({info.alpha2 for info in countries}) == len(countries)
    assert countries[0].name == "Afghanistan"
    assert countries.index(_country("Belgium")) < countries.index(_country("Zimbabwe"))


def test_every_country_has_a_babel_locale_a_known_currency_and_an_iana_zone() -> None:
    currency_ids = {currency.id for currency in all_currencies()}
    zones = zoneinfo.available_timezones()
    for info in all_countries():
        parsed = Locale.parse(info.locale, sep="-")
        assert parsed.territory is not None, info.locale
        assert info.currency in currency_ids, info
        if zones:  # a host without a tz database cannot check zone names
            assert info.timezone in zones, info


@pytest.mark.parametrize("alpha2", VAT_COUNTRIES)
def test_every_eu_country_and_gb_no_ch_has_a_standard_rate_in_decimal_with_epoch_start(alpha2: str) -> None:
    info = country_by_code(alpha2)

    assert info is not None
    standard = _standard(info)
    assert standard.name and standard.abbreviation
    for tax in info.taxes:
        assert tax.rates, tax
        assert tax.rates[-1][0] == datetime.date(1970, 1, 1)
        assert [day for day, _ in tax.rates] == sorted((day for day, _ in tax.rates), reverse=True)
        assert all(type(rate) is Decimal and 0 <= rate < 30 for _, rate in tax.rates)


def test_abbreviation_shows_the_rate_in_effect_today() -> None:
    for info in all_countries():
        for tax in info.taxes:
            rate = rate_on(tax, TODAY).normalize()
            assert tax.abbreviation.endswith(f" {rate:f}%"), tax


@pytest.mark.parametrize(
    ("alpha2", "classification", "current", "day", "rate"),
    [
        ("EE", "standard", "24", "2025-06-30", "22"),
        ("EE", "standard", "24", "2025-07-01", "24"),
        ("EE", "standard", "24", "2023-12-31", "20"),
        ("FI", "standard", "25.5", "2024-08-31", "24"),
        ("FI", "standard", "25.5", "2024-09-01", "25.5"),
        ("FI", "reduced", "13.5", "2025-12-31", "14"),
        ("FI", "reduced", "13.5", "2026-01-01", "13.5"),
        ("RO", "standard", "21", "2025-07-31", "19"),
        ("RO", "standard", "21", "2025-08-01", "21"),
        ("SK", "standard", "23", "2024-12-31", "20"),
        ("SK", "standard", "23", "2025-01-01", "23"),
        ("CH", "standard", "8.1", "2023-12-31", "7.7"),
        ("CH", "standard", "8.1", "2024-01-01", "8.1"),
        ("LU", "standard", "17", "2022-12-31", "17"),
        ("LU", "standard", "17", "2023-06-30", "16"),
        ("LU", "standard", "17", "2024-01-01", "17"),
        ("DE", "standard", "19", "2020-06-30", "19"),
        ("DE", "standard", "19", "2020-07-01", "16"),
        ("DE", "standard", "19", "2020-12-31", "16"),
        ("DE", "standard", "19", "2021-01-01", "19"),
        ("DE", "reduced", "7", "2020-10-01", "5"),
    ],
)
def test_dated_rate_changes_apply_from_their_effective_day(
    alpha2: str, classification: str, current: str, day: str, rate: str
) -> None:
    info = country_by_code(alpha2)

    assert info is not None
    assert rate_on(_tax(info, classification, current), datetime.date.fromisoformat(day)) == Decimal(rate)


def test_rate_on_refuses_a_day_before_the_first_rate() -> None:
    with pytest.raises(ValueError, match="no rate before 1970-01-01"):
        rate_on(_standard(_country("Belgium")), datetime.date(1969, 12, 31))


@pytest.mark.parametrize(
    ("alpha2", "name", "abbreviation"),
    [
        ("NL", "Belasting over de toegevoegde waarde", "BTW 21%"),
        ("DE", "Umsatzsteuer", "MwSt. 19%"),
        ("AT", "Umsatzsteuer", "USt. 20%"),
        ("FR", "Taxe sur la valeur ajoutée", "TVA 20%"),
        ("IT", "Imposta sul valore aggiunto", "IVA 22%"),
        ("ES", "Impuesto sobre el Valor Añadido", "IVA 21%"),
        ("CH", "Mehrwertsteuer", "MWST 8.1%"),
        ("NO", "Merverdiavgift", "MVA 25%"),
    ],
)
def test_standard_taxes_carry_local_names_and_abbreviations(alpha2: str, name: str, abbreviation: str) -> None:
    info = country_by_code(alpha2)

    assert info is not None
    assert (_standard(info).name, _standard(info).abbreviation) == (name, abbreviation)


def test_united_states_has_no_default_taxes_because_sales_tax_is_not_vat() -> None:
    info = _country("United States")

    assert (info.alpha2, info.locale, info.currency, info.timezone) == ("US", "en-US", "USD", "America/New_York")
    assert info.taxes == ()


def test_bulgaria_invoices_in_euro_since_2026() -> None:
    assert _country("Bulgaria").currency == "EUR"


def test_currencies_carry_babel_precision_names_and_symbols() -> None:
    currencies = {currency.id: currency for currency in all_currencies()}

    assert currencies["JPY"].decimal_digits == 0
    assert currencies["EUR"].decimal_digits == 2
    assert currencies["BHD"].decimal_digits == 3
    assert (currencies["EUR"].name, currencies["EUR"].symbol) == ("Euro", "€")
    assert "XAU" not in currencies and "XXX" not in currencies
    assert len(currencies) >= 150


def test_importing_the_module_builds_nothing_and_loads_neither_babel_nor_pycountry() -> None:
    code = (
        "import sys, si_mcp.local.engine.countries as c; "
        "print(sorted(m for m in ('babel', 'pycountry') if m in sys.modules), c._countries.cache_info().currsize)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)

    assert result.stdout.split() == ["[]", "0"]
