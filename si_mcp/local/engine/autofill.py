"""Auto-fill of a document on create or replace (Space Invoices §8.7), as pure functions over wire dicts.

Given the validated request, the organization (with its defaults and taxes), the resolved client and the
allocated number, :func:`build_document` returns the complete stored document:

* dates: ``date`` defaults to now; invoices get ``dateService`` = date and ``dateDue`` = date +
  ``invoice_dueDays`` (default 30; string values such as ``"30"`` are accepted); estimates get
  ``dateValidTill`` = date + ``estimate_validTillDays``; advances get ``datePaid`` = date.
* ``currencyId`` from the request, else the organization's ``currencyId`` default.
* ``note`` from the ``<type>_note`` default, ``signature`` and ``footer`` from theirs, with smart codes
  resolved against the issuer snapshot and the document itself, so ``[document number]`` is the
  document's **own** number. The footer drops empty parts ("name, address, zip city, country").
* ``_documentIssuer``: a snapshot of the organization; issuer keys in the request win.
* item taxes resolved by ``taxId`` (the rate valid at the document date), else ``rate``, else
  ``classification``, against the organization's taxes; anything unknown is an :class:`AutofillError`
  that names the field and lists what exists.
* totals from :mod:`.calc`; ``decimalPlaces`` defaults to 9, as the live API answers (the seed).
* ``hasUnit``, ``issuedAt`` (not for drafts), ``dateYear``.

Policy on signs: estimates and advances refuse negative quantities, and an invoice may not total
below zero (a correction is a credit note); credit notes may carry either sign.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import date as date_type
from decimal import Decimal
from typing import Any

from si_mcp.models import (
    Document,
    DocumentClient,
    DocumentCreate,
    DocumentIssuer,
    DocumentItemInput,
    DocumentItemTaxInput,
    DocumentPaymentInput,
    Payment,
    vat,
    wirejson,
)
from si_mcp.models.ledger import local_day
from si_mcp.models.notes import default_note, is_seeded_note

from .calc import AmountTooLarge, LineInput, TaxLine, compute_document, currency_exponent, payment_status
from .seeds import DEFAULT_DUE_DAYS, DEFAULT_VALID_DAYS
from .smartcodes import codes_for, resolve, resolve_footer, resolve_note

__all__ = [
    "DEFAULT_DECIMAL_PLACES",
    "AutofillError",
    "OrgContext",
    "apply_payment_status",
    "as_decimal",
    "build_document",
    "build_document_client",
    "build_payments",
    "check_currency_amount",
    "credited_amount",
    "local_day",
    "document_date",
    "rate_on",
    "with_v1_keys",
]

DEFAULT_DECIMAL_PLACES = 9
"""What the live API answers when ``decimalPlaces`` is not sent (the seed shows 9; the 2021 docs said 4)."""

_ISSUER_KEYS = (
    "name",
    "address",
    "address2",
    "city",
    "zip",
    "state",
    "country",
    "countryAlpha2Code",
    "taxNumber",
    "companyNumber",
    "IBAN",
    "bank",
    "SWIFT",
    "website",
    "email",
    "phone",
)
_OPTIONAL_ISSUER_KEYS = ("state", "website", "email", "phone")
_MAX_DAYS = 3650


class AutofillError(ValueError):
    """A request that cannot be completed: ``field`` is the wire path, ``message`` says what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class OrgContext:
    """The organization as the builder needs it, all wire-shaped."""

    organization: Mapping[str, Any]
    defaults: Mapping[str, Any]
    """default name → value"""
    taxes: Sequence[Mapping[str, Any]]
    """the organization's (not deleted) taxes, oldest first"""
    language: str | None = None
    """the document's language tag when it is not the organization's locale"""

    @property
    def document_language(self) -> str:
        """The language the document is written in: labels, VAT wording and default note."""
        return self.language or str(self.organization.get("locale") or "en")


