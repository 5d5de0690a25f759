"""PDF download and email sending of documents (``GET /documents/{id}/pdf``, ``POST /documents/{id}/send``,
``"send"`` on create), over :class:`si_mcp.local.mail.service.DocumentsOut`.

A send is checked completely first (recipients, texts, sender, the PDF renders), then the outbox row and
the document's ``sentAt``/``sentTo`` are committed in one transaction, then the email is delivered. The
answer says what happened: ``sent``, ``failed`` (kept for retry, with the error) or ``queued``.
"""

from __future__ import annotations

import functools
import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import anyio.to_thread
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from si_mcp.local.mail import DeliveryReport, MailError, OutgoingEmail, attachment_name
from si_mcp.local.mail.service import AlreadySentError, DocumentsOut, Queued
from si_mcp.local.pdf import MissingGlyphError, PdfError, TemplateError, UnsupportedLanguageError
from si_mcp.models import Document, Organization, ReminderRequest, SendOptions, SendRequest, SendResult
from si_mcp.models.ledger import organization_today

from .. import tables
from ..access import load_owned
from ..einvoicing import checked_einvoice, validator_of
from ..engine.autofill import local_day
from ..errors import LocalAPIError, bad_request
from ..http import Call, Route, Services, json_response
from ..ledger import payments_of
from ..store import loads
from ._once import check_key, done_under, once_of, previous_answer, remember, settle

__all__ = ["queue_new", "routes", "send_on_create", "service_of"]

_MODEL = "Document"
log = logging.getLogger(__name__)


def _service(call: Call) -> DocumentsOut:
    return service_of(call.services)


def service_of(services: Services) -> DocumentsOut:
    if services.documents_out is None:
        services.documents_out = DocumentsOut(services.db, services.settings, services.data_dir)
    return services.documents_out


def _unprocessable(error: Exception) -> LocalAPIError:
    """Rendering and mail problems as LoopBack 422s, each with its own code."""
    details: dict[str, Any] | None = None
    if isinstance(error, MissingGlyphError):
        details = {"characters": error.characters}
    elif isinstance(error, TemplateError):
        details = {"file": error.file, "line": error.line, "column": error.column}
    codes: list[tuple[type[Exception], str]] = [
        (AlreadySentError, "ALREADY_SENT"),
        (UnsupportedLanguageError, "UNSUPPORTED_LANGUAGE"),
        (MailError, "MAIL_INVALID"),
        (PdfError, getattr(error, "code", "PDF_ERROR")),
    ]
    code = next((c for kind, c in codes if isinstance(error, kind)), "INVALID")
    return LocalAPIError(422, str(error), code=code, name="ValidationError", details=details)


async def _organization(conn: AsyncConnection, organization_id: str) -> Organization:
    o, d = tables.organizations, tables.defaults
    data = (await conn.execute(sa.select(o.c.data).where(o.c.id == organization_id))).scalar_one()
    query = sa.select(d.c.data).where(d.c.organization_id == organization_id).order_by(d.c.created_at, d.c.id)
    defaults = [loads(text) for text in (await conn.execute(query)).scalars()]
    return Organization.model_validate({**loads(data), "_defaults": defaults})


async def get_pdf(call: Call) -> Response:
    async with call.db.read() as conn:
        row = await load_owned(conn, tables.documents, call.params["id"], call.account_id, _MODEL)
        document = Document.model_validate(loads(row.data))
        organization = await _organization(conn, row.organization_id)
    try:
        pdf = await _service(call).render(document, organization, language=call.query("l"))
    except (PdfError, UnsupportedLanguageError) as error:
        raise _unprocessable(error) from None
    filename = attachment_name(document.number or document.id)
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'}
    )


