"""Documents: invoices, estimates, advance invoices and credit notes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, model_validator

from ._base import InputNumber, RequestModel, Timestamp, WireModel
from .language import SupportedLanguage
from .payment import Payment, PaymentType
from .vat import ZERO_RATED
from .vat import Category as VatCategory

__all__ = [
    "ReminderRequest",
    "copied_line",
    "copied_tax",
    "DOCUMENT_TYPES",
    "Document",
    "DocumentClient",
    "DocumentClientInput",
    "DocumentCreate",
    "DocumentIssuer",
    "DocumentIssuerInput",
    "DocumentItem",
    "DocumentItemInput",
    "DocumentItemTax",
    "DocumentItemTaxInput",
    "DocumentPaymentInput",
    "DocumentTax",
    "DocumentUpdate",
    "DocumentType",
    "SendOptions",
    "SendRequest",
    "SendResult",
]

DocumentType = Literal["invoice", "estimate", "advance", "credit-note", "delivery-note"]
DOCUMENT_TYPES: tuple[DocumentType, ...] = ("invoice", "estimate", "advance", "credit-note", "delivery-note")
"""A ``delivery-note`` lists goods delivered, without prices (v1's fifth type): its own series, never paid."""

_TEXT = 5000


# ---------------------------------------------------------------- responses


class DocumentItemTax(WireModel):
    id: str
    tax_id: str | None = None
    name: str = ""
    abbreviation: str = ""
    rate: Decimal
    recoverable: bool = True
    reverse_charged: bool = False
    compound: bool = False
    category: str | None = None
    exemption_reason: str | None = None


class DocumentItem(WireModel):
    id: str
    item_id: str | None = None
    name: str = ""
    description: str = ""
    price: Decimal | None = None
    price_gross: Decimal | None = None
    quantity: Decimal = Decimal(1)
    unit: str | None = None
    discount: Decimal = Decimal(0)
    discount_is_amount: bool = False
    is_separator: bool = False
    sku: str | None = Field(None, alias="SKU")
    total: Decimal = Decimal(0)
    total_with_tax: Decimal = Decimal(0)
    total_tax: Decimal = Decimal(0)
    total_discount: Decimal = Decimal(0)
    document_item_taxes: list[DocumentItemTax] = Field(default_factory=list, alias="_documentItemTaxes")
    l10n: dict[str, Any] | None = None
    custom: dict[str, Any] = Field(default_factory=dict)


class DocumentTax(WireModel):
    """One VAT group of a document: rate, base and tax of that group."""

    tax: Decimal
    tax_id: str | None = None
    abbreviation: str | None = None
    base: Decimal
    total_tax: Decimal
    category: str | None = None
    """EN 16931 VAT category of the group (embedded API; see :mod:`si_mcp.models.vat`)."""
    exemption_reason: str | None = None


class DocumentClient(WireModel):
    id: str | None = None
    name: str = ""
    contact: str | None = None
    address: str | None = None
    address2: str | None = None
    city: str | None = None
    zip: str | None = None
    state: str | None = None
    country: str | None = None
    country_alpha2_code: str | None = None
    tax_number: str | None = None
    tax_subject: bool | None = None
    company_number: str | None = None
    iban: str | None = Field(None, alias="IBAN")
    bank: str | None = None
    swift: str | None = Field(None, alias="SWIFT")
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    is_end_customer: bool = False
    custom: dict[str, Any] = Field(default_factory=dict)


class DocumentIssuer(WireModel):
    id: str | None = None
    name: str = ""
    address: str = ""
    address2: str = ""
    city: str = ""
    zip: str = ""
    state: str | None = None
    country: str = ""
    country_alpha2_code: str = ""
    tax_number: str = ""
    tax_subject: bool | None = None
    company_number: str = ""
    iban: str = Field("", alias="IBAN")
    bank: str = ""
    swift: str = Field("", alias="SWIFT")
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    custom: dict[str, Any] = Field(default_factory=dict)


class RelatedDocument(WireModel):
    """A linked document, as it read when the link was made (an extension of the embedded API).

    In ``_relatedDocuments`` it is a document named in ``documentIds``: for a credit note, the corrected
    invoice's number and issue date (EN 16931 BT-25 and BT-26), kept with the credit note so that it prints
    the same forever. In ``_referencedBy`` it is a live document that names this one (the invoice made from an
    estimate, the credit notes of an invoice). ``amount`` is what a credit note credits to that invoice.
    """

    id: str
    type: str
    number: str | None = None
    date: Timestamp | None = None
    amount: Decimal | None = None


class Document(WireModel):
    id: str
    organization_id: str
    account_id: str | None = None
    type: str = "invoice"
    number: str | None = None
    draft: bool = False
    date: Timestamp | None = None
    date_service: Timestamp | None = None
    date_service_to: Timestamp | None = None
    date_due: Timestamp | None = None
    date_valid_till: Timestamp | None = None
    date_paid: Timestamp | None = None
    reference: str = ""
    currency_id: str = "EUR"
    canceled: bool = False
    client_id: str | None = None
    document_client: DocumentClient | None = Field(None, alias="_documentClient")
    document_issuer: DocumentIssuer | None = Field(None, alias="_documentIssuer")
    document_items: list[DocumentItem] = Field(default_factory=list, alias="_documentItems")
    note: str = ""
    signature: str = ""
    footer: str = ""
    tax_clause: str = ""
    unique_id: str | None = None
    decimal_places: int = 4
    total: Decimal = Decimal(0)
    total_discount: Decimal = Decimal(0)
    total_with_tax: Decimal = Decimal(0)
    total_paid: Decimal = Decimal(0)
    total_credited: Decimal = Decimal(0)
    """What credit notes settle (embedded API): on an invoice, its credit notes; on a credit note, what it
    credits to its invoices. ``totalDue`` = ``totalWithTax`` − ``totalCredited`` − ``totalPaid``."""
    total_due: Decimal = Decimal(0)
    paid_in_full: bool = False
    has_unit: bool = False
    sent_snail_mail: bool = False
    sent_at: Timestamp | None = None
    """When the document was last queued for email (``POST /documents/{id}/send`` or ``send`` on create)."""
    sent_to: str | None = None
    """The recipients of that email, comma-separated."""
    einvoice: str | None = None
    """What it was issued as (embedded API): ``factur-x`` (its PDF carries the CII XML) or ``peppol`` (its UBL was
    checked at issue); unset when no e-invoice was required then."""
    peppol_sent_at: Timestamp | None = None
    """When its UBL was handed to the Peppol access point (embedded API, ``POST /documents/{id}/peppol``)."""
    peppol_reference: str | None = None
    """The access point's reference for it."""
    reminders: int = 0
    """Payment reminders emailed for it (embedded API extension, ``POST /documents/{id}/send-reminder``)."""
    reminded_at: Timestamp | None = None
    """When the last one was queued."""
    document_taxes: list[DocumentTax] = Field(default_factory=list, alias="_documentTaxes")
    document_reverse_taxes: list[DocumentTax] = Field(default_factory=list, alias="_documentReverseTaxes")
    document_ids: list[str] = Field(default_factory=list)
    related_documents: list[RelatedDocument] = Field(default_factory=list, alias="_relatedDocuments")
    referenced_by: list[RelatedDocument] = Field(default_factory=list, alias="_referencedBy")
    payments: list[Payment] | None = None
    issued_at: Timestamp | None = None
    date_year: int | None = None
    is_deleted: bool = Field(False, alias="_isDeleted")
    l10n: dict[str, Any] | None = None
    locale: str | None = None
    """The language the document is written in (embedded API): its labels, note, VAT wording, PDF and emails.
    Chosen on create (the request's, else the corrected document's, the client's, the organization's) and kept."""
    custom: dict[str, Any] = Field(default_factory=dict)
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


# ---------------------------------------------------------------- requests


class DocumentItemTaxInput(RequestModel):
    """How an item names its tax: by ``taxId``, else ``rate``, else ``classification``; or only by ``category``.

    ``category`` (embedded API, EN 16931): ``AE`` reverse-charges the tax named (the standard one when none is);
    ``Z``, ``E``, ``K``, ``G`` and ``O`` are charged at 0 % and need no tax of the organization (``E`` says why in
    ``exemptionReason``); ``S`` or none is the tax as named.
    """

    tax_id: str | None = Field(None, max_length=64)
    rate: InputNumber | None = Field(None, ge=0, le=100)
    classification: str | None = Field(None, max_length=50)
    category: VatCategory | None = None
    exemption_reason: str | None = Field(None, max_length=500)
    name: str | None = Field(None, max_length=200)
    abbreviation: str | None = Field(None, max_length=50)
    recoverable: bool | None = None
    reverse_charged: bool | None = None
    compound: bool | None = None

    @model_validator(mode="after")
    def _needs_a_key(self) -> DocumentItemTaxInput:
        if self.tax_id is None and self.rate is None and self.classification is None and self.category is None:
            raise ValueError("a tax needs one of taxId, rate, classification or category")
        if self.category in ("Z", "E", "K", "G", "O") and self.rate not in (None, 0):
            raise ValueError(f"a {self.category} (0 %) line cannot have a rate of {self.rate}")
        return self


class DocumentItemInput(RequestModel):
    item_id: str | None = Field(None, max_length=64)
    name: str | None = Field(None, max_length=1000)
    description: str = Field("", max_length=_TEXT)
    price: InputNumber | None = None
    price_gross: InputNumber | None = None
    quantity: InputNumber = Decimal(1)
    unit: str | None = Field(None, max_length=50)
    discount: InputNumber = Field(Decimal(0), ge=0)
    discount_is_amount: bool = False
    is_separator: bool = False
    sku: str | None = Field(None, alias="SKU", max_length=100)
    save: bool = False
    load: bool = False
    document_item_taxes: list[DocumentItemTaxInput] = Field(
        default_factory=list, alias="_documentItemTaxes", max_length=5
    )
    l10n: dict[str, Any] | None = None
    custom: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> DocumentItemInput:
        if not self.is_separator and not self.name and not (self.item_id or self.sku):
            raise ValueError("an item needs a name (or an itemId/SKU to load it from)")
        if not self.discount_is_amount and self.discount > 100:
            raise ValueError("a percent discount cannot exceed 100")
        return self


class DocumentClientInput(RequestModel):
    name: str | None = Field(None, max_length=300)
    contact: str | None = Field(None, max_length=300)
    address: str | None = Field(None, max_length=500)
    address2: str | None = Field(None, max_length=500)
    city: str | None = Field(None, max_length=200)
    zip: str | None = Field(None, max_length=50)
    state: str | None = Field(None, max_length=200)
    country: str | None = Field(None, max_length=100)
    tax_number: str | None = Field(None, max_length=100)
    tax_subject: bool | None = None
    company_number: str | None = Field(None, max_length=100)
    iban: str | None = Field(None, alias="IBAN", max_length=100)
    bank: str | None = Field(None, max_length=200)
    swift: str | None = Field(None, alias="SWIFT", max_length=50)
    website: str | None = Field(None, max_length=500)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=100)
    is_end_customer: bool = False
    custom: dict[str, Any] = Field(default_factory=dict)


