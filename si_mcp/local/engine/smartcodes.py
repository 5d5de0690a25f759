"""Smart codes: ``[organization name]``, ``[IBAN]``, ``[document number]`` … in notes, footers and emails.

Codes are matched case-insensitively; a code this module does not know is left as written, so a
literal ``[x]`` in a note survives. Values come from the issuing organization (or the document's
``_documentIssuer`` snapshot) and the document itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["codes_for", "resolve", "resolve_footer", "resolve_note", "states_own_facts"]

_CODE = re.compile(r"\[([A-Za-z][A-Za-z0-9 _\-]{0,40})\]")

# smart code → key of the issuer (organization) object on the wire
_ISSUER_KEYS = {
    "organization name": "name",
    "company name": "name",
    "address": "address",
    "address2": "address2",
    "zip": "zip",
    "city": "city",
    "state": "state",
    "country": "country",
    "tax number": "taxNumber",
    "company number": "companyNumber",
    "iban": "IBAN",
    "bank": "bank",
    "swift": "SWIFT",
    "email": "email",
    "phone": "phone",
    "website": "website",
}

_TYPE_TITLES = {
    "invoice": "Invoice",
    "estimate": "Estimate",
    "advance": "Advance invoice",
    "credit-note": "Credit note",
    "delivery-note": "Delivery note",
}


# Values a smart code put into a note that are facts of that one document (its number, dates and total) or payment
# details the organization may change: a note stating them is false on a copy or a revised draft.
_BOUND_CODES = ("document number", "document date", "document due", "valid till", "total", "iban", "swift", "bank")


def states_own_facts(note: str, issuer: Mapping[str, Any], document: Mapping[str, Any]) -> bool:
    """Whether ``note`` states ``document``'s own facts (a filled-in default note, or one written with smart codes):
    a copy or a revised draft then gets the organization's current default note with its own values instead."""
    values = codes_for(issuer, document)
    return any(values.get(code, "").strip() and values[code] in note for code in _BOUND_CODES)


def codes_for(issuer: Mapping[str, Any], document: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The value of every known code, from an issuer object and (optionally) a document, both wire-shaped."""
    values = {code: _text(issuer.get(key)) for code, key in _ISSUER_KEYS.items()}
    if document is not None:
        values["document number"] = _text(document.get("number"))
        values["document type"] = _TYPE_TITLES.get(str(document.get("type")), _text(document.get("type")))
        values["document due"] = _day(document.get("dateDue"))
        values["document date"] = _day(document.get("date"))
        values["valid till"] = _day(document.get("dateValidTill"))
        values["tax clause"] = _text(document.get("taxClause"))
        values["total"] = _text(document.get("totalWithTax"))
        values["currency"] = _text(document.get("currencyId"))
    return values


def resolve(text: str, values: Mapping[str, str]) -> str:
    """Replace every known ``[code]`` in ``text``; unknown codes stay."""

    def substitute(match: re.Match[str]) -> str:
        value = values.get(match.group(1).strip().lower())
        return match.group(0) if value is None else value

    return _CODE.sub(substitute, text)


def resolve_note(text: str, values: Mapping[str, str]) -> str:
    """Like :func:`resolve`, but a line whose smart codes all came out empty is left out.

    "Please pay to bank account [IBAN]." must not print as "Please pay to bank account ." when there is no IBAN.
    """
    lines = []
    for line in text.split("\n"):
        codes = [match.group(1).strip().lower() for match in _CODE.finditer(line)]
        known = [values[code] for code in codes if code in values]
        if codes and known and len(known) == len(codes) and not any(value.strip() for value in known):
            continue
        lines.append(resolve(line, values))
    return "\n".join(lines)


def resolve_footer(text: str, values: Mapping[str, str]) -> str:
    """Like :func:`resolve`, then drop the comma-separated parts that came out empty.

    ``[organization name], [address], [zip] [city], [country]`` for an organization without an address
    reads "ISA, 10000 Brussels, Belgium" rather than "ISA, , 10000 Brussels, Belgium".
    """
    lines = []
    for line in resolve(text, values).split("\n"):
        parts = [" ".join(part.split()) for part in line.split(",")]
        lines.append(", ".join(part for part in parts if part))
    return "\n".join(lines)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _day(value: Any) -> str:
    """``2023-05-30T06:14:03.266Z`` → ``2023-05-30``."""
    return _text(value)[:10]