async def get_ubl(call: Call) -> Response:
    """``GET /documents/{id}/ubl`` (embedded API extension): the document as a Peppol BIS Billing 3.0 UBL invoice or
    credit note, checked against the CEN EN 16931 rules before it is served. What the books cannot say (a missing
    VAT number, a line without a VAT category) or what the rules refuse is a 422 that names the rule and what to add;
    nothing unchecked is served."""
    document, organization = await _einvoice_sources(call)
    check = functools.partial(checked_einvoice, validator_of(call.services), organization.to_wire(), document)
    xml = await anyio.to_thread.run_sync(check)
    filename = attachment_name(document.get("number") or document["id"]).removesuffix(".pdf") + ".xml"
    return Response(
        xml, media_type="application/xml", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


async def get_factur_x(call: Call) -> Response:
    """``GET /documents/{id}/factur-x`` (embedded API extension): the document's PDF/A-3 with its CII XML embedded
    (Factur-X / ZUGFeRD, EN 16931 profile), the XML checked against the CEN rules and the profile's XSD first."""
    from si_mcp.einvoice import paid_at_issue
    from si_mcp.einvoice.validation import CII_RULES

    data, organization = await _einvoice_sources(call)
    validator = validator_of(call.services, CII_RULES)
    check = functools.partial(checked_einvoice, validator, organization.to_wire(), data, syntax="cii")
    xml = await anyio.to_thread.run_sync(check)
    await anyio.to_thread.run_sync(_fits_schema, xml)
    # The PDF around the XML says what the XML says: the invoice as issued (what was paid with it then), not the
    # payments and credit notes since; those are the books' news, not the invoice's.
    document = Document.model_validate(data)
    paid = paid_at_issue(document)
    due = document.total_with_tax - paid
    as_issued = {"total_paid": paid, "total_credited": Decimal(0), "total_due": due, "paid_in_full": due <= 0}
    document = document.model_copy(update=as_issued)
    try:
        pdf = await _service(call).render(document, organization, language=call.query("l"))
    except (PdfError, UnsupportedLanguageError) as error:
        raise _unprocessable(error) from None
    combined = await anyio.to_thread.run_sync(_embed, pdf, xml)
    filename = attachment_name(document.number or document.id)
    return Response(
        combined, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'}
    )


async def _einvoice_sources(call: Call) -> tuple[dict[str, Any], Organization]:
    """The route's document (wire JSON, with its payments: what was paid at issue is stated as prepaid) and its
    organization."""
    async with call.db.read() as conn:
        row = await load_owned(conn, tables.documents, call.params["id"], call.account_id, _MODEL)
        document = loads(row.data)
        organization = await _organization(conn, row.organization_id)
        document["payments"] = (await conn.run_sync(payments_of, [document["id"]]))[document["id"]]
    return document, organization


def _fits_schema(xml: bytes) -> None:
    """The profile's XSD, before anything is rendered. A failure is si-mcp's bug (it wrote the XML), not the caller's:
    a 500 that says so, logged."""
    from facturx import xml_check_xsd

    try:
        xml_check_xsd(xml, flavor="factur-x", level="en16931")
    except Exception as error:  # the library raises plain Exceptions
        log.error("Factur-X XML breaks its XSD: %s", error)
        raise LocalAPIError(
            500, f"The Factur-X XML si-mcp wrote breaks its schema (a bug): {error}", code="EINVOICE_SCHEMA"
        ) from None


def _embed(pdf: bytes, xml: bytes) -> bytes:
    from facturx import generate_from_binary

    combined: bytes = generate_from_binary(pdf, xml, flavor="factur-x", level="en16931", check_xsd=False)
    return combined


def _check_sendable(draft: bool, canceled: bool) -> None:
    if draft:
        raise LocalAPIError(
            422,
            "A draft cannot be sent; issue it first (draft: false).",
            code="DRAFT_NOT_SENDABLE",
            name="ValidationError",
        )
    if canceled:
        raise LocalAPIError(
            422,
            "A canceled document cannot be sent; uncancel it first, or send its replacement.",
            code="CANCELED_NOT_SENDABLE",
            name="ValidationError",
        )


async def _prepare(
    service: DocumentsOut,
    document: Document,
    organization: Organization,
    request: SendRequest | SendOptions | ReminderRequest,
    language: str | None,
    *,
    reminder: bool = False,
    render: bool = True,
) -> tuple[OutgoingEmail, str]:
    _check_sendable(document.draft, document.canceled)
    try:
        return await service.prepare(
            document,
            organization,
            reminder=reminder,
            render=render,
            language=language,
            recipients=request.recipients,
            subject=request.subject,
            message=request.message,
            send_copy=isinstance(request, SendRequest | ReminderRequest) and request.send_copy,
        )
    except (MailError, PdfError, UnsupportedLanguageError) as error:
        raise _unprocessable(error) from None


async def _queue(
    service: DocumentsOut,
    conn: AsyncConnection,
    document: dict[str, Any],
    email: OutgoingEmail,
    language: str,
    resend: bool,
    *,
    reminder: bool = False,
) -> Queued:
    try:
        return await service.queue(conn, document, email, language=language, resend=resend, reminder=reminder)
    except AlreadySentError as error:
        raise _unprocessable(error) from None


def _answer(queued: Queued, report: DeliveryReport | None, reminders: int | None = None) -> dict[str, Any]:
    status = report.status if report is not None else "queued"
    failed = status in ("failed", "superseded")  # superseded: a reminder for what was paid in the meantime
    result = SendResult(
        reminders=reminders,
        success=True,
        status="failed" if failed else status,
        message_id=queued.message_id,
        recipients=list(queued.recipients),
        detail=report.detail if report is not None and not failed else None,
        error=report.detail if report is not None and failed else None,
    )
    return result.to_wire(exclude_none=True)


# ---------------------------------------------------------------- Idempotency-Key (embedded API extension)


def _asked(body: SendRequest | ReminderRequest, language: str | None) -> dict[str, Any]:
    return {"body": body.model_dump(mode="json", exclude_unset=True), "language": language}


async def send_document(call: Call) -> Response:
    body = await call.body(SendRequest, _MODEL)
    language = call.query("l")
    once = once_of(call, "send", _asked(body, language))
    async with call.db.read() as conn:
        row = await load_owned(conn, tables.documents, call.params["id"], call.account_id, _MODEL, "write")
        document = Document.model_validate(loads(row.data))
        organization = await _organization(conn, row.organization_id)
        answered = await conn.run_sync(previous_answer, row.organization_id, once)
    if answered is not None:
        return json_response(answered)
    email, stored_language = await _prepare(_service(call), document, organization, body, language)
    async with call.db.write() as conn:
        row = await load_owned(conn, tables.documents, call.params["id"], call.account_id, _MODEL, "write")
        # Another process may have sent it meanwhile.
        answered = await conn.run_sync(previous_answer, row.organization_id, once)
        if answered is not None:
            return json_response(answered)
        current = loads(row.data)
        _check_sendable(bool(current.get("draft")), bool(current.get("canceled")))  # it may have changed meanwhile
        queued = await _queue(_service(call), conn, current, email, stored_language, body.resend)
        await conn.run_sync(remember, row.organization_id, once, _answer(queued, None))
    report = await _service(call).after_commit(queued)
    answer = _answer(queued, report)
    await call.db.run_write(settle, row.organization_id, once, answer)
    return json_response(answer)


def _check_remindable(document: dict[str, Any], organization: Organization, today: date) -> None:
    """Only what is issued, still due and past its due date (the organization's days) gets a reminder."""
    label = f"{document.get('type')} {document.get('number') or document['id']}"

    def refuse(message: str, code: str) -> LocalAPIError:
        return LocalAPIError(422, message, code=code, name="ValidationError")

    _check_sendable(bool(document.get("draft")), bool(document.get("canceled")))
    if document.get("type") not in ("invoice", "advance"):
        raise refuse(f"Only invoices are reminded of; {label} is not one.", "NOT_REMINDABLE")
    if Decimal(str(document.get("totalDue") or 0)) <= 0:
        raise refuse(f"Nothing is due on {label}: there is nothing to remind of.", "NOTHING_DUE")
    due = document.get("dateDue")
    due_day = local_day(datetime.fromisoformat(due), organization.timezone) if due else None
    if due_day is None or due_day >= today:
        when = f"it is due on {due_day.isoformat()}" if due_day else "it has no due date"
        raise refuse(f"{label} is not overdue ({when}); send it again instead of a reminder.", "NOT_OVERDUE")


async def send_reminder(call: Call) -> Response:
    body = await call.body(ReminderRequest, _MODEL)
    language = call.query("l")
    once = once_of(call, "send-reminder", _asked(body, language))
    async with call.db.read() as conn:
        row = await load_owned(conn, tables.documents, call.params["id"], call.account_id, _MODEL, "write")
        read = loads(row.data)
        organization = await _organization(conn, row.organization_id)
        answered = await conn.run_sync(previous_answer, row.organization_id, once)
    if answered is not None:
        return json_response(answered)
    today = organization_today(organization.timezone, call.services.clock())
    _check_remindable(read, organization, today)
    service = _service(call)
    email, stored_language = await _prepare(
        service, Document.model_validate(read), organization, body, language, reminder=True
    )
    async with call.db.write() as conn:
        row = await load_owned(conn, tables.documents, call.params["id"], call.account_id, _MODEL, "write")
        answered = await conn.run_sync(previous_answer, row.organization_id, once)
        if answered is not None:
            return json_response(answered)
        current = loads(row.data)
        if current.get("updatedAt") != read.get("updatedAt"):  # paid or changed while the email was written
            raise LocalAPIError(
                409,
                "The document changed while the reminder was prepared; nothing was sent. Try again.",
                code="CONFLICT",
            )
        queued = await _queue(service, conn, current, email, stored_language, False, reminder=True)
        # The count the answer gives is the one after this reminder is delivered.
        reminders = int(current.get("reminders") or 0) + 1
        await conn.run_sync(remember, row.organization_id, once, _answer(queued, None, reminders))
    report = await service.after_commit(queued)
    async with call.db.read() as conn:
        row = await load_owned(conn, tables.documents, call.params["id"], call.account_id, _MODEL)
    answer = _answer(queued, report, int(loads(row.data).get("reminders") or 0))
    await call.db.run_write(settle, row.organization_id, once, answer)
    return json_response(answer)


async def send_on_create(
    call: Call, conn: AsyncConnection, document: dict[str, Any], send: bool | SendOptions
) -> Queued:
    """``"send"`` on create, inside the create transaction: any problem is a 422 and nothing is stored.

    Returns what :func:`deliver_created` needs once the transaction has committed.
    """
    return await queue_new(call.services, conn, document, send if isinstance(send, SendOptions) else None)


async def queue_new(
    services: Services,
    conn: AsyncConnection,
    document: dict[str, Any],
    options: SendOptions | None = None,
    *,
    render: bool = True,
) -> Queued:
    """Queue the first email of a document just written in the caller's transaction (a 422 when it cannot go);
    ``render=False`` leaves the PDF to the delivery, outside the transaction."""
    service = service_of(services)
    model = Document.model_validate(document)
    organization = await _organization(conn, document["organizationId"])
    email, language = await _prepare(service, model, organization, options or SendOptions(), None, render=render)
    return await _queue(service, conn, document, email, language, resend=False)


async def deliver_created(call: Call, queued: Queued) -> None:
    """Deliver the email queued by :func:`send_on_create`; a failure stays in the outbox for retry."""
    await _service(call).after_commit(queued)


def routes() -> list[Route]:
    return [
        Route("GET", "/documents/{id}/pdf", get_pdf),
        Route("GET", "/documents/{id}/ubl", get_ubl),
        Route("GET", "/documents/{id}/factur-x", get_factur_x),
        Route("POST", "/documents/{id}/send", send_document),
        Route("POST", "/documents/{id}/send-reminder", send_reminder),
        Route("GET", "/documents/{id}/actions", action_done),
    ]


async def action_done(call: Call) -> Response:
    """``GET /documents/{id}/actions?key=`` (embedded API extension): what a send, reminder or cancel made under that
    ``Idempotency-Key`` did to this document, ``{"action", "answer"}`` (both ``null``: nothing). A read: an MCP
    replica holding a confirmation asks it before anything, and never sends by asking."""
    key = call.query("key")
    async with call.db.read() as conn:
        row = await load_owned(conn, tables.documents, call.params["id"], call.account_id, _MODEL)
        if key is None:
            raise bad_request("Give the Idempotency-Key to look up: ?key=…", code="INVALID_IDEMPOTENCY_KEY")
        check_key(key)
        done = await conn.run_sync(done_under, row.organization_id, call.params["id"], key)
    return json_response(done or {"action": None, "answer": None})
