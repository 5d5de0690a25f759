"""The *view* of a document: every printed value as a ready-made string.

The typst template only places strings; all formatting happens here, with babel for the chosen locale
and ``Decimal`` all the way (amounts are rounded half-up by the engine's :func:`round_money` before
babel sees them, because babel itself would round half-even). Untrusted text (names, items, notes) is
cleaned of control and bidi-override characters and given break opportunities in very long words, so
it can neither hide characters nor push the layout off the page. The view goes to typst as JSON data,
so markup characters in it are never evaluated.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from si_mcp.local.engine.calc import currency_exponent, round_money
from si_mcp.models import Document, DocumentClient, DocumentIssuer, DocumentItem, DocumentTax, Organization, vat
from si_mcp.models.labels import LANGUAGES, Language, document_title, labels_for
from si_mcp.models.language import base_language
from si_mcp.models.notes import translate_note
from si_mcp.models.wirejson import normalize_number

__all__ = ["Formatter", "accent_color", "build_view", "clean_text"]

DEFAULT_ACCENT = "#1f4e79"
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)

# C0/C1 controls except newline; bidi embeddings, overrides and isolates (they reorder what is shown).
_INVISIBLE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LONG_RUN = re.compile(r"\S{25,}")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")
_BREAK_EVERY = 16
_ZWSP = "\u200b"


def clean_text(value: str | None) -> str:
    """Untrusted text made safe to print: no control characters, breakable long words."""
    if not value:
        return ""
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _INVISIBLE.sub(lambda m: " " if m.group() == "\t" else "", text)
    text = _BLANK_LINES.sub("\n\n", text)  # a wall of empty lines would only push the layout apart
    return _LONG_RUN.sub(_breakable, text)


def _breakable(match: re.Match[str]) -> str:
    run = match.group()
    return _ZWSP.join(run[i : i + _BREAK_EVERY] for i in range(0, len(run), _BREAK_EVERY))


class Formatter:
    """Locale-bound number and date formatting (babel is imported lazily: it is slow to import)."""

    def __init__(self, locale: str, currency: str) -> None:
        self.locale = locale
        self.currency = currency.upper()

    def money(self, amount: Decimal) -> str:
        return self._currency(round_money(amount, self.currency))

    def price(self, amount: Decimal) -> str:
        """A unit price keeps its extra decimals (0.1234) but shows at least the currency's."""
        return self._currency(normalize_number(amount))

    def _currency(self, value: Decimal) -> str:
        """The locale's currency pattern with the ISO 4217 minor unit (babel would pad or cut to CLDR's digits)."""
        digits = currency_exponent(self.currency)
        pattern = _currency_pattern(self.locale, digits)
        return str(
            pattern.apply(value, self.locale, currency=self.currency, currency_digits=False, decimal_quantization=False)
        )

    def number(self, value: Decimal) -> str:
        from babel.numbers import format_decimal

        return str(format_decimal(normalize_number(value), locale=self.locale, decimal_quantization=False))

    def percent(self, rate: Decimal) -> str:
        from babel.numbers import format_percent

        return str(format_percent(normalize_number(rate) / _HUNDRED, locale=self.locale, decimal_quantization=False))

    def date(self, value: datetime | None) -> str:
        from babel.dates import format_date

        return "" if value is None else str(format_date(value.date(), format="medium", locale=self.locale))


@functools.cache
def _currency_pattern(locale: str, digits: int) -> Any:
    from babel import Locale

    pattern = copy.copy(Locale.parse(locale).currency_formats["standard"])
    pattern.frac_prec = (digits, digits)
    return pattern


def accent_color(organization: Organization) -> str:
    """The organization's ``color_main`` default (``"0082c9"``) as ``#0082c9``, else the house blue."""
    for default in organization.defaults or []:
        if default.name == "color_main" and isinstance(default.value, str):
            value = default.value.strip().lstrip("#")
            if re.fullmatch(r"[0-9a-fA-F]{6}", value):
                return f"#{value.lower()}"
    return DEFAULT_ACCENT


def _lines(*values: str | None) -> list[str]:
    return [clean_text(v) for v in values if v and v.strip()]


def _party(
    source: DocumentIssuer | DocumentClient | Organization, labels: dict[str, str], *, contact: str | None = None
) -> dict[str, Any]:
    place = " ".join(v for v in (source.zip, source.city) if v)
    ids = [
        f"{labels[key]} {clean_text(value)}"
        for key, value in (("tax_number", source.tax_number), ("company_number", source.company_number))
        if value
    ]
    return {
        "name": clean_text(source.name),
        "contact": clean_text(contact),
        "lines": _lines(source.address, source.address2, place, source.state, source.country),
        "ids": ids,
        "contact_lines": _lines(source.email, source.phone, source.website),
    }


