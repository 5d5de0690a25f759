"""Countries, locales, currencies and default VAT taxes for organization creation.

Space Invoices derives an organization's ``countryAlpha2Code``, ``locale``, currency, timezone and
default taxes from the free-text ``country`` it was created with ("English or native name", or the
ISO code). This module is that derivation, as pure data:

* Names come from CLDR (babel) in many languages plus pycountry's ISO names and a few aliases, so
  "Belgium", "België", "belgique", "BE" and "BEL" all resolve to BE. Matching ignores case, accents
  and punctuation. Only exact (normalised) names resolve; a name shared by two countries resolves to
  nothing, and near misses are offered by :func:`suggest_countries` instead of being guessed —
  pycountry's fuzzy search would silently turn "Kosovo" into Serbia.
* Locale is the country's main language from CLDR likely-subtags, overridden where CLDR's most
  spoken language is not the language business is done in (Belgium → ``nl-BE``, Malta → ``en-MT``).
* Currency is babel's current tender; timezone the capital's IANA zone.
* Default taxes are the effective-dated VAT table below (EU-27, GB, NO, CH, plus LI and MC, which
  share the Swiss and French VAT areas). Other countries (the US among them: sales tax is not VAT)
  get none.

Indexes are built on first use (``functools.cache``) so that importing this module stays cheap.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from si_mcp.models.iso4217 import CURRENCIES

__all__ = [
    "CountryInfo",
    "CurrencyInfo",
    "TaxSeed",
    "all_countries",
    "all_currencies",
    "country_by_code",
    "rate_on",
    "resolve_country",
    "suggest_countries",
]

EPOCH = datetime.date(1970, 1, 1)  # the API's default ``dateValidFrom``


@dataclass(frozen=True)
class TaxSeed:
    """A country default tax; ``rates`` holds ``(valid_from, rate)`` pairs, newest first."""

    name: str
    abbreviation: str
    classification: str
    rates: tuple[tuple[datetime.date, Decimal], ...]


@dataclass(frozen=True)
class CountryInfo:
    alpha2: str
    alpha3: str
    numeric: str
    name: str
    native_name: str
    locale: str
    currency: str
    timezone: str
    taxes: tuple[TaxSeed, ...]


@dataclass(frozen=True)
class CurrencyInfo:
    id: str
    name: str
    symbol: str
    decimal_digits: int


# --------------------------------------------------------------------------------------------------
# VAT table
#
# Source: /work/shared/reference/invoicing-rules.md §2.4 (ibericode/vat-rates @5abb1e1 of 2025-08-12,
# easytax.co 2025/2026 changes, vat-solutions.com), with older dated changes from the national tax
# authorities' published histories; compiled 2026-11-25. Rates change: re-check against the EC TEDB
# (https://ec.europa.eu/taxation_customs/tedb/) and the UK/NO/CH authorities before each release.
#
# Per country: (local tax name, short name used in the abbreviation, taxes). Each tax is
# (classification, history); a history reads oldest first: "<rate>; <date> <rate>; ...". The first
# rate is valid from 1970-01-01 (the API's default) — it is the rate before the earliest change
# listed here, not a claim about 1970. Where a rate class was reshaped (CZ 2024, SK 2025, EE 2025,
# RO 2025) the history follows the goods now in that class.
# --------------------------------------------------------------------------------------------------
_VAT_TABLE: dict[str, tuple[str, str, tuple[tuple[str, str], ...]]] = {
    "AT": ("Umsatzsteuer", "USt.", (("standard", "20"), ("reduced", "13"), ("reduced", "10"))),
    "BE": (
        "Belasting over de toegevoegde waarde",
        "BTW",
        (("standard", "21"), ("reduced", "12"), ("reduced", "6")),
    ),
    "BG": ("Данък върху добавената стойност", "ДДС", (("standard", "20"), ("reduced", "9"))),
    "CY": ("Φόρος Προστιθέμενης Αξίας", "ΦΠΑ", (("standard", "19"), ("reduced", "9"), ("reduced", "5"))),
    "CZ": ("Daň z přidané hodnoty", "DPH", (("standard", "21"), ("reduced", "15; 2024-01-01 12"))),
    "DE": (
        "Umsatzsteuer",
        "MwSt.",
        (("standard", "19; 2020-07-01 16; 2021-01-01 19"), ("reduced", "7; 2020-07-01 5; 2021-01-01 7")),
    ),
    "DK": ("Merværdiafgift", "Moms", (("standard", "25"),)),
    "EE": (
        "Käibemaks",
        "KM",
        (("standard", "20; 2024-01-01 22; 2025-07-01 24"), ("reduced", "9; 2025-01-01 13"), ("reduced", "9")),
    ),
    "ES": (
        "Impuesto sobre el Valor Añadido",
        "IVA",
        (("standard", "18; 2012-09-01 21"), ("reduced", "8; 2012-09-01 10"), ("super-reduced", "4")),
    ),
    "FI": (
        "Arvonlisävero",
        "ALV",
        (("standard", "24; 2024-09-01 25.5"), ("reduced", "14; 2026-01-01 13.5"), ("reduced", "10")),
    ),
    "FR": (
        "Taxe sur la valeur ajoutée",
        "TVA",
        (
            ("standard", "19.6; 2014-01-01 20"),
            ("reduced", "5.5; 2012-01-01 7; 2014-01-01 10"),
            ("reduced", "5.5"),
            ("super-reduced", "2.1"),
        ),
    ),
    "GB": (
        "Value Added Tax",
        "VAT",
        (("standard", "17.5; 2008-12-01 15; 2010-01-01 17.5; 2011-01-04 20"), ("reduced", "5")),
    ),
    "GR": (
        "Φόρος Προστιθέμενης Αξίας",
        "ΦΠΑ",
        (("standard", "23; 2016-06-01 24"), ("reduced", "13"), ("reduced", "6")),
    ),
    "HR": ("Porez na dodanu vrijednost", "PDV", (("standard", "25"), ("reduced", "13"), ("reduced", "5"))),
    "HU": ("Általános forgalmi adó", "ÁFA", (("standard", "25; 2012-01-01 27"), ("reduced", "18"), ("reduced", "5"))),
    "IE": (
        "Value-Added Tax",
        "VAT",
        (
            ("standard", "23; 2020-09-01 21; 2021-03-01 23"),
            ("reduced", "13.5"),
            ("reduced", "9"),
            ("super-reduced", "4.8"),
        ),
    ),
    "IT": (
        "Imposta sul valore aggiunto",
        "IVA",
        (
            ("standard", "20; 2011-09-17 21; 2013-10-01 22"),
            ("reduced", "10"),
            ("reduced", "5"),
            ("super-reduced", "4"),
        ),
    ),
    "LT": ("Pridėtinės vertės mokestis", "PVM", (("standard", "21"), ("reduced", "9"), ("reduced", "5"))),
    "LU": (
        "Taxe sur la valeur ajoutée",
        "TVA",
        (
            ("standard", "15; 2015-01-01 17; 2023-01-01 16; 2024-01-01 17"),
            ("reduced", "12; 2015-01-01 14; 2023-01-01 13; 2024-01-01 14"),
            ("reduced", "6; 2015-01-01 8; 2023-01-01 7; 2024-01-01 8"),
            ("super-reduced", "3"),
        ),
    ),
    "LV": ("Pievienotās vērtības nodoklis", "PVN", (("standard", "21"), ("reduced", "12"), ("reduced", "5"))),
    "MT": ("Value Added Tax", "VAT", (("standard", "18"), ("reduced", "7"), ("reduced", "5"))),
    "NL": (
        "Belasting over de toegevoegde waarde",
        "BTW",
        (("standard", "19; 2012-10-01 21"), ("reduced", "6; 2019-01-01 9")),
    ),
    "PL": (
        "Podatek od towarów i usług",
        "VAT",
        (("standard", "22; 2011-01-01 23"), ("reduced", "7; 2011-01-01 8"), ("reduced", "5")),
    ),
    "PT": (
        "Imposto sobre o Valor Acrescentado",
        "IVA",
        (("standard", "21; 2011-01-01 23"), ("reduced", "13"), ("reduced", "6")),
    ),
    "RO": (
        "Taxa pe valoarea adăugată",
        "TVA",
        (("standard", "24; 2016-01-01 20; 2017-01-01 19; 2025-08-01 21"), ("reduced", "9; 2025-08-01 11")),
    ),
    "SE": ("Mervärdesskatt", "Moms", (("standard", "25"), ("reduced", "12"), ("reduced", "6"))),
    "SI": (
        "Davek na dodano vrednost",
        "DDV",
        (("standard", "20; 2013-07-01 22"), ("reduced", "8.5; 2013-07-01 9.5"), ("reduced", "5")),
    ),
    "SK": (
        "Daň z pridanej hodnoty",
        "DPH",
        (
            ("standard", "19; 2011-01-01 20; 2025-01-01 23"),
            ("reduced", "20; 2025-01-01 19"),
            ("reduced", "10; 2025-01-01 5"),
        ),
    ),
    "NO": ("Merverdiavgift", "MVA", (("standard", "25"), ("reduced", "15"), ("reduced", "12"))),
    "CH": (
        "Mehrwertsteuer",
        "MWST",
        (
            ("standard", "7.6; 2011-01-01 8; 2018-01-01 7.7; 2024-01-01 8.1"),
            ("reduced", "3.6; 2011-01-01 3.8; 2018-01-01 3.7; 2024-01-01 3.8"),
            ("reduced", "2.4; 2011-01-01 2.5; 2024-01-01 2.6"),
        ),
    ),
}
# Liechtenstein is in the Swiss VAT area, Monaco in the French one.
_VAT_TABLE["LI"] = _VAT_TABLE["CH"]
_VAT_TABLE["MC"] = _VAT_TABLE["FR"]

# --------------------------------------------------------------------------------------------------
# Overrides of CLDR data where it does not give the business default
# --------------------------------------------------------------------------------------------------
# CLDR's likely language is the most spoken one; invoices are written in the business language.
# The last five territories have no CLDR locale at all: use their administering country's.
_LOCALE_OVERRIDES = {
    "BE": "nl-BE",
    "MT": "en-MT",
    "IN": "en-IN",
    "PK": "en-PK",
    "PH": "en-PH",
    "KE": "en-KE",
    "UG": "en-UG",
    "GH": "en-GH",
    "NA": "en-NA",
    "ZW": "en-ZW",
    "LS": "en-LS",
    "SS": "en-SS",
    "PG": "en-PG",
    "ML": "fr-ML",
    "NE": "fr-NE",
    "SN": "fr-SN",
    "CF": "fr-CF",
    "HT": "fr-HT",
    "PY": "es-PY",
    "AQ": "en-US",
    "BQ": "nl-BQ",
    "BV": "nb-NO",
    "HM": "en-AU",
    "TF": "fr-FR",
}

# babel lists a territory's zones in no useful order; for multi-zone countries take the capital's.
_TIMEZONE_OVERRIDES = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CD": "Africa/Kinshasa",
    "CL": "America/Santiago",
    "CY": "Asia/Nicosia",
    "EC": "America/Guayaquil",
    "ES": "Europe/Madrid",
    "FM": "Pacific/Pohnpei",
    "GL": "America/Nuuk",
    "ID": "Asia/Jakarta",
    "KI": "Pacific/Tarawa",
    "KZ": "Asia/Almaty",
    "MH": "Pacific/Majuro",
    "MN": "Asia/Ulaanbaatar",
    "MX": "America/Mexico_City",
    "MY": "Asia/Kuala_Lumpur",
    "PF": "Pacific/Tahiti",
    "PS": "Asia/Hebron",
    "PT": "Europe/Lisbon",
    "RU": "Europe/Moscow",
    "US": "America/New_York",
    "UZ": "Asia/Tashkent",
    "XK": "Europe/Belgrade",
}

# Where babel lists more than one current tender, the first is not always the one people invoice in.
# Bulgaria adopted the euro on 2026-01-01; babel 2.18's CLDR still lists BGN.
_CURRENCY_OVERRIDES = {"BT": "BTN", "LS": "LSL", "NA": "NAD", "BG": "EUR"}
_FALLBACK_CURRENCY = "USD"  # Antarctica has no currency of its own

# ISO 4217 fund codes (the table already leaves out metals, SDR, test and "no currency" codes): units of account
# for indexed contracts, not money an invoice is issued in.
_NOT_MONEY = frozenset("BOV CHE CHW CLF COU MXV USN UYI UYW XAD".split())

# Names people use that neither CLDR (English) nor ISO spell that way.
_ALIASES = {
    "uk": "GB",
    "u k": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "great britain": "GB",
    "britain": "GB",
    "holland": "NL",
    "turkey": "TR",
    "russia": "RU",
    "usa": "US",
    "u s": "US",
    "u s a": "US",
    "america": "US",
    "united states of america": "US",
    "czech republic": "CZ",
    "macedonia": "MK",
    "ivory coast": "CI",
    "swaziland": "SZ",
    "burma": "MM",
    "east timor": "TL",
    "cape verde": "CV",
    "vatican": "VA",
    "vatican city": "VA",
    "hong kong": "HK",
    "macau": "MO",
    "macao": "MO",
    "palestine": "PS",
    "democratic republic of the congo": "CD",
    "drc": "CD",
    "republic of the congo": "CG",
    "uae": "AE",
}

# Names people use for more than one country: they must not resolve, only suggest.
_AMBIGUOUS = {
    "korea": ("KR", "KP"),
    "congo": ("CG", "CD"),
    "virgin islands": ("VG", "VI"),
}

# Kosovo has no ISO 3166 code; XK/XKX are the user-assigned codes the EU and IMF use, and Space
# Invoices lists it too. Without it, a Kosovar business could not be created at all.
_KOSOVO = ("XK", "XKX", "")

# Languages whose CLDR country names are indexed (besides every country's own language).
_NAME_LANGUAGES = (
    "en", "nl", "fr", "de", "it", "es", "sl", "hr", "pl", "pt", "sv", "da", "fi", "cs", "sk", "hu", "ro", "bg",
    "el", "et", "lv", "lt", "mt", "nb", "nn", "ga", "is", "lb", "sr", "sr_Latn", "bs", "mk", "sq", "tr", "ru",
    "uk", "ca",
)  # fmt: skip

_MAX_INPUT = 200  # longer text cannot be a country name; don't spend time on it


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------
def rate_on(tax: TaxSeed, day: datetime.date) -> Decimal:
    """The rate of ``tax`` in effect on ``day``."""
    for valid_from, rate in tax.rates:  # newest first
        if valid_from <= day:
            return rate
    raise ValueError(f"{tax.abbreviation} has no rate before {tax.rates[-1][0].isoformat()}")


def resolve_country(text: str) -> CountryInfo | None:
    """The country ``text`` names (any indexed language, alpha-2 or alpha-3), if exactly one."""
    if not text or len(text) > _MAX_INPUT:
        return None
    stripped = text.strip()
    by_code = _countries_by_code()
    if stripped.isascii() and stripped.isalpha() and len(stripped) in (2, 3):
        code = stripped.upper()
        if code in by_code:
            return by_code[code]
        alpha2 = _alpha3_to_alpha2().get(code)
        if alpha2:
            return by_code[alpha2]
    key = _norm(stripped)
    for tier in _name_index():
        hits = tier.get(key)
        if hits:
            return by_code[next(iter(hits))] if len(hits) == 1 else None
    return None


def country_by_code(alpha2: str) -> CountryInfo | None:
    return _countries_by_code().get(alpha2.strip().upper())


def suggest_countries(text: str, limit: int = 5) -> list[str]:
    """English names of countries whose names (in any indexed language) resemble ``text``."""
    key = _norm(text[:_MAX_INPUT])
    if not key or limit <= 0:
        return []
    by_code = _countries_by_code()
    codes: list[str] = []
    # Words contained in a name first ("Korea" → both Koreas), then close spellings ("Belgum").
    for name_key, code in _english_keys():
        if key in name_key.split() or name_key.startswith(key):
            codes.append(code)
    all_keys = _all_keys()
    for match in difflib.get_close_matches(key, list(all_keys), n=limit * 3, cutoff=0.8):
        codes.extend(sorted(all_keys[match]))
    names = list(dict.fromkeys(by_code[code].name for code in codes))
    return names[:limit]


def all_countries() -> list[CountryInfo]:
    return list(_countries())


def all_currencies() -> list[CurrencyInfo]:
    return list(_currencies())


# --------------------------------------------------------------------------------------------------
# Builders (lazy, cached)
# --------------------------------------------------------------------------------------------------
_TRANSLIT = str.maketrans(
    {"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
_PUNCT = str.maketrans(dict.fromkeys('.,;:()[]-–—/"“”„«»', " ") | {"'": "", "’": "", "`": ""})


def _norm(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key; non-Latin letters are kept."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.translate(_TRANSLIT).translate(_PUNCT).replace("&", " and ")
    words = bare.split()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


def _parse_history(history: str) -> tuple[tuple[datetime.date, Decimal], ...]:
    first, *changes = (part.strip() for part in history.split(";"))
    rates = [(EPOCH, Decimal(first))]
    for change in changes:
        day, rate = change.split()
        rates.append((datetime.date.fromisoformat(day), Decimal(rate)))
    return tuple(sorted(rates, reverse=True))


def _format_rate(rate: Decimal) -> str:
    return f"{rate.normalize():f}"


def _tax_seeds(alpha2: str, today: datetime.date) -> tuple[TaxSeed, ...]:
    entry = _VAT_TABLE.get(alpha2)
    if entry is None:
        return ()
    name, short, taxes = entry
    seeds = []
    for classification, history in taxes:
        rates = _parse_history(history)
        probe = TaxSeed(name, short, classification, rates)
        abbreviation = f"{short} {_format_rate(rate_on(probe, today))}%"
        seeds.append(TaxSeed(name, abbreviation, classification, rates))
    return tuple(seeds)


@functools.cache
def _iso_codes() -> tuple[tuple[str, str, str, str], ...]:
    """(alpha2, alpha3, numeric, ISO name) of every ISO 3166-1 country, plus Kosovo."""
    import pycountry  # deferred: ~45 ms to import

    rows = [(c.alpha_2, c.alpha_3, c.numeric, c.name) for c in pycountry.countries]
    rows.append((*_KOSOVO, "Kosovo"))
    return tuple(rows)


@functools.cache
def _locale_parts(alpha2: str) -> tuple[str, str, str]:
    """(language, script or "", region) of the country's business locale, in BCP-47 minimal form."""
    from babel import Locale
    from babel.core import get_global, parse_locale
    from babel.localedata import exists

    tag = _LOCALE_OVERRIDES.get(alpha2)
    if tag is not None:
        parts = parse_locale(tag, sep="-")
        return parts[0], parts[2] or "", parts[1] or alpha2
    likely = get_global("likely_subtags")
    # CLDR omits territories whose likely language is the global default ("und" → English).
    parts = parse_locale(likely.get(f"und_{alpha2}", likely["und"]))
    language, script = parts[0], parts[2] or ""
    if not exists(f"{language}_{script}_{alpha2}" if script else f"{language}_{alpha2}"):
        # No CLDR data for that language here (e.g. Samoan in American Samoa): babel's own pick.
        fallback = Locale.parse(f"und_{alpha2}")
        language, script = fallback.language, fallback.script or ""
    # Keep the script only when it is not the language's default (sr-RS but sr-Latn-ME, zh-Hant-TW).
    default_script = parse_locale(likely.get(language, language))[2] or ""
    return language, "" if script == default_script else script, alpha2