class DocumentIssuerInput(RequestModel):
    """Issuer keys given on create override the organization's data."""

    name: str | None = Field(None, max_length=300)
    address: str | None = Field(None, max_length=500)
    address2: str | None = Field(None, max_length=500)
    city: str | None = Field(None, max_length=200)
    zip: str | None = Field(None, max_length=50)
    state: str | None = Field(None, max_length=200)
    country: str | None = Field(None, max_length=100)
    tax_number: str | None = Field(None, max_length=100)
    company_number: str | None = Field(None, max_length=100)
    iban: str | None = Field(None, alias="IBAN", max_length=100)
    bank: str | None = Field(None, max_length=200)
    swift: str | None = Field(None, alias="SWIFT", max_length=50)
    website: str | None = Field(None, max_length=500)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=100)
    custom: dict[str, Any] = Field(default_factory=dict)


class DocumentPaymentInput(RequestModel):
    """An entry of the create-only ``payments`` array; amount defaults to the full total."""

    type: PaymentType
    amount: InputNumber | None = None
    date: Timestamp | None = None
    note: str | None = Field(None, max_length=2000)
    description: str | None = Field(None, max_length=2000)
    tag: str | None = Field(None, max_length=100)
    transaction_id: str | None = Field(None, max_length=200)


class SendOptions(RequestModel):
    """``"send": {"message": ...}`` on create; ``recipients`` default to the client's email."""

    message: str | None = Field(None, max_length=_TEXT)
    subject: str | None = Field(None, max_length=500)
    recipients: str | None = Field(None, max_length=2000)
    attach_ubl: bool | None = None
    """Attach the Peppol UBL next to the PDF (embedded API); default: the client's ``attachUbl``."""


