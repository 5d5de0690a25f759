"""What the tools return: trimmed views of the API's objects (structured content).

Full API objects are large; the model gets only what it needs to answer and act. Money is a
decimal *string* in the currency's minor unit (``"12100.00"``) so no float ever touches an
amount, and every amount sits next to its ``currency``. Untrusted strings are cleaned and capped
(see :mod:`si_mcp.server.text`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from .text import clean, clean_block, day, decimal_text, money, percent

if TYPE_CHECKING:
    from si_mcp.models import (
        Client,
        Document,
        DocumentClient,
        DocumentIssuer,
        DocumentTax,
        Organization,
        Payment,
        RelatedDocument,
        Tax,
    )

__all__ = [
    "ClientView",
    "Confirmation",
    "DocumentDetail",
    "DocRef",
    "DocumentSummary",
    "ItemView",
    "OrgBrief",
    "org_brief",
    "OrganizationView",
    "Party",
    "PaymentView",
    "Status",
    "TaxView",
    "VatLine",
    "client_view",
    "document_detail",
    "document_ref",
    "document_status",
    "document_summary",
    "org_ref",
    "organization_gaps",
    "organization_view",
    "payment_view",
    "pdf_uri",
    "vat_lines",
]

# credited: an invoice its credit notes settle in full; applied: a credit note settled by the invoices it
# corrects; invoiced: an estimate an invoice (or advance) was made from.
Status = Literal["draft", "unpaid", "overdue", "paid", "credited", "applied", "canceled", "open", "invoiced"]


def pdf_uri(document_id: str, language: str | None = None) -> str:
    """The PDF resource; with ``language`` a distinct resource that renders in that language."""
    return f"si://documents/{document_id}/pdf" + (f"?l={language}" if language else "")


class TaxView(BaseModel):
    name: str
    abbreviation: str
    rate: str


class OrgBrief(BaseModel):
    id: str
    name: str
    country_code: str


class OrganizationView(BaseModel):
    id: str
    name: str
    country_code: str
    locale: str
    currency: str | None = None
    address: str = ""
    tax_number: str = ""
    iban: str = ""
    taxes: list[TaxView] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)  # what its invoices and emails still lack, and why it matters


class VatLine(BaseModel):
    rate: str
    label: str
    base: str
    tax: str  # charged on this document (0 under reverse charge: the client accounts for it)
    category: str | None = None  # EN 16931 VAT category, when not the standard rate


class DocumentSummary(BaseModel):
    id: str
    number: str | None = None
    type: str
    status: Status
    client: str
    date: dt.date | None = None
    due_date: dt.date | None = None
    currency: str
    net: str
    tax: str
    gross: str
    amount_due: str
    credited: str | None = None  # what credit notes settle (invoice) or what it credits to its invoices


class DocRef(BaseModel):
    id: str
    number: str | None = None
    status: Status
    currency: str
    gross: str
    amount_due: str
    due_date: dt.date | None = None


class ItemView(BaseModel):
    name: str
    description: str | None = None
    quantity: str
    unit: str | None = None
    price: str
    discount: str
    tax_rates: list[str]
    net: str


class PaymentView(BaseModel):
    type: str
    amount: str
    date: dt.date | None = None


class RelatedView(BaseModel):
    type: str
    number: str | None = None
    date: dt.date | None = None
    amount: str | None = None  # what a credit note credits to the invoice


class Party(BaseModel):
    """Who issued or receives a document, as the document prints it (its snapshot, not today's details)."""

    name: str
    address: str = ""
    tax_number: str = ""
    iban: str | None = None  # the issuer's: where to pay


class DocumentDetail(DocumentSummary):
    client_email: str | None = None
    sent_at: dt.date | None = None  # last emailed (the embedded books say; a resend must be asked for)
    date_service: dt.date | None = None
    date_service_to: dt.date | None = None
    reference: str | None = None
    discount: str | None = None  # the lines' discounts together (net is after them)
    issuer: Party | None = None
    buyer: Party | None = None
    related: list[RelatedView] = []
    """What it corrects (a credit note) or follows (an invoice after an estimate), as it read then."""
    referenced_by: list[RelatedView] = []
    """Documents in force that refer to it: an invoice's credit notes, an estimate's invoice."""
    items: list[ItemView]
    vat: list[VatLine]
    payments: list[PaymentView]
    note: str
    language: str | None = None  # what it is written in (None: the organization's)
    pdf: str


class ClientView(BaseModel):
    id: str
    name: str
    email: str | None = None
    country: str | None = None
    tax_number: str | None = None
    language: str | None = None  # of its documents and emails (None: the organization's)


class Confirmation(BaseModel):
    # Internal (consent → tool); results carry only the token.

    token: str
    expires_at: dt.datetime
    preview: str


# ------------------------------------------------------------------ converters


def org_ref(org: Organization) -> str:
    """How a result names the organization it acted on (names are unique per account)."""
    return clean(org.name, 200)


def _address(*parts: str | None) -> str:
    return clean(", ".join(part for part in parts if part), 300)


def org_brief(org: Organization) -> OrgBrief:
    return OrgBrief(id=org.id, name=clean(org.name, 200), country_code=org.country_alpha2_code)


def organization_view(
    org: Organization, *, currency: str | None = None, taxes: list[Tax] | None = None, missing: list[str] | None = None
) -> OrganizationView:
    return OrganizationView(
        id=org.id,
        name=clean(org.name, 200),
        country_code=org.country_alpha2_code,
        locale=org.locale,
        currency=currency,
        address=_address(org.address, org.address2, " ".join(p for p in (org.zip, org.city) if p)),
        tax_number=clean(org.tax_number, 100),
        iban=clean(org.iban, 100),
        taxes=[_tax_view(tax) for tax in taxes or []],
        missing=missing or [],
    )


def organization_gaps(org: Organization, smtp_from: str | None) -> list[str]:
    """What a valid invoice of ``org`` still lacks (said, never silently left out), with the field that fixes it."""
    from si_mcp.models import vat

    gaps = []
    if org.country_alpha2_code in vat.EU_COUNTRIES and not (org.tax_number or "").strip():
        gaps.append("tax_number: no VAT number; a VAT-registered seller must print it on every invoice")
    if not (org.iban or "").strip():
        gaps.append("iban: no IBAN; invoices cannot say where to pay")
    if not (org.email or "").strip():
        sender = (
            f"from {clean(smtp_from, 320)}" if smtp_from else "from a placeholder address (no-reply@si-mcp.invalid)"
        )
        gaps.append(f"email: no email; the embedded server emails invoices {sender}, and clients cannot reply to you")
    return gaps


def _tax_view(tax: Tax) -> TaxView:
    rate = tax.tax_rates[0].rate if tax.tax_rates else Decimal(0)
    return TaxView(name=clean(tax.name, 200), abbreviation=clean(tax.abbreviation, 50), rate=percent(rate))


def document_status(doc: Document, *, today: dt.date | None = None, zone: str | None = None) -> Status:
    """draft / canceled first; estimates are "open"; otherwise paid, overdue or unpaid."""
    if doc.draft:
        return "draft"
    if doc.canceled:
        return "canceled"
    if doc.type == "estimate":
        return "invoiced" if any(r.type in ("invoice", "advance") for r in doc.referenced_by) else "open"
    credited = abs(doc.total_credited)
    if credited and credited >= abs(doc.total_with_tax):
        return "applied" if doc.type == "credit-note" else "credited"
    # A credit note with negative amounts owes the client money: its negative total_due is not "paid".
    if doc.paid_in_full or (doc.total_with_tax > 0 and doc.total_due <= 0):
        return "paid"
    due = day(doc.date_due, zone)
    if due is not None and due < (today or dt.datetime.now(dt.UTC).date()):
        return "overdue"
    return "unpaid"


def _client_name(doc: Document) -> str:
    return clean(doc.document_client.name if doc.document_client else "", 200)


def document_summary(doc: Document, today: dt.date | None = None, zone: str | None = None) -> DocumentSummary:
    """One line's facts; ``today`` is the organization's (for "overdue"), UTC's when not given."""
    currency = doc.currency_id
    return DocumentSummary(
        id=doc.id,
        number=doc.number,
        type=doc.type,
        status=document_status(doc, today=today, zone=zone),
        client=_client_name(doc),
        date=day(doc.date, zone),
        due_date=day(doc.date_due if doc.type != "estimate" else doc.date_valid_till, zone),
        currency=currency,
        net=money(doc.total, currency),
        tax=money(doc.total_with_tax - doc.total, currency),
        gross=money(doc.total_with_tax, currency),
        amount_due=money(doc.total_due, currency),
        credited=money(abs(doc.total_credited), currency) if doc.total_credited else None,
    )


def document_ref(doc: Document, today: dt.date | None = None, zone: str | None = None) -> DocRef:
    summary = document_summary(doc, today, zone)
    return DocRef(**summary.model_dump(include=set(DocRef.model_fields)))


def vat_lines(taxes: list[DocumentTax], currency: str, reverse: list[DocumentTax] | None = None) -> list[VatLine]:
    """The VAT summary: each group with its base (a 0 % category too); reverse-charged groups charge nothing."""
    from si_mcp.models import vat

    def line(tax: DocumentTax, reversed_: bool) -> VatLine:
        category = tax.category if tax.category and tax.category != "S" else None
        name = f"{vat.label(category, 'en')} {percent(tax.tax)}%" if category else None
        return VatLine(
            rate=percent(tax.tax),
            label=clean(name or tax.abbreviation or f"{percent(tax.tax)}%", 50),
            base=money(tax.base, currency),
            tax=money(Decimal(0) if reversed_ else tax.total_tax, currency),
            category=category,
        )

    return [line(tax, False) for tax in taxes] + [line(tax, True) for tax in reverse or []]


def payment_view(payment: Payment, currency: str) -> PaymentView:
    return PaymentView(type=payment.type, amount=money(payment.amount, currency), date=day(payment.date))


def _items(doc: Document) -> list[ItemView]:
    currency = doc.currency_id
    return [
        ItemView(
            name=clean(item.name, 200),
            description=clean_block(item.description, 500) or None,
            quantity=decimal_text(item.quantity),
            unit=clean(item.unit, 50) if item.unit else None,
            price=str(item.price if item.price is not None else Decimal(0)),
            discount=f"{decimal_text(item.discount)}{'' if item.discount_is_amount else '%'}",
            tax_rates=[percent(tax.rate) for tax in item.document_item_taxes],
            net=money(item.total, currency),
        )
        for item in doc.document_items
        if not item.is_separator
    ]


def _related_view(r: RelatedDocument, currency: str) -> RelatedView:
    return RelatedView(
        type=r.type,
        number=clean(r.number, 100) if r.number else None,
        date=r.date.date() if r.date else None,
        amount=money(r.amount, currency) if r.amount is not None else None,
    )


def document_detail(
    doc: Document, today: dt.date | None = None, zone: str | None = None, *, org_locale: str | None = None
) -> DocumentDetail:
    """Everything a document says; ``language`` is the organization's (``org_locale``) when it has none of its own
    (the Space Invoices API keeps none), as its PDF is then written in it."""
    client = doc.document_client
    return DocumentDetail(
        **document_summary(doc, today, zone).model_dump(),
        client_email=clean(client.email, 320) if client and client.email else None,
        sent_at=day(doc.sent_at, zone),
        date_service=day(doc.date_service, zone),
        date_service_to=day(doc.date_service_to, zone),
        reference=clean(doc.reference, 200) or None,
        discount=money(doc.total_discount, doc.currency_id) if doc.total_discount else None,
        issuer=_party(doc.document_issuer, pays_to=True),
        buyer=_party(doc.document_client),
        related=[_related_view(r, doc.currency_id) for r in doc.related_documents],
        referenced_by=[_related_view(r, doc.currency_id) for r in doc.referenced_by],
        items=_items(doc),
        vat=vat_lines(doc.document_taxes, doc.currency_id, doc.document_reverse_taxes),
        payments=[payment_view(p, doc.currency_id) for p in doc.payments or [] if not p.is_deleted],
        note=clean_block(doc.note, 1000),
        language=clean(doc.locale or org_locale or "", 20) or None,
        pdf=pdf_uri(doc.id),
    )


def _party(who: DocumentIssuer | DocumentClient | None, *, pays_to: bool = False) -> Party | None:
    """A party as the document's snapshot has it; ``pays_to``: the issuer, whose IBAN says where to pay."""
    if who is None:
        return None
    return Party(
        name=clean(who.name, 200),
        address=_address(who.address, who.address2, " ".join(p for p in (who.zip, who.city) if p), who.country),
        tax_number=clean(who.tax_number or "", 100),
        iban=(clean(who.iban or "", 100) or None) if pays_to else None,
    )


def other_language(doc: Document, org: Organization) -> str | None:
    """The document's language when it is not the organization's (the one place a reader would not expect it)."""
    from si_mcp.models.language import base_language

    if doc.locale and base_language(doc.locale) != base_language(org.locale or "en"):
        return clean(doc.locale, 20)
    return None


def client_view(client: Client) -> ClientView:
    return ClientView(
        id=client.id,
        name=clean(client.name, 200),
        email=clean(client.email, 320) if client.email else None,
        country=clean(client.country, 100) if client.country else None,
        tax_number=clean(client.tax_number, 100) if client.tax_number else None,
        language=clean(client.locale, 20) if client.locale else None,
    )