def _bcp47(alpha2: str) -> str:
    return "-".join(part for part in _locale_parts(alpha2) if part)


def _language_tag(alpha2: str) -> str:
    """babel identifier of the country's language without region ("nl", "sr_Latn")."""
    language, script, _ = _locale_parts(alpha2)
    return f"{language}_{script}" if script else language


@functools.cache
def _territory_names(language: str) -> dict[str, str]:
    from babel import Locale

    return dict(Locale.parse(language).territories)


def _currency_of(alpha2: str) -> str:
    from babel.numbers import get_territory_currencies

    if alpha2 in _CURRENCY_OVERRIDES:
        return _CURRENCY_OVERRIDES[alpha2]
    current = get_territory_currencies(alpha2)
    return current[0] if current else _FALLBACK_CURRENCY


def _timezone_of(alpha2: str) -> str:
    from babel.core import get_global

    if alpha2 in _TIMEZONE_OVERRIDES:
        return _TIMEZONE_OVERRIDES[alpha2]
    zones: list[str] = get_global("territory_zones").get(alpha2, [])
    return zones[0] if zones else "UTC"


@functools.cache
def _countries() -> tuple[CountryInfo, ...]:
    english = _territory_names("en")
    today = datetime.date.today()
    infos = []
    for alpha2, alpha3, numeric, iso_name in _iso_codes():
        name = english.get(alpha2, iso_name)
        native = _territory_names(_language_tag(alpha2)).get(alpha2, name)
        infos.append(
            CountryInfo(
                alpha2=alpha2,
                alpha3=alpha3,
                numeric=numeric,
                name=name,
                native_name=native,
                locale=_bcp47(alpha2),
                currency=_currency_of(alpha2),
                timezone=_timezone_of(alpha2),
                taxes=_tax_seeds(alpha2, today),
            )
        )
    return tuple(sorted(infos, key=lambda info: _norm(info.name)))