def _issuer(document: Document, organization: Organization) -> DocumentIssuer | Organization:
    issuer = document.document_issuer
    return issuer if issuer is not None and issuer.name else organization


def _item(item: DocumentItem, position: int, fmt: Formatter) -> dict[str, Any]:
    if item.is_separator:
        return {"separator": True, "no": "", "name": clean_text(item.name), "description": clean_text(item.description)}
    if item.discount == _ZERO:
        discount = ""
    elif item.discount_is_amount:
        discount = fmt.price(item.discount)
    else:
        discount = fmt.percent(item.discount)
    return {
        "separator": False,
        "no": str(position),
        "name": clean_text(item.name),
        "description": clean_text(item.description),
        "quantity": fmt.number(item.quantity),
        "unit": clean_text(item.unit),
        "price": "" if item.price is None else fmt.price(item.price),
        "discount": discount,
        "tax": ", ".join(fmt.percent(t.rate) for t in item.document_item_taxes),
        "amount": fmt.money(item.total),
    }


def _vat_rows(document: Document, fmt: Formatter, labels: dict[str, str], language: str) -> list[dict[str, str]]:
    def row(tax: DocumentTax, reverse: bool) -> dict[str, str]:
        rate = fmt.percent(tax.tax)
        label = clean_text(tax.abbreviation) or f"{labels['vat']} {rate}"
        if tax.category and tax.category != "S":  # the legal name of the category, in the document's language
            return {
                "label": f"{vat.label(tax.category, language)} ({tax.category})",
                "rate": rate,
                "base": fmt.money(tax.base),
                "tax": fmt.money(_ZERO if reverse else tax.total_tax),
            }
        return {
            "label": f"{label} ({labels['reverse_charge']})" if reverse else label,
            "rate": rate,
            "base": fmt.money(tax.base),
            "tax": fmt.money(tax.total_tax),
        }

    return [row(t, False) for t in document.document_taxes] + [row(t, True) for t in document.document_reverse_taxes]


