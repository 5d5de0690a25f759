"""E-invoices in the embedded API: the app's validators, the files a document is sent and served as, and the check
that refuses to issue a document that must be an e-invoice and cannot be one.

The organization default ``einvoice`` says which documents must be. ``peppol``: every invoice, advance and credit
note it issues (Peppol UBL); ``factur-x``: every one of them as Factur-X (its PDF carries the CII XML, in emails and
``GET /pdf``), and the Belgian rule below; ``off``: none; unset (``auto``): those between two Belgian VAT-registered
businesses, which Belgian law requires to be Peppol e-invoices since 1 January 2026. The check builds the XML and
runs the same EN 16931 rules as ``GET /documents/{id}/ubl``, inside the transaction that issues the document, so a
refusal leaves nothing behind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from si_mcp.models import Document, Organization
from si_mcp.models.vat import country_code

from .errors import LocalAPIError

if TYPE_CHECKING:
    from si_mcp.einvoice.validation import Validator

    from .engine.autofill import OrgContext

__all__ = ["E_INVOICES", "MODES", "EInvoices", "IssueCheck", "as_issued", "pdf_kind"]

log = logging.getLogger(__name__)

E_INVOICES = ("invoice", "advance", "credit-note")
"""The document types that are e-invoices (an estimate or a draft is not)."""

IssueCheck = Callable[["OrgContext", dict[str, Any]], None]
"""Called with the organization and a document about to be issued; raises :class:`LocalAPIError` to refuse it."""


MODES = ("auto", "peppol", "factur-x", "off")
"""Values of the organization default ``einvoice``."""


def _mode(defaults: Mapping[str, Any] | None) -> str:
    """The organization's mode; an unknown value counts as ``auto``: the law's own rule never switches off by a typo."""
    mode = str((defaults or {}).get("einvoice") or "auto").lower()
    return "off" if mode in ("off", "false", "none") else mode if mode in MODES else "auto"


def pdf_kind(document: Document) -> str:
    """``factur-x`` when the document was issued as a Factur-X invoice (its organization sent invoices so then; see
    :meth:`EInvoices.issue_check`), else ``pdf``: what a document is sent as is decided when it is issued."""
    return "factur-x" if document.einvoice == "factur-x" and not document.draft else "pdf"


def as_issued(document: Document) -> Document:
    """The document as it was issued: what was paid with it then, not the payments and credit notes since (those are
    the books' news, not the invoice's). What a Factur-X PDF shows, so it says what its XML says."""
    from si_mcp.einvoice import paid_at_issue

    paid = paid_at_issue(document)
    due = document.total_with_tax - paid
    update = {"total_paid": paid, "total_credited": Decimal(0), "total_due": due, "paid_in_full": due <= 0}
    return document.model_copy(update=update)


class EInvoices:
    """The app's e-invoice maker: one EN 16931 validator per syntax, compiled on first use (a third of a second, once
    per process), and checked XML for a document. Every method is CPU-bound: callers run it in a worker thread."""

    def __init__(self) -> None:
        self._validators: dict[str, Validator] = {}

    def validator(self, rules: str | None = None) -> Validator:
        """The validator for UBL (or ``rules``: the CII ones)."""
        from si_mcp.einvoice.validation import UBL_RULES, Validator

        rules = rules or UBL_RULES
        if rules not in self._validators:
            self._validators[rules] = Validator(rules=rules)
        return self._validators[rules]

    def ubl(self, organization: Organization | Mapping[str, Any], document: Document | Mapping[str, Any]) -> bytes:
        """The document's Peppol BIS 3 UBL, checked; a 422 saying what to add or naming the broken rules."""
        return self._checked(organization, document, syntax="ubl")

    def cii(self, organization: Organization | Mapping[str, Any], document: Document | Mapping[str, Any]) -> bytes:
        """The document's Factur-X CII (EN 16931 profile), checked by the CEN rules and the profile's XSD."""
        xml = self._checked(organization, document, syntax="cii")
        _fits_schema(xml)
        return xml

    def factur_x(self, pdf: bytes, xml: bytes) -> bytes:
        """``pdf`` as a PDF/A-3 with ``xml`` embedded (and its XMP), by the factur-x library."""
        from facturx import generate_from_binary

        combined: bytes = generate_from_binary(pdf, xml, flavor="factur-x", level="en16931", check_xsd=False)
        return combined

    def issue_check(self) -> IssueCheck:
        """The check a document passes to be issued; it records on the document what it was issued as (``einvoice``:
        ``factur-x`` or ``peppol``), which later sends and downloads follow whatever the organization chooses since."""

        def check(ctx: OrgContext, document: dict[str, Any]) -> None:
            if document.get("draft") or document.get("type") not in E_INVOICES:
                return
            mode = _mode(ctx.defaults)
            if mode == "peppol" or (mode != "off" and _belgian_b2b(ctx.organization, document)):
                self._checked(ctx.organization, document, syntax="ubl", at_issue=True)
                document["einvoice"] = "peppol"
            if mode == "factur-x":
                self._checked(ctx.organization, document, syntax="cii", at_issue=True)
                document["einvoice"] = "factur-x"

        return check

    def _checked(
        self,
        organization: Organization | Mapping[str, Any],
        document: Document | Mapping[str, Any],
        *,
        syntax: str,
        at_issue: bool = False,
    ) -> bytes:
        """The XML of ``syntax``, checked by its rules; a 422 saying what to add, or naming the broken rules; a 503
        when the rules cannot run (nothing is called valid then)."""
        from si_mcp.einvoice import EInvoiceError, to_ubl
        from si_mcp.einvoice.cii import to_cii
        from si_mcp.einvoice.validation import CII_RULES, ValidationUnavailable

        why = ""
        if at_issue:
            must = (
                "a Factur-X e-invoice (the organization default einvoice says so)"
                if syntax == "cii"
                else "a Peppol e-invoice (between Belgian businesses, or as the organization default einvoice says)"
            )
            why = f" It must be {must}: fix that, or issue it as a draft until then."
        doc = document if isinstance(document, Document) else Document.model_validate(document)
        org = organization if isinstance(organization, Organization) else Organization.model_validate(organization)
        try:
            xml = to_cii(doc, org) if syntax == "cii" else to_ubl(doc, org)
        except EInvoiceError as error:
            raise LocalAPIError(422, f"{error}{why}", code="EINVOICE_INCOMPLETE", name="ValidationError") from None
        try:
            fatal = self.validator(CII_RULES if syntax == "cii" else None).fatal(xml)
        except ValidationUnavailable as error:
            raise LocalAPIError(503, f"The e-invoice cannot be validated: {error}", code="EINVOICE_UNCHECKED") from None
        if fatal:
            details = [{"path": v.rule, "message": v.text, "location": v.location} for v in fatal]
            rules = ", ".join(dict.fromkeys(v.rule for v in fatal))
            raise LocalAPIError(
                422,
                f"The e-invoice breaks EN 16931 rules ({rules}): {fatal[0].text}{why}",
                code="EINVOICE_INVALID",
                name="ValidationError",
                details=details,
            )
        return xml


def _belgian_b2b(organization: Mapping[str, Any], document: Mapping[str, Any]) -> bool:
    client = document.get("_documentClient") or {}
    if not organization.get("taxNumber") or not client.get("taxNumber"):
        return False  # not between two VAT-registered businesses (and no country lookups on every create)
    seller = country_code(str(organization.get("countryAlpha2Code") or organization.get("country") or ""))
    return seller == "BE" and country_code(str(client.get("country") or "")) == "BE"


def _fits_schema(xml: bytes) -> None:
    """The Factur-X profile's XSD, before anything is rendered. A failure is si-mcp's bug (it wrote the XML), not the
    caller's: a 500 that says so, logged."""
    from facturx import xml_check_xsd

    try:
        xml_check_xsd(xml, flavor="factur-x", level="en16931")
    except Exception as error:  # the library raises plain Exceptions
        log.error("Factur-X XML breaks its XSD: %s", error)
        raise LocalAPIError(
            500, f"The Factur-X XML si-mcp wrote breaks its schema (a bug): {error}", code="EINVOICE_SCHEMA"
        ) from None