def as_decimal(value: Any) -> Decimal:
    """A stored JSON number (int or Decimal) as a Decimal."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return Decimal(str(value))


def _n(value: Decimal) -> Decimal:
    """A computed amount as JavaScript would print it (and never ``-0``)."""
    return Decimal(0) if value == 0 else wirejson.normalize_number(value)


def _days(value: Any, default: int) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        days = value
    elif isinstance(value, str | Decimal) and str(value).strip().isdigit():
        days = int(str(value).strip())
    else:
        return default
    return days if 0 <= days <= _MAX_DAYS else default


def document_date(body: DocumentCreate, now: datetime) -> datetime:
    return body.date if body.date is not None else now


def rate_on(tax: Mapping[str, Any], day: date_type) -> Decimal | None:
    """The rate of ``tax`` valid on the calendar ``day``: the newest ``_taxRates`` entry that started by then.

    ``dateValidFrom`` names a calendar day (stored as its UTC midnight); ``day`` is the document's day where the
    organization is (:func:`local_day`), so a rate starting 1 July applies from 00:00 on 1 July local time.
    """
    best: tuple[datetime, Decimal] | None = None
    for entry in tax.get("_taxRates") or ():
        start = _parse_time(entry.get("dateValidFrom"))
        if start is not None and _utc_day(start) <= day and (best is None or start > best[0]):
            best = (start, as_decimal(entry["rate"]))
    return None if best is None else best[1]


def _utc_day(value: datetime) -> date_type:
    return (value if value.tzinfo is None else value.astimezone(UTC)).date()


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    return datetime.fromisoformat(str(value))


def _rate_text(rate: Decimal) -> str:
    return f"{_n(rate)}%"


def _available(ctx: OrgContext, day: date_type) -> str:
    rates = []
    for tax in ctx.taxes:
        rate = rate_on(tax, day)
        if rate is not None:
            rates.append(f"{_rate_text(rate)} ({tax.get('abbreviation') or tax.get('name')})")
    if not rates:
        return "This organization has no taxes yet; add one first."
    return "Taxes of this organization on that date: " + ", ".join(rates) + "."


def _pick_tax(spec: DocumentItemTaxInput, ctx: OrgContext, day: date_type, where: str) -> Mapping[str, Any]:
    if spec.tax_id is not None:
        for tax in ctx.taxes:
            if tax["id"] == spec.tax_id:
                return tax
        raise AutofillError(f"{where}.taxId", f"no tax with id {spec.tax_id!r} in this organization.")
    if spec.rate is not None:
        matches = [t for t in ctx.taxes if rate_on(t, day) == spec.rate]
        matches.sort(key=lambda t: t.get("classification") != "standard")
        if not matches:
            raise AutofillError(
                f"{where}.rate", f"no tax with rate {_rate_text(spec.rate)} on {day}. {_available(ctx, day)}"
            )
        return matches[0]
    matches = [t for t in ctx.taxes if (t.get("classification") or "").lower() == (spec.classification or "").lower()]
    if not matches:
        known = sorted({str(t.get("classification")) for t in ctx.taxes if t.get("classification")})
        raise AutofillError(
            f"{where}.classification",
            f"no tax classified {spec.classification!r}; known classifications: {', '.join(known) or 'none'}.",
        )
    return matches[0]


def _resolve_tax(spec: DocumentItemTaxInput, ctx: OrgContext, day: date_type, where: str) -> TaxLine:
    category = spec.category
    language = ctx.document_language
    if category in vat.ZERO_RATED:
        # 0 % by law, not by a tax of the organization: every country supports it without adding one.
        name = vat.label(category, language)
        reason = spec.exemption_reason
        return TaxLine(
            rate=Decimal(0),
            name=spec.name if spec.name is not None else name,
            abbreviation=spec.abbreviation if spec.abbreviation is not None else f"{name} (0%)",
            category=category,
            exemption_reason=reason,
        )
    if category == "AE" and spec.tax_id is None and spec.classification is None and not spec.rate:
        # Cross-border reverse charge: the customer applies its own country's rate; this invoice states 0 % (EN 16931
        # BR-AE-05). A domestic reverse charge names the tax (rate or taxId) it reverses.
        name = vat.label(category, language)
        return TaxLine(
            rate=Decimal(0),
            name=spec.name if spec.name is not None else name,
            abbreviation=spec.abbreviation if spec.abbreviation is not None else name,
            reverse_charged=True,
            category=category,
            exemption_reason=spec.exemption_reason,
        )
    tax = _pick_tax(spec, ctx, day, where)
    rate = rate_on(tax, day)
    if rate is None:
        raise AutofillError(f"{where}.taxId", f"tax {tax['id']!r} has no rate valid on {day}.")

    def flag(given: bool | None, key: str, default: bool) -> bool:
        return given if given is not None else bool(tax.get(key, default))

    return TaxLine(
        rate=rate,
        tax_id=str(tax["id"]),
        name=spec.name if spec.name is not None else str(tax.get("name") or ""),
        abbreviation=spec.abbreviation if spec.abbreviation is not None else str(tax.get("abbreviation") or ""),
        compound=flag(spec.compound, "compound", False),
        # Reverse charge keeps the tax on the line for the customer to account for; nothing is added to totals.
        reverse_charged=True if category == "AE" else flag(spec.reverse_charged, "reverseCharged", False),
        recoverable=flag(spec.recoverable, "recoverable", True),
        category=category if category else None,
        exemption_reason=spec.exemption_reason if category == "AE" else None,
    )


def _issuer(body: DocumentCreate, organization: Mapping[str, Any], sub_id: str) -> dict[str, Any]:
    issuer: dict[str, Any] = {"id": sub_id}
    for key in _ISSUER_KEYS:
        value = organization.get(key)
        if key in _OPTIONAL_ISSUER_KEYS and not value:
            continue
        issuer[key] = value if value is not None else ""
    if isinstance(organization.get("taxSubject"), bool):
        issuer["taxSubject"] = organization["taxSubject"]
    if body.document_issuer is not None:
        issuer.update(body.document_issuer.model_dump(by_alias=True, exclude_unset=True))
    issuer.update(
        createdAt=organization.get("createdAt"),
        updatedAt=organization.get("updatedAt"),
        custom=issuer.get("custom") or organization.get("custom") or {},
        _data=[],
    )
    return DocumentIssuer.model_validate(issuer).to_wire(exclude_none=True)


# Keys a v1 answer always carries, null when unset (the SDKs' models read them; LoopBack sends unset props as null).
_V1_DOCUMENT_KEYS = ("l10n", "dateServiceTo", "_documentConversionRate")
_V1_ITEM_KEYS = ("itemId", "unit", "SKU", "l10n")
_V1_PARTY_KEYS = ("state", "email", "phone", "website", "taxSubject")


def with_v1_keys(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with every key v1 documents carry present (``None`` where it has no value)."""
    for key in _V1_DOCUMENT_KEYS:
        document.setdefault(key, None)
    for item in document.get("_documentItems") or []:
        for key in _V1_ITEM_KEYS:
            item.setdefault(key, None)
    for party in ("_documentIssuer", "_documentClient"):
        if isinstance(document.get(party), dict):
            for key in _V1_PARTY_KEYS:
                document[party].setdefault(key, None)
    return document