def _totals(document: Document, fmt: Formatter, labels: dict[str, str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(key: str, amount: Decimal, strong: bool = False) -> None:
        rows.append({"label": labels[key], "value": fmt.money(amount), "strong": strong})

    if document.total_discount != _ZERO:
        add("subtotal", document.total + document.total_discount)
        add("total_discount", -document.total_discount)
    add("total_net", document.total)
    add("total_tax", document.total_with_tax - document.total)
    add("total", document.total_with_tax, strong=True)
    if document.type in ("invoice", "advance") and (document.total_paid != _ZERO or document.total_credited != _ZERO):
        if document.total_credited != _ZERO:
            add("total_credited", document.total_credited)
        if document.total_paid != _ZERO:
            add("total_paid", document.total_paid)
        add("total_due", document.total_due, strong=True)
    return rows


def _meta(document: Document, fmt: Formatter, labels: dict[str, str]) -> list[dict[str, str]]:
    service = fmt.date(document.date_service)
    if service and document.date_service_to is not None:
        service = f"{service} – {fmt.date(document.date_service_to)}"
    by_type: dict[str, list[tuple[str, str]]] = {
        "invoice": [("date_service", service), ("date_due", fmt.date(document.date_due))],
        "estimate": [("date_valid_till", fmt.date(document.date_valid_till))],
        "advance": [("date_paid", fmt.date(document.date_paid))],
        "credit-note": [("date_service", service)],
        "delivery-note": [("date_delivery", service)],
    }
    pairs = [("date_issued", fmt.date(document.date)), *by_type.get(document.type, [])]
    pairs.append(("reference", clean_text(document.reference)))
    relation = "corrects" if document.type == "credit-note" else "refers_to"
    for related in document.related_documents:
        title = labels.get(f"title_{related.type}", related.type)
        pairs.append((relation, f"{title} {clean_text(related.number)}, {fmt.date(related.date)}".strip(", ")))
    for credit in document.referenced_by:
        if credit.type == "credit-note" and document.type != "credit-note":
            amount = fmt.money(credit.amount) if credit.amount is not None else ""
            title = labels.get("title_credit-note", "")
            what = f"{title} {clean_text(credit.number)}, {fmt.date(credit.date)}"
            pairs.append(("credited_by", f"{what}: {amount}".strip(": ")))
    return [{"label": labels[key], "value": value} for key, value in pairs if value]


def _payment(
    document: Document, issuer: DocumentIssuer | Organization, fmt: Formatter, labels: dict[str, str]
) -> dict[str, Any] | None:
    # Only what is true: something is due, and there is an account to pay it to.
    if document.type != "invoice" or document.canceled or document.total_due <= _ZERO or not issuer.iban:
        return None
    amount = fmt.money(document.total_due)
    due = fmt.date(document.date_due)
    text = labels["pay_by"].format(amount=amount, date=due) if due else labels["pay"].format(amount=amount)
    pairs = [("iban", issuer.iban), ("bank", issuer.bank), ("swift", issuer.swift)]
    rows = [{"label": labels[key], "value": clean_text(value)} for key, value in pairs if value]
    if document.number:
        rows.append({"label": labels["payment_reference"], "value": clean_text(document.number)})
    return {"title": labels["payment"], "text": text, "rows": rows}


def _badges(document: Document, labels: dict[str, str]) -> list[str]:
    flags: Iterable[tuple[str, bool]] = (
        ("draft", document.draft),
        ("canceled", document.canceled),
        ("paid_in_full", document.paid_in_full and document.type in ("invoice", "advance")),
    )
    return [labels[key] for key, on in flags if on]


def build_view(document: Document, organization: Organization, language: Language) -> dict[str, Any]:
    """Everything the template prints, as JSON-ready strings, lists and booleans."""
    labels = labels_for(language.code)
    fmt = Formatter(language.locale, document.currency_id)
    issuer = _issuer(document, organization)
    client = document.document_client or DocumentClient()
    title = document_title(document.type, language.code)
    number = clean_text(document.number)
    items = document.document_items
    positions = _positions(items)
    return {
        "lang": language.code,
        "region": language.region or "",
        "accent": accent_color(organization),
        "labels": labels,
        "type": document.type,
        "money": document.type != "delivery-note",  # a delivery note lists goods: no prices, totals or VAT
        "title": title,
        "number": number,
        "document_title": f"{title} {number}".strip(),
        "badges": _badges(document, labels),
        "issuer": _party(issuer, labels),
        "client": _party(client, labels, contact=client.contact),
        "meta": _meta(document, fmt, labels),
        "columns": {
            "unit": any(i.unit for i in items if not i.is_separator),
            "discount": any(i.discount != _ZERO for i in items if not i.is_separator),
        },
        "items": [_item(item, pos, fmt) for item, pos in zip(items, positions, strict=True)],
        "vat": _vat_rows(document, fmt, labels, language.code),
        "totals": _totals(document, fmt, labels),
        "tax_clause": clean_text(_tax_clause(document, language.code)),
        "payment": _payment(document, issuer, fmt, labels),
        "note": clean_text(_note(document, language.code)),
        "signature": clean_text(document.signature),
        "footer": clean_text(document.footer),
    }


def _note(document: Document, language: str) -> str:
    """The note in the language printed: the document's ``l10n`` ``note_<lang>`` (Space Invoices), else a seeded
    default note in that language; a note someone wrote stays as written."""
    localized = (document.l10n or {}).get(f"note_{language}")
    if isinstance(localized, str) and localized.strip():
        return localized
    if document.locale and base_language(document.locale) == language:
        return (
            document.note
        )  # as written: a note that reads like a seeded one in another language is not ours to change
    return translate_note(document.note, document.type, language) or document.note


def _tax_clause(document: Document, language: str) -> str:
    """The VAT wording in the language printed, when it is the wording the lines' categories call for (it is in
    some language of ours); a clause written by the caller stays as written."""
    taxes = [tax for item in document.document_items for tax in item.document_item_taxes]
    seller = document.document_issuer.country_alpha2_code if document.document_issuer else None
    buyer = document.document_client.country_alpha2_code if document.document_client else None
    if not document.tax_clause or not any(tax.category for tax in taxes):
        return document.tax_clause
    for known in LANGUAGES:
        if vat.clause(taxes, known, seller=seller, buyer=buyer) == document.tax_clause:
            return vat.clause(taxes, language, seller=seller, buyer=buyer)
    return document.tax_clause


def _positions(items: list[DocumentItem]) -> list[int]:
    """Line numbers that skip separators (1, 2, —, 3)."""
    numbers: list[int] = []
    counter = 0
    for item in items:
        if not item.is_separator:
            counter += 1
        numbers.append(counter)
    return numbers