class SendRequest(RequestModel):
    """Body of ``POST /documents/{id}/send``."""

    recipients: str | None = Field(None, max_length=2000, description="comma-separated emails")
    subject: str | None = Field(None, max_length=500)
    message: str | None = Field(None, max_length=_TEXT)
    send_copy: bool = False
    resend: bool = Field(False, description="send again although the document was already sent")
    attach_ubl: bool | None = Field(
        None, description="attach the Peppol UBL next to the PDF (embedded API); default: the client's attachUbl"
    )


class ReminderRequest(RequestModel):
    """Body of ``POST /documents/{id}/send-reminder`` (embedded API extension): a payment reminder for an overdue
    invoice; every field has a default (the client's email, the reminder texts in the document's language)."""

    recipients: str | None = Field(None, max_length=2000, description="comma-separated emails")
    subject: str | None = Field(None, max_length=500)
    message: str | None = Field(None, max_length=_TEXT)
    send_copy: bool = False


class SendResult(WireModel):
    """Answer of ``POST /documents/{id}/send``.

    The real API answers only ``{"success": true}``; the embedded API also says what happened to the
    email: ``sent`` (accepted by the SMTP server), ``saved`` (no SMTP server: written to an .eml file, nobody
    received it), ``failed`` (kept in the outbox for retry, with ``error``) or ``queued``.
    """

    success: bool
    status: Literal["sent", "saved", "failed", "queued"] | None = None
    message_id: str | None = None
    reminders: int | None = None
    """After a reminder: how many the document has had, this one included."""
    recipients: list[str] = Field(default_factory=list)
    detail: str | None = None
    error: str | None = None
    attachments: list[str] | None = None
    """What the email carries (embedded API): ``pdf`` or ``factur-x`` (the PDF with its CII XML), and ``ubl``."""