def build_document_client(
    fields: Mapping[str, Any], *, sub_id: str, country_alpha2: str | None, now: datetime
) -> dict[str, Any]:
    """The ``_documentClient`` snapshot from wire-named client fields."""
    client = {k: v for k, v in fields.items() if k not in ("id", "organizationId", "createdAt", "updatedAt")}
    client.update(id=sub_id, createdAt=now, updatedAt=now, _data=[])
    client.setdefault("custom", {})
    if country_alpha2:
        client["countryAlpha2Code"] = country_alpha2
    allowed = {f.alias or n for n, f in DocumentClient.model_fields.items()} | {"_data", "createdAt", "updatedAt"}
    client = {k: v for k, v in client.items() if k in allowed}
    return DocumentClient.model_validate(client).to_wire(exclude_none=True)


def _line(item: DocumentItemInput, index: int, ctx: OrgContext, day: date_type, doc_type: str) -> LineInput:
    where = f"_documentItems.{index}"
    if doc_type == "delivery-note" and not item.is_separator:
        priced = [name for name, value in (("price", item.price), ("priceGross", item.price_gross),
                                           ("discount", item.discount)) if value]  # fmt: skip
        if priced or item.document_item_taxes:
            field = priced[0] if priced else "_documentItemTaxes"
            raise AutofillError(
                f"{where}.{field}", "a delivery note lists goods, not prices: leave out prices, discounts and taxes."
            )
        item = item.model_copy(update={"price": Decimal(0), "price_gross": None})
    if not item.is_separator and item.price is None and item.price_gross is None:
        raise AutofillError(f"{where}.price", "an item needs a price or a priceGross.")
    if item.quantity < 0 and doc_type in ("estimate", "advance"):
        raise AutofillError(f"{where}.quantity", f"cannot be negative on an {doc_type}.")
    if len(item.document_item_taxes) > 1 and any(spec.category for spec in item.document_item_taxes):
        raise AutofillError(
            f"{where}._documentItemTaxes", "a line with a VAT category has exactly one tax; split it into lines."
        )
    taxes = tuple(
        _resolve_tax(spec, ctx, day, f"{where}._documentItemTaxes.{i}")
        for i, spec in enumerate(item.document_item_taxes)
    )
    return LineInput(
        quantity=item.quantity,
        price=item.price,
        price_gross=item.price_gross,
        discount=item.discount,
        discount_is_amount=item.discount_is_amount,
        is_separator=item.is_separator,
        taxes=() if item.is_separator else taxes,
    )


