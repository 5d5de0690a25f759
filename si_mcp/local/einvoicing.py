"""E-invoices in the embedded API: the app's validator, and the check that refuses to issue a document that must be
a Peppol e-invoice and cannot be one.

Which documents must: the organization default ``einvoice`` says. ``peppol``: every invoice, advance and credit note
it issues; ``off``: none; unset (``auto``): those between two Belgian VAT-registered businesses, which Belgian law
requires to be Peppol e-invoices since 1 January 2026. The check builds the UBL and runs the same EN 16931 rules as
``GET /documents/{id}/ubl``, inside the transaction that issues the document, so a refusal leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from si_mcp.models.vat import country_code

from .errors import LocalAPIError

if TYPE_CHECKING:
    from si_mcp.einvoice.validation import Validator

    from .engine.autofill import OrgContext
    from .http import Services

__all__ = ["IssueCheck", "checked_einvoice", "issue_check", "validator_of"]

_E_INVOICES = ("invoice", "advance", "credit-note")

IssueCheck = Callable[["OrgContext", dict[str, Any]], None]
"""Called with the organization and a document about to be issued; raises :class:`LocalAPIError` to refuse it."""


def validator_of(services: Services, rules: str | None = None) -> Validator:
    """The app's EN 16931 validator for UBL (or ``rules``: the CII ones), compiled on first use (a third of a second,
    once per process)."""
    from si_mcp.einvoice.validation import UBL_RULES, Validator

    rules = rules or UBL_RULES
    if rules not in services.einvoice_validators:
        services.einvoice_validators[rules] = Validator(rules=rules)
    validator: Validator = services.einvoice_validators[rules]
    return validator


def issue_check(services: Services) -> IssueCheck:
    def check(ctx: OrgContext, document: dict[str, Any]) -> None:
        if _required(ctx.organization, ctx.defaults, document):
            checked_einvoice(validator_of(services), ctx.organization, document, at_issue=True)

    return check


def _required(organization: Mapping[str, Any], defaults: Mapping[str, Any], document: Mapping[str, Any]) -> bool:
    if document.get("draft") or document.get("type") not in _E_INVOICES:
        return False
    mode = str(defaults.get("einvoice") or "auto").lower()
    if mode in ("off", "false", "none"):
        return False
    if mode == "peppol":
        return True
    client = document.get("_documentClient") or {}
    if not organization.get("taxNumber") or not client.get("taxNumber"):
        return False  # not between two VAT-registered businesses (and no country lookups on every create)
    seller = country_code(str(organization.get("countryAlpha2Code") or organization.get("country") or ""))
    return seller == "BE" and country_code(str(client.get("country") or "")) == "BE"


def checked_einvoice(
    validator: Validator,
    organization: Mapping[str, Any],
    document: Mapping[str, Any],
    *,
    at_issue: bool = False,
    syntax: str = "ubl",
) -> bytes:
    """The document's Peppol UBL (or, with ``syntax="cii"``, its Factur-X CII), checked by ``validator`` (the rules of
    that syntax); a 422 saying what to add,
    or naming the broken rules; a 503 when the rules cannot run (nothing is called valid then)."""
    from si_mcp.einvoice import EInvoiceError, to_ubl
    from si_mcp.einvoice.cii import to_cii
    from si_mcp.einvoice.validation import ValidationUnavailable
    from si_mcp.models import Document, Organization

    why = (
        " It must be a Peppol e-invoice (between Belgian businesses, or as the organization default einvoice says): "
        "fix that, or issue it as a draft until then."
        if at_issue
        else ""
    )
    try:
        build = to_cii if syntax == "cii" else to_ubl
        xml = build(Document.model_validate(document), Organization.model_validate(organization))
    except EInvoiceError as error:
        raise LocalAPIError(422, f"{error}{why}", code="EINVOICE_INCOMPLETE", name="ValidationError") from None
    try:
        fatal = validator.fatal(xml)
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
