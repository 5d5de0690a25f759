"""Getting a document out: email it (after consent) or hand over its PDF."""

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

from mcp.server.mcpserver import Elicit, ElicitationResult, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import (
    BlobResourceContents,
    CallToolResult,
    ContentBlock,
    EmbeddedResource,
    ResourceLink,
    TextResourceContents,
)
from pydantic import BaseModel, Field

from ..consent import Confirm, Consent, confirmation_of, decide, once_key
from ..errors import api_call
from ..state import Ctx, books_of
from ..summaries import KIND, send_action
from ..text import clean
from ..views import document_ref, org_ref, pdf_uri
from ._common import DocArg, DocTypeArg, Language, OrgArg, TokenArg, ToolSpec, result, today
from ._target import ActionResult, Target, ask, held_back, target
from .invoices import client_wants_ubl, send_now, sent_outcome

if TYPE_CHECKING:
    from si_mcp.models import SendResult as SentAnswer

__all__ = ["TOOLS"]

Email = Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s,;<>]+@[^@\s,;<>]+$")]


SendStatus = Literal["sent", "saved", "queued", "failed", "declined", "dismissed", "needs_confirmation"]


class SendResult(ActionResult):
    status: SendStatus
    recipients: list[str]
    detail: str | None = None


class PdfRef(BaseModel):
    id: str
    number: str | None


class PdfResult(BaseModel):
    organization: str
    document: PdfRef
    uri: str
    size_bytes: int
    embedded: bool


@dataclass(frozen=True)
class Delivery:
    found: Target
    recipients: list[str]
    previous: "SentAnswer | None" = None  # sent already with this confirmation (by this or another replica)
    ubl: bool = False  # the email carries the Peppol UBL
    remember_ubl: bool = False  # and that choice becomes the client's (it differs from what the client has)


async def _plan(
    ctx: Ctx,
    organization: str | None,
    document: str,
    type: str | None,
    recipients: list[str] | None,
    reminder: bool,
    confirmation_token: str | None,
    ubl: bool | None,
) -> Delivery:
    found = await target(ctx, organization, document, type)
    doc, org = found.doc, found.org
    if confirmation_token:  # acted on already? Then the document shows it sent: answer that email, not an error
        books = await books_of(ctx)
        key = once_key("send", confirmation_token)
        with api_call("look for the email"):
            previous = await books.api.documents.sent_under(doc.id, key, reminder=reminder)
        if previous is not None:
            return Delivery(found, previous.recipients or list(recipients or []), previous)
    label = f"{doc.type} {doc.number or doc.id} of {clean(org.name)}"
    if doc.draft or doc.canceled:
        raise ToolError(f"The {label} is {'a draft' if doc.draft else 'canceled'}; it cannot be sent.")
    if reminder:
        _check_remindable(found, label, (await books_of(ctx)).api.is_local)
    to = [r.strip() for r in recipients or [] if r.strip()]
    if not to:
        email = doc.document_client.email if doc.document_client else None
        if not email:
            raise ToolError(f"The client of the {label} has no email address. Pass recipients=[...].")
        to = [email]
    attach, remember = await _ubl_choice(ctx, found, ubl, reminder)
    return Delivery(found, list(dict.fromkeys(to)), ubl=attach, remember_ubl=remember)


async def _ubl_choice(ctx: Ctx, found: Target, ubl: bool | None, reminder: bool) -> tuple[bool, bool]:
    """(attach the UBL, remember that for the client): the call's choice, else the client's; never on a reminder (the
    client's software would book the invoice twice)."""
    if reminder:
        if ubl:
            raise ToolError("A payment reminder carries the PDF only (an e-invoice in it would be booked twice).")
        return False, False
    books = await books_of(ctx)
    if not books.api.is_local:
        if ubl:
            raise ToolError(
                "Space Invoices emails the PDF only. Get the UBL with get_pdf(ubl=true) to hand it over another way."
            )
        return False, False
    wants = await client_wants_ubl(ctx, found.doc)
    attach, remember = (wants, False) if ubl is None else (ubl, ubl != wants and found.doc.client_id is not None)
    if attach:  # made and checked now, so the user is not asked to approve an email that cannot go
        try:
            with api_call("make the Peppol UBL to attach"):
                await books.api.documents.ubl(found.doc.id)
        except ToolError as error:
            raise ToolError(f"{error} Or send it without the UBL: ubl=false.") from None
    return attach, remember