def _item_out(item: DocumentItemInput, line: LineInput, result: Any, new_sub_id: Callable[[], str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": new_sub_id(),
        "itemId": item.item_id,
        "name": item.name or "",
        "description": item.description,
        "isSeparator": item.is_separator,
        "custom": item.custom,
        "_data": [],
    }
    if item.l10n is not None:
        out["l10n"] = item.l10n
    if item.is_separator:
        return out
    out.update(
        price=_n(result.price),
        quantity=_n(result.quantity),
        unit=item.unit,
        discount=_n(item.discount),
        discountIsAmount=item.discount_is_amount,
        SKU=item.sku,
        total=_n(result.total),
        totalWithTax=_n(result.total_with_tax),
        totalTax=_n(result.total_tax),
        totalDiscount=_n(result.total_discount),
        trackInventory=False,
        _components=[],
        _documentItemTaxes=[
            {
                "id": new_sub_id(),
                "rate": _n(tax.rate),
                "reverseCharged": tax.reverse_charged,
                "name": tax.name,
                "abbreviation": tax.abbreviation,
                "recoverable": tax.recoverable,
                "compound": tax.compound,
                "taxId": tax.tax_id,
                **({"category": tax.category} if tax.category else {}),
                **({"exemptionReason": tax.exemption_reason} if tax.exemption_reason else {}),
            }
            for tax in line.taxes
        ],
    )
    if item.price_gross is not None:
        out["priceGross"] = _n(item.price_gross)
    return out


def _group(group: Any) -> dict[str, Any]:
    out = {
        "tax": _n(group.rate),
        "taxId": group.tax_id,
        "abbreviation": group.abbreviation,
        "base": _n(group.base),
        "totalTax": _n(group.total_tax),
    }
    if group.category:
        out["category"] = group.category
    if group.exemption_reason:
        out["exemptionReason"] = group.exemption_reason
    return out


def _type_dates(
    body: DocumentCreate, defaults: Mapping[str, Any], date: datetime, timezone: str | None
) -> dict[str, Any]:
    dates: dict[str, Any] = {
        "dateService": body.date_service,
        "dateServiceTo": body.date_service_to,
        "dateDue": body.date_due,
        "dateValidTill": body.date_valid_till,
        "datePaid": body.date_paid,
    }
    if body.type == "invoice":
        dates["dateService"] = dates["dateService"] or date
        due = _days(defaults.get("invoice_dueDays"), DEFAULT_DUE_DAYS)
        dates["dateDue"] = dates["dateDue"] or date + timedelta(days=due)
    elif body.type == "estimate":
        valid = _days(defaults.get("estimate_validTillDays"), DEFAULT_VALID_DAYS)
        dates["dateValidTill"] = dates["dateValidTill"] or date + timedelta(days=valid)
    elif body.type == "advance":
        dates["datePaid"] = dates["datePaid"] or date
    issued = local_day(date, timezone)
    for field in ("dateDue", "dateValidTill"):
        if dates[field] is not None and local_day(dates[field], timezone) < issued:
            raise AutofillError(field, f"is before the issue date {issued.isoformat()}.")
    return dates


def check_currency_amount(amount: Decimal, currency: str, field: str) -> None:
    """Refuse an amount with more decimals than the currency's minor unit (12.345 EUR, 10.5 JPY)."""
    exponent = _n(amount).as_tuple().exponent
    places = currency_exponent(currency)
    if isinstance(exponent, int) and -exponent > places:
        raise AutofillError(field, f"{currency} amounts have at most {places} decimals.")


def build_document(
    body: DocumentCreate,
    ctx: OrgContext,
    *,
    document_id: str,
    number: str | None,
    currency: str,
    account_id: str,
    client_id: str | None,
    document_client: dict[str, Any],
    items: Sequence[DocumentItemInput],
    now: datetime,
    new_sub_id: Callable[[], str],
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The complete document (wire dict, not yet paid: see :func:`apply_payment_status`).

    ``items`` are the request's items after loading saved items; ``previous`` is the stored document
    when replacing, whose id, creation time, creator, issue time, cancel flag and payments status stay.
    """
    date = document_date(body, now)
    if body.draft and body.type != "invoice":
        raise AutofillError("draft", "only invoices can be drafts.")
    day = local_day(date, ctx.organization.get("timezone"))  # decides the VAT rate and the number's year
    lines = [_line(item, i, ctx, day, body.type) for i, item in enumerate(items)]
    _check_categories(lines, document_client, ctx.organization)
    places = DEFAULT_DECIMAL_PLACES if body.decimal_places is None else body.decimal_places
    try:
        totals = compute_document(lines, currency=currency, decimal_places=places)
    except AmountTooLarge as error:  # the ledger sums minor units in 64 bits
        raise AutofillError("_documentItems", f"{error}.") from None
    if body.type == "invoice" and totals.total_with_tax < 0:
        raise AutofillError("_documentItems", "an invoice cannot total below zero; issue a credit note instead.")
    issuer = _issuer(body, ctx.organization, new_sub_id())
    issued_at = None if body.draft else ((previous or {}).get("issuedAt") or now)
    document: dict[str, Any] = {
        "id": document_id,
        "number": number,
        "draft": body.draft,
        "date": date,
        **_type_dates(body, ctx.defaults, date, ctx.organization.get("timezone")),
        "reference": body.reference or "",
        "total": _n(totals.total),
        "totalDiscount": _n(totals.total_discount),
        "totalWithTax": _n(totals.total_with_tax),
        "decimalPlaces": places,
        "taxClause": body.tax_clause if body.tax_clause is not None else _tax_clause(lines, ctx, document_client),
        "type": body.type,
        "canceled": bool((previous or {}).get("canceled", False)),
        "sentSnailMail": bool((previous or {}).get("sentSnailMail", False)),
        "totalPaid": 0,
        "totalDue": _n(totals.total_with_tax),
        "paidInFull": False,
        "currencyId": currency,
        "_documentTaxes": [_group(g) for g in totals.taxes],
        "_documentReverseTaxes": [_group(g) for g in totals.reverse_taxes],
        "hasUnit": any(item.unit for item in items if not item.is_separator),
        "isValidEslog": False,
        "incoming": False,
        "issuedAt": issued_at,
        "dateYear": day.year,
        "documentIds": body.document_ids,
        # Documents that refer to this one (an estimate's invoice, an invoice's credit notes) stay linked
        # when a draft or an estimate is revised.
        "_referencedBy": (previous or {}).get("_referencedBy") or [],
        "uniqueId": body.unique_id,
        "createdAt": (previous or {}).get("createdAt") or now,
        "updatedAt": now,
        "custom": body.custom,
        "l10n": body.l10n,
        "locale": ctx.document_language,
        "_isDeleted": False,
        "_documentItems": [
            _item_out(item, line, result, new_sub_id)
            for item, line, result in zip(items, lines, totals.lines, strict=True)
        ],
        "_documentIssuer": issuer,
        "clientId": client_id,
        "_documentClient": document_client,
        "organizationId": ctx.organization["id"],
        "accountId": (previous or {}).get("accountId") or account_id,
        "_comments": [],
        "_data": [],
    }
    _texts(document, body, ctx, issuer)
    return Document.model_validate(document).to_wire(exclude_none=True)


def _check_categories(lines: Sequence[LineInput], client: Mapping[str, Any], organization: Mapping[str, Any]) -> None:
    """A VAT category's wording must be true of this sale: K, G and O by the client's country; reverse charge and
    intra-EU supplies by the customer's valid VAT number (it is what makes them legal)."""
    used = {tax.category for line in lines for tax in line.taxes if tax.category}
    buyer, seller = client.get("countryAlpha2Code"), organization.get("countryAlpha2Code")
    for category in sorted(used):
        problem = vat.category_problem(category, seller, buyer)
        if problem is not None:
            raise AutofillError("_documentClient.country", f"{problem}; the client's country is {buyer or 'unknown'}.")
    if not used & {"AE", "K"}:
        return
    problem = vat.vat_number_problem(client.get("taxNumber"), buyer)
    if problem is not None:
        kind = "reverse charge (AE)" if "AE" in used else "an intra-EU supply (K)"
        raise AutofillError("_documentClient.taxNumber", f"{kind} needs the client's valid VAT number, and {problem}.")


def _tax_clause(lines: Sequence[LineInput], ctx: OrgContext, client: Mapping[str, Any]) -> str:
    """The wording the VAT categories of the lines require, in the document's language (Space Invoices'
    ``taxClause``, printed under the totals)."""
    taxes = [tax for line in lines for tax in line.taxes]
    buyer, seller = client.get("countryAlpha2Code"), ctx.organization.get("countryAlpha2Code")
    return vat.clause(taxes, ctx.document_language, seller=seller, buyer=buyer)


def _texts(document: dict[str, Any], body: DocumentCreate, ctx: OrgContext, issuer: dict[str, Any]) -> None:
    """note, signature and footer: the request's text or the organization's default, smart codes resolved.

    A default note still as seeded is taken in the document's language (a French client of a Belgian business
    reads the French one); a note the business wrote itself is its own words and stays as written."""
    probe = {**document, **{k: _wire_time(v) for k, v in document.items() if isinstance(v, datetime)}}
    values = codes_for(issuer, probe)

    def text(given: str | None, default_name: str) -> str:
        chosen = given if given is not None else ctx.defaults.get(default_name)
        return chosen if isinstance(chosen, str) else ""

    note_name = f"{body.type}_note"
    note = text(body.note, note_name)
    if body.note is None and is_seeded_note(note_name, note):
        note = default_note(note_name, ctx.document_language)
    document["note"] = resolve_note(note, values)
    document["signature"] = resolve(text(body.signature, "signature"), values)
    document["footer"] = resolve_footer(text(body.footer, "footer"), values)


def _wire_time(value: datetime) -> str:
    from si_mcp.models import format_timestamp

    return format_timestamp(value)


def build_payments(
    inputs: Sequence[DocumentPaymentInput],
    document: Mapping[str, Any],
    *,
    new_id: Callable[[], str],
    now: datetime,
) -> list[dict[str, Any]]:
    """Payments of the create-only ``payments`` array; a missing amount pays what is still due."""
    if inputs and document["type"] == "estimate":
        raise AutofillError("payments", "an estimate cannot be paid; convert it to an invoice first.")
    if inputs and document["type"] == "delivery-note":
        raise AutofillError("payments", "a delivery note cannot be paid; its invoice is.")
    currency = str(document["currencyId"])
    due = as_decimal(document["totalWithTax"])
    out = []
    for i, entry in enumerate(inputs):
        amount = entry.amount if entry.amount is not None else due
        check_currency_amount(amount, currency, f"payments.{i}.amount")
        if amount == 0:
            raise AutofillError(f"payments.{i}.amount", "a payment cannot be zero.")
        due -= amount
        payment = Payment(
            id=new_id(),
            document_id=document["id"],
            organization_id=document["organizationId"],
            type=entry.type,
            date=entry.date or document["date"],
            amount=_n(amount),
            note=entry.note if entry.note is not None else entry.description,
            tag=entry.tag,
            transaction_id=entry.transaction_id,
            created_at=now,
            updated_at=now,
        )
        out.append(payment.to_wire(exclude_none=True))
    return out


def credited_amount(document: Mapping[str, Any]) -> Decimal:
    """What credit notes settle of ``document``, with the document's own sign (see :mod:`.calc`, point 8).

    A credit note in force credits the amounts recorded on its ``_relatedDocuments`` (a canceled one credits
    nothing); an invoice or advance is credited by the credit notes recorded in its ``_referencedBy`` (the local
    API keeps only those in force there).
    """
    if document.get("type") == "credit-note":
        in_force = not (document.get("draft") or document.get("canceled") or document.get("_isDeleted"))
        amounts = [e.get("amount") for e in document.get("_relatedDocuments") or []] if in_force else []
    else:
        amounts = [e.get("amount") for e in document.get("_referencedBy") or [] if e.get("type") == "credit-note"]
    credited = sum((as_decimal(a) for a in amounts if a is not None), Decimal(0))
    return -credited if as_decimal(document["totalWithTax"]) < 0 else credited


def apply_payment_status(document: dict[str, Any], amounts: Iterable[Any]) -> None:
    """Set totalCredited, totalPaid, totalDue and paidInFull of ``document`` from its credits and payment amounts."""
    credited = credited_amount(document)
    status = payment_status(
        as_decimal(document["totalWithTax"]),
        [as_decimal(a) for a in amounts],
        currency=str(document["currencyId"]),
        credited=credited,
    )
    document["totalCredited"] = _n(credited)
    document["totalPaid"] = _n(status.total_paid)
    document["totalDue"] = _n(status.total_due)
    document["paidInFull"] = status.paid_in_full
