"""``create_invoice``: the whole "invoice X for Y, paid by card, email it" step in one call.

The document is created by a resolver, so that the consent question for ``send`` can show
the real number and total; the resolver may run again when the 2026-07-28 protocol retries
the call with the user's answer, which is safe because every create carries an idempotency
key: the caller's ``idempotency_key``, or one derived from the organization, the arguments and
the day. The document is looked up by that key first, so a repeated identical request on the
same day returns the first document, flagged ``replayed``, instead of a duplicate (and does not
email it twice). Sending never rides on the create request: it is a separate call made only
after consent.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import Elicit, ElicitationResult, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, ResourceLink
from pydantic import BaseModel, ConfigDict, Field

from .. import lookup
from ..consent import Confirm, Consent, Decision, confirmation_of, decide, request_consent
from ..errors import api_call, build
from ..state import Ctx, books_of, state_of
from ..summaries import KIND, document_sentence, send_action
from ..text import clean, money_text
from ..views import (
    DocRef,
    DocumentSummary,
    VatLine,
    document_ref,
    document_summary,
    org_ref,
    organization_gaps,
    other_language,
    pdf_uri,
    vat_lines,
)
from ._common import Language, Number, OrgArg, PaymentType, ToolSpec, VatCategory, as_timestamp, result, today

if TYPE_CHECKING:
    from si_mcp.models import Client, Document, DocumentCreate, Organization, SendResult
    from si_mcp.models.vat import Treatment

    from ..backend import Books

__all__ = ["TOOLS", "EmailOutcome", "send_now"]

# A user answering an elicitation takes less than this; an older document found on that retry is a replay.
_ANSWER_WINDOW = dt.timedelta(minutes=10)
# Where a document remembers the request that made it, so a reused idempotency_key is caught.
_HASH_FIELD = "siMcpRequest"


class ItemIn(BaseModel):
    # No docstring: pydantic would put it into the schema the model reads on every turn.
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=500)
    price: Number = Field(description="Net unit price (before VAT and discount).")
    quantity: Number = Decimal(1)
    unit: str | None = Field(None, max_length=50)
    discount: Number = Field(Decimal(0), description="Discount in percent.")
    tax_rates: list[Number] = Field(default_factory=list, max_length=3, description="VAT percents, e.g. [21].")
    vat: VatCategory | None = Field(
        None,
        description="EN 16931 VAT category: S standard, Z zero, E exempt, AE reverse charge, K intra-EU goods, "
        "G export, O not subject. Default: derived.",
    )


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: PaymentType
    amount: Number | None = Field(None, description="Default: the total.")
    date: dt.date | None = Field(None, description="Default: today.")


# sent: accepted by the mail server; saved: no mail server, kept as an .eml file (nobody received it);
# queued/failed: in the outbox, retried; the rest: nothing was sent.
Outcome = Literal["sent", "saved", "queued", "failed"]


class EmailOutcome(BaseModel):
    # earlier: a replayed request, whose first call already asked for the email (what became of it is not known here)
    status: Literal["sent", "saved", "queued", "failed", "earlier", "declined", "dismissed", "needs_confirmation"]
    recipients: list[str]
    detail: str | None = None
    confirmation_token: str | None = None


class InvoiceResult(BaseModel):
    organization: str
    document: DocRef
    vat: list[VatLine]
    vat_treatment: str | None = None  # a VAT category chosen by the rules, and why (the user may correct it)
    language: str | None = None  # what the document is written in, when it is not the organization's language
    missing: list[str] | None = None  # organization fields its invoices lack (set with update_organization)
    replayed: bool  # an identical earlier request's document came back; nothing new was made
    email: EmailOutcome | None = None
    pdf: str


@dataclass(frozen=True)
class Created:
    org: "Organization"
    doc: "Document"
    replayed: bool
    recipients: list[str]
    stored_email: str | None  # the client's own address; a different recipient is called out when asking
    message: str | None
    send: bool
    vat_treatment: str | None = None


# ------------------------------------------------------------------ request building


def _check_combination(doc_type: str, payments: list[PaymentIn] | None, send: bool | str, draft: bool) -> None:
    if draft and (payments or send):
        raise ToolError("A draft cannot be paid or sent. Drop draft, or drop payments and send.")
    if draft and doc_type != "invoice":
        raise ToolError("Only invoices can be drafts.")
    if payments and doc_type in ("estimate", "credit-note"):
        raise ToolError(f"A {doc_type} takes no payments. Drop payments.")


def _client_part(
    found: "Client | None", near: "list[Client]", ref: str, details: dict[str, str], org: "Organization"
) -> tuple[str | None, dict[str, Any] | None, str | None, str | None]:
    """(clientId, inline client, email to send to, the client's stored email) for the request."""
    if found is not None:
        return found.id, (details or None), details.get("email") or found.email, found.email
    if not details:
        hint = ", ".join(f"'{clean(c.name, 60)}'" for c in near)
        maybe = f" Did you mean {hint}?" if hint else ""
        raise lookup.NotFound(
            f"No client '{clean(ref)}' in {clean(org.name)}.{maybe} Call find_clients, or pass the client's details "
            "(client_email, client_country, client_address, ...) to create it."
        )
    if "@" in ref and "email" not in details:
        details = {**details, "email": ref.strip()}
    return None, {"name": ref.strip(), **details}, details.get("email"), details.get("email")


def _items(
    items: list[ItemIn], derived: "Treatment | None", exemption: str | None, *, domestic: bool = False
) -> list[Any]:
    """The request's lines, each with its VAT: as given, or in the category the rules derived (``derived``)."""
    from si_mcp.models import DocumentItemInput, DocumentItemTaxInput, vat

    lines = []
    for number, item in enumerate(items, start=1):
        category = item.vat or (derived.category if derived is not None and derived.category != "S" else None)
        where = f"tax rate of item {number}"
        if category in vat.ZERO_RATED:
            if category == "E" and not exemption:
                raise ToolError(
                    f"Item {number} is exempt (E): pass vat_exemption, the legal reason printed on the invoice "
                    "(e.g. 'Article 44 of the VAT Code')."
                )
            reason = exemption if category == "E" else None
            # rate 0 too, so that the Space Invoices API (which knows no categories) charges nothing either
            taxes = [build(DocumentItemTaxInput, where, rate=0, category=category, exemption_reason=reason)]
        elif category == "AE":
            # Cross-border (derived): 0 %, the customer applies its own rate; a domestic reverse charge names its rate.
            rate = item.tax_rates[0] if item.vat == "AE" and item.tax_rates and domestic else Decimal(0)
            taxes = [build(DocumentItemTaxInput, where, rate=rate, category="AE", reverse_charged=True)]
        else:
            taxes = [build(DocumentItemTaxInput, where, rate=rate) for rate in item.tax_rates]
        fields = item.model_dump(exclude={"tax_rates", "vat"}, exclude_none=True)
        lines.append(build(DocumentItemInput, f"item {number}", **fields, document_item_taxes=taxes))
    return lines


def _treatment(
    org: "Organization", found: "Client | None", details: dict[str, str], supply: str
) -> tuple["Treatment", str | None, str | None]:
    """The VAT category the rules give this sale, the client's country and its VAT number."""
    from si_mcp.models import vat

    country = vat.country_code(details.get("country")) if details.get("country") else None
    if country is None and found is not None:
        country = found.country_alpha2_code or vat.country_code(found.country)
    number = details.get("tax_number") or (found.tax_number if found is not None else None)
    seller = org.country_alpha2_code or vat.country_code(org.country)
    return vat.derive(seller, country, number, "goods" if supply == "goods" else "services"), country, number


def _tax_clause(lines: list[Any], language: str, org: "Organization", buyer: str | None) -> str | None:
    """The wording the lines' VAT categories require, in the document's language, sent as ``taxClause`` (the
    embedded API would write the same; the Space Invoices API needs it given)."""
    from si_mcp.models import vat

    taxes = [tax for line in lines for tax in line.document_item_taxes]
    return vat.clause(taxes, language, seller=org.country_alpha2_code, buyer=buyer) or None


def _check_vat_number(
    items: list[ItemIn], derived: "Treatment", seller: str | None, country: str | None, number: str | None
) -> None:
    """A category that is not true of this sale, or reverse charge and intra-EU supplies without the client's valid
    VAT number: refused before anything is made."""
    from si_mcp.models import vat

    categories = {item.vat or derived.category for item in items}
    for category in sorted(categories):
        problem = vat.category_problem(category, seller, country)
        if problem is not None:
            raise ToolError(f"vat='{category}': {problem}, and the client's country is {country or 'not known'}.")
    if not categories & {"AE", "K"}:
        return
    problem = vat.vat_number_problem(number, country)
    if problem is not None:
        raise ToolError(
            f"Reverse charge (AE) and intra-EU supplies (K) need the client's valid VAT number, and {problem}. "
            "Pass client_tax_number, or vat='S' on the items to charge VAT."
        )


def _payments(payments: list[PaymentIn] | None) -> list[Any] | None:
    from si_mcp.models import DocumentPaymentInput

    if not payments:
        return None
    return [
        build(DocumentPaymentInput, "payment", type=p.type, amount=p.amount, date=as_timestamp(p.date))
        for p in payments
    ]


def _check_email(send: bool | str, email: str | None, client: str) -> None:
    if send and not email:
        raise ToolError(f"Cannot send: '{clean(client)}' has no email address. Pass client_email, or drop send.")


def _request_hash(account_id: str, org_id: str, request: dict[str, Any]) -> str:
    canonical = json.dumps([account_id, org_id, request], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:40]


async def _by_key(books: "Books", org: "Organization", key: str) -> "Document | None":
    from si_mcp.models import Filter

    with api_call("look for an earlier identical request"):
        found = await books.api.documents.list(org.id, filter=Filter(where={"uniqueId": key}, limit=1))
    return found[0] if found else None


def _replayed(ctx: Ctx, doc: "Document") -> bool:
    """An existing document is a replay, except on the 2026-07-28 retry that carries the user's answer,
    which finds the document this same call made a moment earlier."""
    if not ctx.input_responses:
        return True
    return bool(doc.created_at and doc.created_at < dt.datetime.now(dt.UTC) - _ANSWER_WINDOW)


async def _create(
    ctx: Ctx,
    client: str | None,
    items: list[ItemIn] | None,
    organization: str | None,
    client_email: str | None,
    client_address: str | None,
    client_country: str | None,
    client_tax_number: str | None,
    type: Literal["invoice", "estimate", "advance", "credit-note"],
    currency: str | None,
    date: dt.date | None,
    due_date: dt.date | None,
    note: str | None,
    payments: list[PaymentIn] | None,
    send: bool | str,
    draft: bool,
    related_document: str | None,
    idempotency_key: str | None,
    supply: str,
    vat_exemption: str | None,
    language: str | None,
) -> Created:
    """Resolver: create the document (idempotently) before consent is asked for sending it."""
    _check_combination(type, payments, send, draft)
    treatment: str | None = None
    state = state_of(ctx)
    books = await books_of(ctx)
    org = await lookup.organization(books, organization, default=state.settings.organization_id)
    sources = await _sources(books, org, related_document, type)
    client = _client_of(client, sources, type)
    given = {
        "email": client_email,
        "address": client_address,
        "country": client_country,
        "tax_number": client_tax_number,
    }
    details = {key: value for key, value in given.items() if value}
    # The key covers the arguments, not the request built from them: resolving the client can differ
    # between two rounds of one call (the first round's document created the client).
    request = {
        "client": client.strip(),
        "details": details,
        "items": [item.model_dump(mode="json") for item in items] if items is not None else None,
        "type": type,
        "currency": currency,
        "dates": [date, due_date],
        "note": note,
        "payments": [p.model_dump(mode="json") for p in payments or []],
        "draft": draft,
        "related": [doc.id for doc in sources],
        "vat": [supply, vat_exemption],
        "day": (date or today(org)).isoformat(),
    }
    if language:  # only when given: the keys of requests made before languages existed stay the same
        request["language"] = language
    digest = _request_hash(books.account_id, org.id, request)
    key = idempotency_key or f"si-mcp-{digest}"
    existing = await _by_key(books, org, key)
    if existing is not None:
        if (existing.custom or {}).get(_HASH_FIELD) not in (None, digest):
            raise ToolError(
                f"idempotency_key '{clean(key)}' was already used for a different request (document "
                f"{existing.number or existing.id}). Use a new key, or repeat the original arguments exactly."
            )
        email = stored = existing.document_client.email if existing.document_client else None
        _check_email(send, email, client)
        doc, replayed = existing, _replayed(ctx, existing)
    else:
        found, near = await lookup.find_client(books, org, client)
        client_id, inline, email, stored = _client_part(found, near, client, details, org)
        _check_email(send, email, client)
        _check_sources(sources, client_id, client, type)
        derived, country, number = _treatment(org, found, details, supply)
        if items is not None:
            _check_vat_number(items, derived, org.country_alpha2_code, country, number)
            if derived.category != "S" and any(item.vat is None for item in items):
                treatment = f"{derived.category}: {derived.why} (pass vat='S' on the items to charge VAT instead)"
        domestic = country is not None and country == org.country_alpha2_code
        lines = (
            _items(items, derived, vat_exemption, domestic=domestic)
            if items is not None
            else _copied_lines(sources, type)
        )
        # The embedded API picks the document's language the same way (Space Invoices needs the clause given): a
        # new client's details are filed under the client with that email, if there is one.
        known = found or (await lookup.client_by_email(books, org, details["email"]) if "email" in details else None)
        written_in = language or next((doc.locale for doc in sources if doc.locale), None)
        written_in = written_in or (known.locale if known is not None else None) or org.locale
        request["tax_clause"] = _tax_clause(lines, written_in or "en", org, country)
        if note is None and items is None:
            request["note"] = await _copied_note(books, org, sources)
        body = _body(request | {"client_id": client_id, "inline": inline}, lines, sources, payments, key)
        with api_call(f"create the {type}"):
            doc = await books.api.documents.create(
                org.id, body=body.model_copy(update={"custom": {_HASH_FIELD: digest}})
            )
        replayed = False
    message = send if isinstance(send, str) and send.strip() else None
    recipients = [email] if send and email else []
    return Created(org, doc, replayed, recipients, stored, message, bool(send), treatment)


# What a new document may refer to: a credit note corrects an invoice or advance; an invoice follows an estimate or
# an advance; an advance follows an estimate.
_RELATES_TO: dict[str, tuple[str, ...]] = {
    "credit-note": ("invoice", "advance"),
    "invoice": ("estimate", "advance"),
    "advance": ("estimate",),
    "estimate": (),
}


async def _sources(books: "Books", org: "Organization", refs: str | None, doc_type: str) -> "list[Document]":
    """The documents ``related_document`` names (comma-separated), each among the types a ``doc_type`` refers to."""
    if not refs:
        return []
    allowed = _RELATES_TO[doc_type]
    kind = KIND.get(doc_type, doc_type).lower()
    if not allowed:
        raise ToolError(f"An {kind} refers to no earlier document; leave related_document out.")
    names = list(dict.fromkeys(ref.strip() for ref in refs.split(",") if ref.strip()))
    if len(names) > 5:
        raise ToolError("related_document names at most 5 documents.")
    sources = []
    for ref in names:
        found = []
        for related_type in allowed:
            try:
                found.append(await lookup.document_in(books, org, ref, related_type, False))
            except lookup.NotFound:
                continue
        if not found:
            kinds = " or ".join(KIND[t].lower() for t in allowed)
            raise lookup.NotFound(f"No {kinds} '{clean(ref)}' in {clean(org.name)} for a {kind}. Call find_documents.")
        if len(found) > 1:
            listed = ", ".join(f"{KIND[d.type].lower()} id {d.id}" for d in found)
            raise ToolError(f"'{clean(ref)}' names several documents ({listed}); pass related_document as the id.")
        sources.append(found[0])
    return sources


def _client_of(client: str | None, sources: "list[Document]", doc_type: str) -> str:
    """The client argument, or (omitted) the client of the documents it is made from."""
    if client is not None and client.strip():
        return client
    owners = {doc.client_id for doc in sources}
    if len(owners) != 1 or None in owners:
        raise ToolError(f"Pass client: the {KIND.get(doc_type, doc_type).lower()}'s client is not given.")
    return str(owners.pop())


def _check_sources(sources: "list[Document]", client_id: str | None, client: str, doc_type: str) -> None:
    """Every document referred to belongs to the same client, and an advance to deduct is paid and not yet used."""
    kind = KIND.get(doc_type, doc_type).lower()
    for doc in sources:
        label = f"{KIND[doc.type]} {doc.number}"
        if doc.client_id != client_id:
            owner = clean(doc.document_client.name if doc.document_client else "another client", 60)
            raise ToolError(
                f"{label} is for {owner}, not for '{clean(client, 60)}': a {kind} refers only to a document of its "
                "own client. Check the client or the document number."
            )
        if doc.canceled or doc.draft:
            raise ToolError(f"{label} is {'canceled' if doc.canceled else 'a draft'}; a {kind} cannot refer to it.")
        if doc_type == "invoice" and doc.type == "advance":
            if doc.total_credited:
                raise ToolError(f"{label} is corrected by a credit note; it cannot also be deducted.")
            if doc.total_paid < doc.total_with_tax:
                due = money_text(doc.total_with_tax - doc.total_paid, doc.currency_id)
                raise ToolError(
                    f"{label} still has {due} due: only a paid advance is deducted on the final invoice. Record its "
                    "payment with mark_paid first, or leave it out of related_document."
                )
            used = [r for r in doc.referenced_by if r.type == "invoice"]
            if used:
                raise ToolError(f"{label} is already deducted on invoice {used[0].number}.")


def _copied_lines(sources: "list[Document]", doc_type: str) -> list[Any]:
    """Without ``items``: the lines of the estimate an invoice or advance is made from, or of the invoice a credit
    note credits in full (the tax by its id, so the rate in force on the new date applies)."""
    from si_mcp.models import copied_line

    copy_from = ("invoice", "advance") if doc_type == "credit-note" else ("estimate",)
    candidates = [doc for doc in sources if doc.type in copy_from]
    what = "invoice to credit" if doc_type == "credit-note" else "estimate"
    if len(candidates) != 1:
        many = "several documents to copy from" if candidates else f"no {what} to copy the lines from"
        raise ToolError(f"Pass items: related_document names {many} (without items, name exactly one {what}).")
    try:
        return [copied_line(item) for item in candidates[0].document_items]
    except ValueError as error:  # pydantic's ValidationError: a stored line the API would not take back
        raise ToolError(f"The lines of {candidates[0].number} cannot be copied ({error}); pass items.") from None


async def _copied_note(books: "Books", org: "Organization", sources: "list[Document]") -> str | None:
    """The note written for the estimate an invoice copies, if it is not the estimate's default text (that one
    speaks of validity; the invoice gets its own default note instead): the seeded one in any of our languages (an
    estimate written in French, or before the organization changed language), or the organization's own default."""
    from si_mcp.models.notes import filled_from, translate_note

    estimate = next((doc for doc in sources if doc.type == "estimate"), None)
    if estimate is None or not estimate.note.strip() or translate_note(estimate.note, "estimate", "en") is not None:
        return None
    with api_call("read the organization's default notes"):
        defaults = await books.api.defaults.list(org.id)
    current = [str(d.value) for d in defaults if d.name == "estimate_note" and d.value]
    # Smart codes ([valid till]) were filled in when the estimate was made: they match anything.
    return None if any(filled_from(default, estimate.note) is not None for default in current) else estimate.note


_GROUP_TAX = {"tax_id", "category", "exemption_reason"}


def _deductions(sources: "list[Document]") -> list[Any]:
    """One negative line per VAT group of each paid advance: the final invoice charges only what is left, and the
    VAT already invoiced on the advance is taken off with the same tax (at its rate on the final invoice's date,
    so a rate change in between is not handled) and VAT category."""
    from si_mcp.models import DocumentItemInput, DocumentItemTax, copied_tax

    lines = []
    for doc in sources:
        if doc.type != "advance":
            continue
        name = f"Advance invoice {doc.number}" + (f" of {doc.date.date().isoformat()}" if doc.date else "")
        grouped = [*doc.document_taxes, *doc.document_reverse_taxes]
        reverse = {id(tax) for tax in doc.document_reverse_taxes}
        groups = [
            (
                tax.base,
                [
                    copied_tax(
                        DocumentItemTax(
                            id="-",
                            rate=tax.tax,
                            reverse_charged=id(tax) in reverse,
                            **tax.model_dump(include=_GROUP_TAX),
                        )
                    )
                ],
            )
            for tax in grouped
        ]
        untaxed = doc.total - sum((tax.base for tax in grouped), Decimal(0))
        if untaxed or not groups:
            groups.append((untaxed if groups else doc.total_with_tax, []))
        for base, taxes in groups:
            lines.append(build(DocumentItemInput, "advance line", name=name, price=-base, document_item_taxes=taxes))
    return lines


def _body(
    request: dict[str, Any],
    lines: list[Any],
    sources: "list[Document]",
    payments: list[PaymentIn] | None,
    key: str,
) -> "DocumentCreate":
    from si_mcp.models import DocumentClientInput, DocumentCreate

    inline = request["inline"]
    date, due_date = request["dates"]
    currency = request["currency"].upper() if request["currency"] else None
    for doc in sources:
        if currency is not None and doc.currency_id != currency:
            raise ToolError(f"{KIND[doc.type]} {doc.number} is in {doc.currency_id}; leave currency out or match it.")
        currency = doc.currency_id
    if request["type"] == "invoice":
        lines = [*lines, *_deductions(sources)]
    fields: dict[str, Any] = {
        "type": request["type"],
        "draft": request["draft"],
        "date": as_timestamp(date),
        "date_due": as_timestamp(due_date),
        "currency_id": currency,
        "client_id": request["client_id"],
        "document_client": build(DocumentClientInput, "client", **inline) if inline else None,
        "document_items": lines,
        "note": request["note"],
        "tax_clause": request.get("tax_clause"),
        "payments": _payments(payments),
        "document_ids": [doc.id for doc in sources],
        "unique_id": key,
        "locale": request.get("language"),
    }
    return build(DocumentCreate, request["type"], **{k: v for k, v in fields.items() if v is not None})


async def _consent(ctx: Ctx, plan: Annotated[Created, Resolve(_create)]) -> Consent | Elicit[Confirm]:
    """Resolver: ask before the new document is emailed (a replayed one already emailed is not sent again)."""
    if not plan.send or plan.doc.sent_at is not None:
        return Consent(mode="not_needed")
    state = state_of(ctx)
    books = await books_of(ctx)
    action = send_action(
        books.account_id,
        plan.org,
        plan.doc,
        recipients=plan.recipients,
        stored_email=plan.stored_email,
        subject=None,
        message=plan.message,
        resend=False,
        ubl=await client_wants_ubl(ctx, plan.doc),
    )
    return request_consent(ctx, signer=state.signer, enabled=state.settings.confirm, action=action, token=None)


async def client_wants_ubl(ctx: Ctx, doc: "Document") -> bool:
    """The client's own choice of the Peppol UBL in its emails (embedded books only; False when it has none)."""
    from si_mcp.client import NotFoundError

    books = await books_of(ctx)
    if not books.api.is_local or not doc.client_id:
        return False
    try:
        with api_call("read the client's choice"):
            return (await books.api.clients.get(doc.client_id)).attach_ubl
    except NotFoundError:  # deleted since: the document keeps its copy of the client, not its choices
        return False


# ------------------------------------------------------------------ sending


async def send_now(
    ctx: Ctx,
    doc: "Document",
    *,
    recipients: list[str],
    subject: str | None,
    message: str | None,
    resend: bool,
    language: str | None = None,
    reminder: bool = False,
    idempotency_key: str | None = None,
    attach_ubl: bool | None = None,
) -> tuple[Outcome, str]:
    """Email ``doc`` or a payment reminder for it (the one place a send request is made); returns what happened and
    a sentence saying so. ``idempotency_key``: the same key sends once (the embedded API keeps it; Space Invoices
    ignores it). ``attach_ubl``: the email carries the Peppol UBL (embedded API; None: the client's choice).

    "Not delivered" is said plainly so the model does not tell the user the client has it when it sits in the
    outbox or in an .eml file."""
    from si_mcp.models import ReminderRequest, SendRequest

    books = await books_of(ctx)
    fields = {"recipients": ",".join(recipients), "subject": subject, "message": message}
    if reminder:
        if not books.api.is_local:
            raise ToolError(
                "The Space Invoices API sends no payment reminders. Send the invoice again instead: send_invoice "
                "with resend=true and a message asking for payment."
            )
        with api_call("send the payment reminder"):
            answer = await books.api.documents.send_reminder(
                doc.id,
                body=build(ReminderRequest, "reminder", **fields),
                language=language,
                idempotency_key=idempotency_key,
            )
    else:
        # attachUbl only when chosen: Space Invoices knows no such field
        chosen = {} if attach_ubl is None else {"attach_ubl": attach_ubl}
        body = build(SendRequest, "email", **fields, resend=resend, **chosen)
        with api_call("send the document by email"):
            answer = await books.api.documents.send(
                doc.id, body=body, language=language, idempotency_key=idempotency_key
            )
    return sent_outcome(answer, recipients)


def sent_outcome(answer: "SendResult", recipients: list[str]) -> tuple[Outcome, str]:
    """(status, sentence) of what the API answered to a send."""
    to = ", ".join(recipients)
    detail = clean(answer.detail, 300) if answer.detail else ""
    carried = [_CARRIED[kind] for kind in answer.attachments or [] if kind in _CARRIED]
    with_files = f" with {' and '.join(carried)}" if carried else ""
    if answer.status == "failed":
        reason = clean(answer.error or "", 200)
        return "failed", f"NOT delivered to {to} yet ({reason}); it stays in the outbox and is retried."
    if answer.status == "queued":
        return "queued", f"NOT delivered yet: queued for delivery to {to}."
    if answer.status == "saved":
        saved = detail.removesuffix(" (no SMTP server configured)") or "saved in the outbox folder"
        return (
            "saved",
            f"NOT delivered to {to}: no SMTP server is configured (SI_MCP_SMTP_HOST); the email{with_files} was "
            f"{saved}.",
        )
    return "sent", f"Emailed to {to}{with_files}." + (f" {detail[:1].upper()}{detail[1:]}." if detail else "")


_CARRIED = {
    "pdf": "the PDF",
    "factur-x": "the Factur-X PDF (its e-invoice XML inside)",
    "ubl": "the Peppol UBL e-invoice",
}


async def _email(ctx: Ctx, plan: Created, decision: Decision, consent: ElicitationResult[Any]) -> EmailOutcome | None:
    if not plan.send:
        return None
    recipients = plan.recipients
    if plan.doc.sent_at is not None:
        when = plan.doc.sent_at.strftime("%Y-%m-%d %H:%M UTC")
        already = (
            f"Nothing was emailed now: the first identical request already asked to email it on {when} to "
            f"{clean(plan.doc.sent_to or '', 200)} (it may have been sent, saved as an .eml file or queued). To "
            "email it again, use send_invoice with resend=true."
        )
        return EmailOutcome(status="earlier", recipients=recipients, detail=already)
    if decision == "declined":
        return EmailOutcome(status="declined", recipients=recipients, detail="The user declined; nothing was sent.")
    if decision == "dismissed":
        return EmailOutcome(status="dismissed", recipients=recipients, detail="The user dismissed the question.")
    if decision == "needs_token":
        confirmation = confirmation_of(consent)
        token, preview = (confirmation.token, confirmation.preview) if confirmation else (None, None)
        return EmailOutcome(
            status="needs_confirmation", recipients=recipients, detail=preview, confirmation_token=token
        )
    try:
        ubl = await client_wants_ubl(ctx, plan.doc)  # as the question said (its token binds it)
        status, how = await send_now(
            ctx,
            plan.doc,
            recipients=recipients,
            subject=None,
            message=plan.message,
            resend=False,
            attach_ubl=ubl if (await books_of(ctx)).api.is_local else None,
        )
    except ToolError as exc:
        return EmailOutcome(status="failed", recipients=recipients, detail=str(exc))
    return EmailOutcome(status=status, recipients=recipients, detail=how)


def _email_text(email: EmailOutcome | None, doc: DocumentSummary, custom_message: bool) -> str:
    if email is None:
        return ""
    if email.status in ("sent", "saved", "queued", "failed", "earlier"):
        return f" {email.detail}"
    if email.status == "needs_confirmation" and email.confirmation_token:
        same = " and the same message" if custom_message else ""
        return (
            f" NOT emailed yet. Ask the user to approve:\n{email.detail}\nIf they agree, call send_invoice with "
            f"document='{doc.number or doc.id}'{same} and confirmation_token='{email.confirmation_token}'."
        )
    return f" Not emailed ({email.status}): {email.detail or ''}".rstrip() + ("" if email.detail else ".")


def _replay_note(idempotency_key: str | None) -> str:
    if idempotency_key:
        return f"NOTHING NEW WAS CREATED: idempotency_key '{clean(idempotency_key, 60)}' already made this document."
    return (
        "NOTHING NEW WAS CREATED: an identical request earlier today already made this document. If the user "
        "really wants a second, identical one, call create_invoice again with a new idempotency_key (any unique text)."
    )


async def create_invoice(
    ctx: Ctx,
    plan: Annotated[Created, Resolve(_create)],
    consent: Annotated[ElicitationResult[Confirm], Resolve(_consent)],
    client: Annotated[
        str | None,
        Field(
            description="Name, email or id; a new client needs client_email or client_country. "
            "Default: related_document's client.",
            max_length=300,
        ),
    ] = None,
    items: Annotated[
        list[ItemIn] | None,
        Field(description="The lines, in order. Default: related_document's lines.", min_length=1, max_length=100),
    ] = None,
    organization: OrgArg = None,
    client_email: Annotated[
        str | None, Field(description="New client's email (send goes there).", max_length=320)
    ] = None,
    client_address: Annotated[str | None, Field(description="Street, zip and city.", max_length=500)] = None,
    client_country: Annotated[
        str | None, Field(description="New client's country, name or ISO code.", max_length=100)
    ] = None,
    client_tax_number: Annotated[str | None, Field(description="New client's VAT number.", max_length=100)] = None,
    type: Annotated[
        Literal["invoice", "estimate", "advance", "credit-note"],
        Field(description="estimate: an offer; advance: paid before delivery; credit-note: corrects an invoice."),
    ] = "invoice",
    currency: Annotated[
        str | None, Field(description="ISO 4217; default: the organization's.", pattern="^[A-Za-z]{3}$")
    ] = None,
    date: Annotated[dt.date | None, Field(description="Issue date; default today.")] = None,
    due_date: Annotated[dt.date | None, Field(description="Default: the organization's payment terms.")] = None,
    note: Annotated[str | None, Field(description="Printed on the document.", max_length=5000)] = None,
    payments: Annotated[
        list[PaymentIn] | None, Field(description="Payments already received (marks it paid).", max_length=5)
    ] = None,
    send: Annotated[bool | str, Field(description="Email it to the client: true, or a custom message.")] = False,
    draft: Annotated[bool, Field(description="Save unnumbered and unsent, to finish later.")] = False,
    related_document: Annotated[
        str | None,
        Field(
            description="Number or id; several: comma-separated. Credit note: the invoice it corrects (lines "
            "copied); invoice: its estimate (lines copied) and/or paid advance (deducted).",
            max_length=300,
        ),
    ] = None,
    idempotency_key: Annotated[
        str | None, Field(description="Retry-safe: same key, same document.", max_length=200)
    ] = None,
    supply: Annotated[
        Literal["services", "goods"], Field(description="What is sold; decides intra-EU (K/AE) and export VAT.")
    ] = "services",
    vat_exemption: Annotated[
        str | None, Field(description="Legal reason printed for exempt (vat='E') items.", max_length=500)
    ] = None,
    language: Annotated[
        Language | None,
        Field(description="Of the document, PDF and emails (a new client keeps it)."),
    ] = None,
) -> Annotated[CallToolResult, InvoiceResult]:
    """Create an invoice, estimate, advance or credit note in one call, optionally paid and emailed (asks first)."""
    decision = decide(consent)
    email = await _email(ctx, plan, decision, consent)
    summary = document_summary(plan.doc, today(plan.org), plan.org.timezone)
    vat = vat_lines(plan.doc.document_taxes, plan.doc.currency_id, plan.doc.document_reverse_taxes)
    data = InvoiceResult(
        organization=org_ref(plan.org),
        document=document_ref(plan.doc, today(plan.org), plan.org.timezone),
        vat=vat,
        vat_treatment=plan.vat_treatment,
        language=other_language(plan.doc, plan.org),
        replayed=plan.replayed,
        email=email,
        pdf=pdf_uri(plan.doc.id),
    )
    text = f"Created: {document_sentence(plan.org.name, summary, vat)}"
    if plan.replayed:
        text = f"{_replay_note(idempotency_key)} It is: {document_sentence(plan.org.name, summary, vat)}"
    if plan.vat_treatment:
        text += f" VAT {plan.vat_treatment}."
    if data.language:
        text += f" Written in {data.language} (the organization's language is {clean(plan.org.locale, 20)})."
    elif language and plan.doc.locale is None:
        text += (
            f" Only its VAT wording is in {language}: the Space Invoices API keeps no document language, so its PDF "
            "and emails follow the organization's (send_invoice and get_pdf take language)."
        )
    missing = [gap.split(":")[0] for gap in organization_gaps(plan.org, state_of(ctx).settings.smtp_from)]
    if missing:
        data.missing = missing
        text += f" The organization has no {', '.join(missing)} yet (update_organization; see its result for why)."
    text += _email_text(email, summary, plan.message is not None) + f" id {summary.id}"
    link = ResourceLink(
        type="resource_link",
        uri=pdf_uri(plan.doc.id),
        name=f"{summary.number or summary.id}.pdf",
        title=f"{KIND.get(summary.type, summary.type)} {summary.number or ''} (PDF)".strip(),
        mime_type="application/pdf",
    )
    return result(text, data, [link])


# Destructive: an issued number cannot be taken back (only credited), and send=true emails someone.
TOOLS = [ToolSpec(create_invoice, "Create invoice", read_only=False, destructive=True, open_world=True)]