def _check_remindable(found: Target, label: str, local: bool) -> None:
    """What the API would refuse after the user agreed, refused before asking."""
    from si_mcp.models.ledger import local_day

    doc, org = found.doc, found.org
    if not local:
        raise ToolError(
            "The Space Invoices API sends no payment reminders. Send the invoice again instead: send_invoice with "
            "resend=true and a message asking for payment."
        )
    if doc.type not in ("invoice", "advance"):
        raise ToolError(f"Only invoices get payment reminders; the {label} is not one.")
    if doc.total_due <= 0:
        raise ToolError(f"Nothing is due on the {label}: there is nothing to remind of.")
    due = local_day(doc.date_due, org.timezone) if doc.date_due else None
    if due is None or due >= today(org):
        when = f"it is due on {due}" if due else "it has no due date"
        raise ToolError(f"The {label} is not overdue ({when}). To send it again, call send_invoice with resend=true.")


async def _consent(
    ctx: Ctx,
    plan: Annotated[Delivery, Resolve(_plan)],
    subject: str | None,
    message: str | None,
    resend: bool,
    confirmation_token: str | None,
    language: str | None,
    reminder: bool,
) -> Consent | Elicit[Confirm]:
    found = plan.found
    if plan.previous is not None:
        return Consent(mode="not_needed")  # nothing will be sent: the answer is the email sent with it
    action = send_action(
        found.account_id,
        found.org,
        found.doc,
        recipients=plan.recipients,
        stored_email=found.doc.document_client.email if found.doc.document_client else None,
        subject=subject,
        message=message,
        resend=resend,
        language=language,
        reminder=reminder,
        ubl=plan.ubl,
        remember_ubl=plan.remember_ubl,
    )
    return await ask(ctx, action, confirmation_token)


async def send_invoice(
    ctx: Ctx,
    document: DocArg,
    plan: Annotated[Delivery, Resolve(_plan)],
    consent: Annotated[ElicitationResult[Confirm], Resolve(_consent)],
    organization: OrgArg = None,
    type: DocTypeArg = None,
    recipients: Annotated[
        list[Email] | None,
        Field(description="Default: the client's email. Only addresses the user gave.", max_length=10),
    ] = None,
    subject: Annotated[str | None, Field(description="Default: the organization's subject.", max_length=300)] = None,
    message: Annotated[
        str | None, Field(description="Email body; default: the organization's.", max_length=5000)
    ] = None,
    resend: Annotated[bool, Field(description="Send although already sent.")] = False,
    confirmation_token: TokenArg = None,
    language: Annotated[Language | None, Field(description="Of the email and PDF; default: the document's.")] = None,
    reminder: Annotated[bool, Field(description="Payment reminder (overdue invoices).")] = False,
    ubl: Annotated[
        bool | None, Field(description="Attach the Peppol UBL e-invoice; kept as the client's choice. Default: it.")
    ] = None,
) -> Annotated[CallToolResult, SendResult]:
    """Email a document and its PDF to the client (a real email: asks the user first)."""
    org, doc = plan.found.org, plan.found.doc
    decision = decide(consent)
    if decision != "go":
        token, text = held_back("send_invoice", "sent", decision, consent)
        status: Literal["declined", "dismissed", "needs_confirmation"] = (
            "needs_confirmation" if decision == "needs_token" else decision
        )
        confirmation = confirmation_of(consent)
        return result(
            text, _sent(plan, status, confirmation.preview if confirmation else None, confirmation_token=token)
        )
    if plan.previous is not None:
        sent, how = sent_outcome(plan.previous, plan.recipients)
        return result(f"NOTHING NEW WAS SENT: this confirmation was acted on already. {how}", _sent(plan, sent, how))
    books = await books_of(ctx)
    sent, how = await send_now(
        ctx,
        doc,
        recipients=plan.recipients,
        subject=subject,
        message=message,
        resend=resend,
        language=language,
        reminder=reminder,
        # One confirmation, one email: the key is kept in the books, so a replica sharing the secret that acts on
        # the same token gets the first answer instead of sending again.
        idempotency_key=once_key("send", confirmation_token) if confirmation_token and books.api.is_local else None,
        attach_ubl=plan.ubl if books.api.is_local and not reminder else None,
    )
    if plan.remember_ubl and plan.found.doc.client_id:
        how += await _remember_ubl(ctx, plan)
    data = _sent(plan, sent, how)
    what = "Payment reminder for " + KIND.get(doc.type, doc.type).lower() if reminder else KIND.get(doc.type, doc.type)
    return result(f"{what} {doc.number or doc.id} of {clean(org.name)}: {how}", data)