@functools.cache
def _countries_by_code() -> dict[str, CountryInfo]:
    return {info.alpha2: info for info in _countries()}


@functools.cache
def _alpha3_to_alpha2() -> dict[str, str]:
    return {info.alpha3: info.alpha2 for info in _countries()}


def _add(index: dict[str, set[str]], name: str, alpha2: str) -> None:
    key = _norm(name)
    if key:
        index.setdefault(key, set()).add(alpha2)
    if ", " in name:  # ISO style "Korea, Republic of" also as "Republic of Korea"
        head, _, tail = name.partition(", ")
        _add(index, f"{tail} {head}", alpha2)


@functools.cache
def _name_index() -> tuple[dict[str, set[str]], ...]:
    """Name → codes, in tiers: English/ISO/aliases, then native names, then other languages.

    The first tier with a hit decides, so an English name is never shadowed by a foreign word.
    """
    import pycountry

    codes = {info.alpha2 for info in _countries()}
    english: dict[str, set[str]] = {}
    for code, name in _territory_names("en").items():
        if code in codes:
            _add(english, name, code)
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                _add(english, value, country.alpha_2)
    for alias, code in _ALIASES.items():
        english.setdefault(alias, set()).add(code)
    for name, ambiguous in _AMBIGUOUS.items():
        english.setdefault(name, set()).update(ambiguous)

    native: dict[str, set[str]] = {}
    for info in _countries():
        _add(native, info.native_name, info.alpha2)

    other: dict[str, set[str]] = {}
    languages = set(_NAME_LANGUAGES) | {_language_tag(info.alpha2) for info in _countries()}
    for language in sorted(languages):
        for code, name in _territory_names(language).items():
            if code in codes:
                _add(other, name, code)
    return english, native, other


@functools.cache
def _english_keys() -> tuple[tuple[str, str], ...]:
    return tuple((_norm(info.name), info.alpha2) for info in _countries())


@functools.cache
def _all_keys() -> dict[str, frozenset[str]]:
    merged: dict[str, set[str]] = {}
    for tier in reversed(_name_index()):
        for key, hits in tier.items():
            merged.setdefault(key, set()).update(hits)
    return {key: frozenset(hits) for key, hits in merged.items()}


def _currency_name(code: str, iso_name: str) -> str:
    from babel.numbers import get_currency_name

    name = str(get_currency_name(code, locale="en"))
    return iso_name if name == code else name  # CLDR answers the code itself when it has no name


@functools.cache
def _currencies() -> tuple[CurrencyInfo, ...]:
    """Every ISO 4217 currency one invoices in: digits from the frozen table, names and symbols from CLDR."""
    from babel.numbers import get_currency_symbol

    return tuple(
        CurrencyInfo(
            id=code,
            name=_currency_name(code, iso_name),
            symbol=get_currency_symbol(code, locale="en"),
            decimal_digits=digits,
        )
        for code, (digits, iso_name) in sorted(CURRENCIES.items())
        if code not in _NOT_MONEY
    )