class PeppolRequest(RequestModel):
    """Body of ``POST /documents/{id}/peppol`` (embedded API extension)."""

    resend: bool = Field(False, description="hand it to the access point again although it was already")


class PeppolResult(WireModel):
    """Answer of ``POST /documents/{id}/peppol``: who it was routed between, and the access point's reference."""

    success: bool
    sender: str
    receiver: str
    reference: str
    sent_at: Timestamp


class DocumentCreate(RequestModel):
    """Create or fully replace (PUT) a document. Unset fields are auto-filled on create."""

    type: DocumentType = "invoice"
    number: str | None = Field(None, min_length=1, max_length=100)
    draft: bool = False
    date: Timestamp | None = None
    date_service: Timestamp | None = None
    date_service_to: Timestamp | None = None
    date_due: Timestamp | None = None
    date_valid_till: Timestamp | None = None
    date_paid: Timestamp | None = None
    reference: str | None = Field(None, max_length=200)
    currency_id: str | None = Field(None, min_length=3, max_length=3, pattern=r"^[A-Za-z]{3}$")
    client_id: str | None = Field(None, max_length=64)
    document_client: DocumentClientInput | None = Field(None, alias="_documentClient")
    document_issuer: DocumentIssuerInput | None = Field(None, alias="_documentIssuer")
    document_items: list[DocumentItemInput] = Field(alias="_documentItems", min_length=1, max_length=1000)
    note: str | None = Field(None, max_length=_TEXT)
    signature: str | None = Field(None, max_length=_TEXT)
    footer: str | None = Field(None, max_length=_TEXT)
    tax_clause: str | None = Field(None, max_length=_TEXT)
    unique_id: str | None = Field(None, min_length=1, max_length=255)
    decimal_places: int | None = Field(
        None, ge=0, le=9, description="precision inputs are cut to; the API stores 9 when not given"
    )
    document_ids: list[str] = Field(default_factory=list, max_length=100)
    payments: list[DocumentPaymentInput] | None = Field(None, max_length=20)
    send: bool | SendOptions | None = None
    l10n: dict[str, Any] | None = None
    locale: SupportedLanguage | None = None
    """The document's language (embedded API); default: the corrected document's, the client's, the organization's."""
    custom: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _needs_a_client(self) -> DocumentCreate:
        if self.client_id is None and (self.document_client is None or not self.document_client.name):
            raise ValueError("a document needs a clientId or a _documentClient with a name")
        return self