async def _remember_ubl(ctx: Ctx, plan: Delivery) -> str:
    """Keep the call's UBL choice as the client's (the user approved it with the send); a sentence saying so."""
    from si_mcp.models import ClientUpdate

    books = await books_of(ctx)
    client = clean(plan.found.doc.document_client.name if plan.found.doc.document_client else "", 60) or "the client"
    try:
        with api_call("keep the client's choice"):
            await books.api.clients.update(plan.found.doc.client_id or "", body=ClientUpdate(attach_ubl=plan.ubl))
    except ToolError as error:  # the email is gone all the same: say so, and that only the choice was not kept
        return f" The choice of UBL was not kept for {client}, though ({error}); pass ubl again next time."
    later = "carry the Peppol UBL too" if plan.ubl else "no longer carry the Peppol UBL"
    return f" From now on, emails to {client} {later} (ubl=true/false to change it)."


def _sent(
    plan: Delivery, status: SendStatus, detail: str | None = None, *, confirmation_token: str | None = None
) -> SendResult:
    org, doc = plan.found.org, plan.found.doc
    return SendResult(
        organization=org_ref(org),
        document=document_ref(doc, today(org), org.timezone),
        status=status,
        recipients=plan.recipients,
        detail=detail,
        confirmation_token=confirmation_token,
    )


async def get_pdf(
    ctx: Ctx,
    document: DocArg,
    organization: OrgArg = None,
    type: DocTypeArg = None,
    language: Annotated[Language | None, Field(description="Default: the document's.")] = None,
    embed: Annotated[bool, Field(description="Bytes too; only if needed.")] = False,
    ubl: Annotated[bool, Field(description="Peppol UBL e-invoice instead.")] = False,
) -> Annotated[CallToolResult, PdfResult]:
    """A document's PDF as a link (si://documents/{id}/pdf, ?l=<language> for another); bytes only with embed."""
    found = await target(ctx, organization, document, type)
    org, doc = found.org, found.doc
    books = await books_of(ctx)
    label = f"{KIND.get(doc.type, doc.type)} {doc.number or doc.id}"
    if ubl:
        with api_call("build the e-invoice"):
            content = await books.api.documents.ubl(doc.id)
        uri, mime, name, what = f"si://documents/{doc.id}/ubl", "application/xml", f"{doc.number or doc.id}.xml", "UBL"
    else:
        with api_call("render the PDF"):
            content = await books.api.documents.pdf(doc.id, language=language)
        uri, mime, what = pdf_uri(doc.id, language), "application/pdf", "PDF"
        name = f"{doc.number or doc.id}{f'-{language}' if language else ''}.pdf"
    blocks: list[ContentBlock] = [
        ResourceLink(
            type="resource_link", uri=uri, name=name, title=f"{label} ({what})", mime_type=mime, size=len(content)
        )
    ]
    if embed:
        resource = (
            TextResourceContents(uri=uri, mime_type=mime, text=content.decode("utf-8"))
            if ubl
            else BlobResourceContents(uri=uri, mime_type=mime, blob=base64.b64encode(content).decode())
        )
        blocks.append(EmbeddedResource(type="resource", resource=resource))
    data = PdfResult(
        organization=org_ref(org),
        document=PdfRef(id=doc.id, number=doc.number),
        uri=uri,
        size_bytes=len(content),
        embedded=embed,
    )
    checked = " (checked against the EN 16931 rules)" if ubl else ""
    text = f"{what} of {label} ({clean(org.name)}){checked}: {uri}, {len(content):,} bytes" + (
        ", attached." if embed else "."
    )
    return result(text, data, blocks)


TOOLS = [
    ToolSpec(send_invoice, "Send by email", read_only=False, destructive=True, open_world=True),
    ToolSpec(get_pdf, "Get PDF", read_only=True, idempotent=True),
]
