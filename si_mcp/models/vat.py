"""VAT categories of EN 16931 (UNCL 5305), the EU rules that pick one, and their legally required wording.

Pure data and functions, no I/O: the MCP tools use them to choose and explain a treatment, the local API to
check and print it, both the same way.

Categories: ``S`` standard rate, ``Z`` zero rated, ``E`` exempt (with a reason), ``AE`` reverse charge (the
customer accounts for the VAT, Directive 2006/112/EC art. 196), ``K`` intra-EU supply of goods (art. 138),
``G`` export of goods outside the EU (art. 146), ``O`` outside the scope of EU VAT (services to a customer
established outside the EU, art. 44). ``AE`` keeps its tax and rate on the line, reverse-charged (Space Invoices
``reverseCharged``: reported, not added); the others are charged at 0 %.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol, get_args

from .language import LANGUAGES, base_language

__all__ = [
    "CATEGORIES",
    "EU_COUNTRIES",
    "ZERO_RATED",
    "Category",
    "Supply",
    "Treatment",
    "category_problem",
    "clause",
    "country_code",
    "derive",
    "label",
    "legend",
    "vat_number_problem",
]

Category = Literal["S", "Z", "E", "AE", "K", "G", "O"]
Supply = Literal["services", "goods"]
CATEGORIES: tuple[str, ...] = get_args(Category)
ZERO_RATED = frozenset({"Z", "E", "K", "G", "O"})
"""Charged at 0 %: no organization tax is needed for them."""

EU_COUNTRIES = frozenset("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())


# Short names for the VAT summary, per language (en, nl, fr, de, sl, it, es).
_LABELS: dict[str, tuple[str, ...]] = {
    "Z": ("Zero rated", "Nultarief", "Taux zéro", "Nullsatz", "Stopnja 0 %", "Aliquota zero", "Tipo cero"),
    "E": ("Exempt", "Vrijgesteld", "Exonéré", "Steuerbefreit", "Oproščeno", "Esente", "Exento"),
    "AE": (
        "Reverse charge",
        "Verlegging van heffing",
        "Autoliquidation",
        "Steuerschuldnerschaft des Leistungsempfängers",
        "Obrnjena davčna obveznost",
        "Inversione contabile",
        "Inversión del sujeto pasivo",
    ),
    "K": (
        "Intra-EU supply",
        "Intracommunautaire levering",
        "Livraison intracommunautaire",
        "Innergemeinschaftliche Lieferung",
        "Dobava znotraj EU",
        "Cessione intracomunitaria",
        "Entrega intracomunitaria",
    ),
    "G": ("Export", "Uitvoer", "Exportation", "Ausfuhr", "Izvoz", "Esportazione", "Exportación"),
    "O": (
        "Not subject to VAT",
        "Niet onderworpen aan btw",
        "Non soumis à la TVA",
        "Nicht steuerbar",
        "Ni predmet DDV",
        "Non soggetto a IVA",
        "No sujeto a IVA",
    ),
}

# What the invoice must say (Directive 2006/112/EC art. 226 (11), (11a)), per language.
_LEGENDS: dict[str, tuple[str, ...]] = {
    "AE": (
        "Reverse charge: VAT to be accounted for by the customer (Article 196, Directive 2006/112/EC).",
        "Verlegging van heffing: btw te voldoen door de medecontractant (art. 196 Richtlijn 2006/112/EG).",
        "Autoliquidation : TVA due par le preneur (article 196 de la directive 2006/112/CE).",
        "Steuerschuldnerschaft des Leistungsempfängers (Art. 196 Richtlinie 2006/112/EG).",
        "Obrnjena davčna obveznost: DDV obračuna prejemnik (196. člen Direktive 2006/112/ES).",
        "Inversione contabile: IVA dovuta dal committente (art. 196 direttiva 2006/112/CE).",
        "Inversión del sujeto pasivo (art. 196 Directiva 2006/112/CE).",
    ),
    "K": (
        "Exempt intra-Community supply of goods (Article 138, Directive 2006/112/EC).",
        "Vrijgestelde intracommunautaire levering van goederen (art. 138 Richtlijn 2006/112/EG).",
        "Exonération de TVA, livraison intracommunautaire de biens (article 138 de la directive 2006/112/CE).",
        "Steuerfreie innergemeinschaftliche Lieferung (Art. 138 Richtlinie 2006/112/EG).",
        "Oproščena dobava blaga znotraj Skupnosti (138. člen Direktive 2006/112/ES).",
        "Cessione intracomunitaria non imponibile (art. 138 direttiva 2006/112/CE).",
        "Entrega intracomunitaria exenta (art. 138 Directiva 2006/112/CE).",
    ),
    "G": (
        "Export outside the EU, exempt from VAT (Article 146, Directive 2006/112/EC).",
        "Uitvoer buiten de EU, vrijgesteld van btw (art. 146 Richtlijn 2006/112/EG).",
        "Exportation hors UE, exonérée de TVA (article 146 de la directive 2006/112/CE).",
        "Steuerfreie Ausfuhrlieferung (Art. 146 Richtlinie 2006/112/EG).",
        "Izvoz iz EU, oproščen DDV (146. člen Direktive 2006/112/ES).",
        "Esportazione non imponibile (art. 146 direttiva 2006/112/CE).",
        "Exportación exenta de IVA (art. 146 Directiva 2006/112/CE).",
    ),
    "O": (
        "Not subject to VAT: services to a customer established outside the EU (Article 44, Directive 2006/112/EC).",
        "Niet onderworpen aan btw: dienst aan een afnemer buiten de EU (art. 44 Richtlijn 2006/112/EG).",
        "Non soumis à la TVA : prestation à un preneur établi hors UE (article 44 de la directive 2006/112/CE).",
        "Nicht im Inland steuerbare Leistung (Art. 44 Richtlinie 2006/112/EG).",
        "Ni predmet DDV: storitev prejemniku s sedežem zunaj EU (44. člen Direktive 2006/112/ES).",
        "Operazione non soggetta a IVA (art. 44 direttiva 2006/112/CE).",
        "Operación no sujeta a IVA (art. 44 Directiva 2006/112/CE).",
    ),
    "Z": (
        "Zero-rated supply.",
        "Levering tegen nultarief.",
        "Livraison au taux zéro.",
        "Umsatz zum Nullsatz.",
        "Dobava po stopnji 0 %.",
        "Operazione ad aliquota zero.",
        "Operación a tipo cero.",
    ),
    "E": (
        "Exempt from VAT.",
        "Vrijgesteld van btw.",
        "Exonéré de TVA.",
        "Steuerbefreit.",
        "Oproščeno DDV.",
        "Esente IVA.",
        "Exento de IVA.",
    ),
}


def _pick(table: dict[str, tuple[str, ...]], category: str, language: str) -> str:
    texts = table.get(category)
    if texts is None:
        return ""
    code = base_language(language)
    return texts[LANGUAGES.index(code)] if code in LANGUAGES else texts[0]


def label(category: str, language: str) -> str:
    """The short name of ``category`` in ``language`` (English when not known); "" for the standard rate."""
    return _pick(_LABELS, category, language)


def legend(
    category: str, language: str, reason: str | None = None, *, cross_border: bool = True, outside_eu: bool = True
) -> str:
    """What a document with ``category`` lines must say; an exempt supply says its own ``reason`` when given.

    The reverse-charge wording cites art. 196 (services to a business in another EU country); a domestic reverse
    charge (art. 199, 199a: construction, scrap, ...) gets the bare mention, or its ``reason`` when given.
    """
    if reason and category in ("E", "AE"):
        return reason
    if category == "AE" and not cross_border:
        return f"{_pick(_LABELS, category, language)}."
    if category == "O" and not outside_eu:  # art. 44 speaks of customers outside the EU
        return f"{_pick(_LABELS, category, language)}."
    return _pick(_LEGENDS, category, language)


class _Tagged(Protocol):
    @property
    def category(self) -> str | None: ...
    @property
    def exemption_reason(self) -> str | None: ...


def clause(taxes: Iterable[_Tagged], language: str, *, seller: str | None, buyer: str | None) -> str:
    """The document's tax clause: the wording of each category (and reason) among ``taxes``, once, in a fixed order,
    as true for a sale from ``seller`` to ``buyer`` (alpha-2 countries)."""
    found = [
        (tax.category, tax.exemption_reason if tax.category in ("E", "AE") else None)
        for tax in taxes
        if tax.category and tax.category != "S"
    ]
    order = {category: i for i, category in enumerate(("AE", "K", "G", "O", "E", "Z"))}
    ranked = sorted(dict.fromkeys(found), key=lambda key: order.get(key[0], 9))
    cross_border = buyer in EU_COUNTRIES and buyer != seller
    outside_eu = bool(buyer) and buyer not in EU_COUNTRIES
    texts = (
        legend(category, language, reason, cross_border=cross_border, outside_eu=outside_eu)
        for category, reason in ranked
    )
    return "\n".join(dict.fromkeys(texts))


def category_problem(category: str, seller: str | None, buyer: str | None) -> str | None:
    """Why ``category`` cannot apply to a sale from ``seller`` to ``buyer`` (alpha-2), or None.

    K needs a buyer in another EU country, G a buyer outside the EU: their wording says so, and an invoice must not
    say what is not true. (O, out of scope, also covers disbursements at home; its wording follows the buyer.)
    """
    if category == "K" and not (buyer in EU_COUNTRIES and buyer != seller):
        return "an intra-EU supply (K) needs a client in another EU country"
    if category == "G" and (not buyer or buyer in EU_COUNTRIES):
        return "an export (G) needs a client outside the EU"
    return None


@dataclass(frozen=True)
class Treatment:
    category: Category
    why: str
    """Why this category was chosen, in English, so that the user can check it and correct it."""


def derive(seller: str | None, buyer: str | None, buyer_vat: str | None, supply: Supply) -> Treatment:
    """The VAT category the EU rules give a supply from ``seller`` to ``buyer`` (ISO alpha-2 countries).

    A VAT number marks a business customer. Not covered (the user chooses ``vat`` per line): OSS distance sales,
    exempt activities, special schemes, and services whose place of supply is not the customer's.
    """
    if not seller or seller not in EU_COUNTRIES:
        return Treatment("S", "the seller is not in the EU: the VAT rates given apply")
    if not buyer:
        return Treatment("S", "the client's country is not known: the seller's VAT applies")
    if buyer == seller:
        return Treatment("S", "a domestic supply: the seller's VAT applies")
    business = bool(buyer_vat and buyer_vat.strip())
    if buyer in EU_COUNTRIES:
        if not business:
            return Treatment("S", "a consumer in another EU country (no VAT number): the seller's VAT applies")
        if supply == "goods":
            return Treatment("K", "goods to a VAT-registered business in another EU country: intra-EU supply")
        return Treatment("AE", "services to a VAT-registered business in another EU country: reverse charge")
    if supply == "goods":
        return Treatment("G", "goods to a client outside the EU: export")
    if business:
        return Treatment("O", "services to a business outside the EU: not subject to EU VAT")
    return Treatment("S", "services to a consumer outside the EU (no tax number): the seller's VAT applies")


def country_code(text: str | None) -> str | None:
    """The ISO alpha-2 code of a country given by code or English name ("FR", "FRA", "France"), if known."""
    import pycountry

    if not text or not text.strip() or len(text) > 100:
        return None
    try:
        found = pycountry.countries.lookup(text.strip())
    except LookupError:
        return None
    return str(found.alpha_2)


def vat_number_problem(number: str | None, country: str | None) -> str | None:
    """Why ``number`` is not a valid EU VAT number of ``country`` (format and check digits), or None if it is.

    A number given without its country prefix gets the client's (``EL`` for Greece); Northern Ireland's ``XI``
    numbers are taken for a client in the United Kingdom.
    """
    from stdnum.eu import vat
    from stdnum.exceptions import ValidationError

    if not number or not number.strip():
        return "it is missing"
    shown = number.strip()[:40]
    raw = "".join(ch for ch in number if ch.isalnum()).upper()
    prefixes = {"GR": ("EL",), "GB": ("XI",)}.get(country or "", (country,) if country else ())
    if prefixes and not raw[:2].isalpha():
        raw = prefixes[0] + raw
    if prefixes and raw[:2] not in prefixes:
        return f"{shown!r} is not a VAT number of {country} (it should start with {' or '.join(prefixes)})"
    try:
        vat.validate(raw)
    except ValidationError as error:
        return f"{shown!r} is not a valid VAT number: {error}"
    return None