class DocumentUpdate(RequestModel):
    """``PATCH /documents/{id}``: only the fields set are sent. A draft or estimate takes any of them; an issued
    invoice, advance or credit note only ``custom`` and ``sent_snail_mail`` (a credit note corrects the rest)."""

    number: str | None = Field(None, min_length=1, max_length=100)
    draft: bool | None = None
    date: Timestamp | None = None
    date_service: Timestamp | None = None
    date_service_to: Timestamp | None = None
    date_due: Timestamp | None = None
    date_valid_till: Timestamp | None = None
    date_paid: Timestamp | None = None
    reference: str | None = Field(None, max_length=200)
    currency_id: str | None = Field(None, min_length=3, max_length=3, pattern=r"^[A-Za-z]{3}$")
    client_id: str | None = Field(None, max_length=64)
    document_client: DocumentClientInput | None = Field(None, alias="_documentClient")
    document_items: list[DocumentItemInput] | None = Field(None, alias="_documentItems", min_length=1, max_length=1000)
    note: str | None = Field(None, max_length=_TEXT)
    signature: str | None = Field(None, max_length=_TEXT)
    footer: str | None = Field(None, max_length=_TEXT)
    document_ids: list[str] | None = Field(None, max_length=100)
    l10n: dict[str, Any] | None = None
    locale: SupportedLanguage | None = None
    custom: dict[str, Any] | None = None
    sent_snail_mail: bool | None = None


# ---------------------------------------------------------------- copies


def copied_line(item: DocumentItem) -> DocumentItemInput:
    """A stored line as the input of a new document (a credit note's, a recurring invoice's): the tax by its id, so
    that the rate in force on the new date applies, with its VAT category; a line priced gross stays gross (the
    stored net price is derived and would lose the quoted cent)."""
    fields = item.model_dump(
        include={"name", "description", "quantity", "unit", "discount", "discount_is_amount", "is_separator"}
    )
    price = {"price_gross": item.price_gross} if item.price_gross is not None else {"price": item.price}
    taxes = [copied_tax(tax) for tax in item.document_item_taxes]
    return DocumentItemInput.model_validate({**fields, **price, "document_item_taxes": taxes})


def copied_tax(tax: DocumentItemTax) -> DocumentItemTaxInput:
    if tax.category in ZERO_RATED or (tax.category == "AE" and not tax.rate):
        reverse = True if tax.category == "AE" else None
        return DocumentItemTaxInput(
            rate=Decimal(0), category=tax.category, exemption_reason=tax.exemption_reason, reverse_charged=reverse
        )
    named = DocumentItemTaxInput(tax_id=tax.tax_id) if tax.tax_id else DocumentItemTaxInput(rate=tax.rate)
    update: dict[str, Any] = {"category": tax.category} if tax.category else {}
    if tax.reverse_charged:
        update["reverse_charged"] = True
    return named.model_copy(update=update) if update else named
