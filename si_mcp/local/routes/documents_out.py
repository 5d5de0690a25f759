"""PDF download and email sending of documents (``GET /documents/{id}/pdf``, ``POST /documents/{id}/send``,
``"send"`` on create), over :class:`si_mcp.local.mail.service.DocumentsOut`.

A send is checked completely first (recipients, texts, sender, the PDF renders), then the outbox row and
the document's ``sentAt``/``sentTo`` are committed in one transaction, then the email is delivered. The
answer says what happened: ``sent``, ``failed`` (kept for retry, with the error) or ``queued``.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from si_mcp.local.mail import DeliveryReport, MailError, OutgoingEmail
from si_mcp.local.mail.service import AlreadySentError, DocumentsOut, Queued
from si_mcp.local.pdf import MissingGlyphError, PdfError, TemplateError, UnsupportedLanguageError
from si_mcp.models import (
    Document,
    Organization,
    PeppolRequest,
    PeppolResult,
    ReminderRequest,
    SendOptions,
    SendRequest,
    SendResult,
    wirejson,
)
from si_mcp.models.ledger import organization_today

from .. import tables
from ..access import load_owned
from ..einvoicing import E_INVOICES
from ..engine.autofill import local_day
from ..errors import LocalAPIError, bad_request
from ..http import Call, Route, Services, json_response
from ..ledger import payments_of
from ..resources import document_row
from ..store import loads
from ._once import check_key, done_under, once_of, previous_answer, remember, settle

__all__ = ["organization_of", "queue_new", "routes", "send_on_create", "service_of", "unprocessable"]

_MODEL = "Document"
log = logging.getLogger(__name__)


def _service(call: Call) -> DocumentsOut:
    return service_of(call.services)


def service_of(services: Services) -> DocumentsOut:
    if services.documents_out is None:  # the app builds it as it starts, before any request
        raise RuntimeError("the local API has not started: no documents out")
    return services.documents_out


def unprocessable(error: Exception) -> LocalAPIError:
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


async def organization_of(conn: AsyncConnection, organization_id: str) -> Organization:
    o, d = tables.organizations, tables.defaults
    data = (await conn.execute(sa.select(o.c.data).where(o.c.id == organization_id))).scalar_one()
    query = sa.select(d.c.data).where(d.c.organization_id == organization_id).order_by(d.c.created_at, d.c.id)
    defaults = [loads(text) for text in (await conn.execute(query)).scalars()]
    return Organization.model_validate({**loads(data), "_defaults": defaults})


async def get_pdf(call: Call) -> Response:
    """The document's PDF; for one issued as a Factur-X invoice, the Factur-X PDF (should it fail to build, the plain
    PDF, and the header ``SI-MCP-Factur-X`` says why)."""
    document, organization = await _sources(call)
    try:
        pdf, _, why = await _service(call).document_pdf(document, organization, language=call.query("l"))
    except (PdfError, UnsupportedLanguageError) as error:
        raise unprocessable(error) from None
    headers = {"Content-Disposition": f'inline; filename="{pdf.name}"'}
    if why is not None:
        headers["SI-MCP-Factur-X"] = f"not embedded: {why}"
    return Response(pdf.content, media_type="application/pdf", headers=headers)


async def get_ubl(call: Call) -> Response:
    """``GET /documents/{id}/ubl`` (embedded API extension): the document as a Peppol BIS Billing 3.0 UBL invoice or
    credit note, checked against the CEN EN 16931 rules before it is served. What the books cannot say (a missing
    VAT number, a line without a VAT category) or what the rules refuse is a 422 that names the rule and what to add;
    nothing unchecked is served."""
    document, organization = await _sources(call)
    [ubl] = await _service(call).files(document, organization, kinds=("ubl",))
    return Response(
        ubl.content, media_type=ubl.media_type, headers={"Content-Disposition": f'attachment; filename="{ubl.name}"'}
    )


async def get_factur_x(call: Call) -> Response:
    """``GET /documents/{id}/factur-x`` (embedded API extension): the document's PDF/A-3 with its CII XML embedded
    (Factur-X / ZUGFeRD, EN 16931 profile), the XML checked against the CEN rules and the profile's XSD first; the PDF
    shows the invoice as issued, as the XML does."""
    document, organization = await _sources(call)
    try:
        [pdf] = await _service(call).files(document, organization, kinds=("factur-x",), language=call.query("l"))
    except (PdfError, UnsupportedLanguageError) as error:
        raise unprocessable(error) from None
    return Response(
        pdf.content, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{pdf.name}"'}
    )


async def _sources(call: Call) -> tuple[Document, Organization]:
    """The route's document, with its payments (an e-invoice states what was paid at issue), and its organization."""
    async with call.db.read() as conn:
        row = await load_owned(conn, tables.documents, call.params["id"], call.account_id, _MODEL)
        return await _document_of(conn, row), await organization_of(conn, row.organization_id)


async def _document_of(conn: AsyncConnection, row: Any) -> Document:
    data = loads(row.data)
    data["payments"] = (await conn.run_sync(payments_of, [data["id"]]))[data["id"]]
    return Document.model_validate(data)


async def _client_wants_ubl(conn: AsyncConnection, document: Document) -> bool:
    """The document's client's ``attachUbl`` (False when it has none, or the client was deleted)."""
    if not document.client_id:
        return False
    c = tables.clients
    query = sa.select(c.c.data).where(
        c.c.id == document.client_id, c.c.organization_id == document.organization_id, c.c.is_deleted.is_(False)
    )
    found = (await conn.execute(query)).scalar()
    return bool(found is not None and loads(found).get("attachUbl"))


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
    attach_ubl: bool = False,
) -> tuple[OutgoingEmail, str, tuple[str, ...]]:
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
            attach_ubl=attach_ubl,
        )
    except (MailError, PdfError, UnsupportedLanguageError) as error:
        raise unprocessable(error) from None


async def _queue(
    service: DocumentsOut,
    conn: AsyncConnection,
    document: dict[str, Any],
    email: OutgoingEmail,
    language: str,
    resend: bool,
    *,
    reminder: bool = False,
    attachments: tuple[str, ...] = ("pdf",),
    scheduled: bool = False,
) -> Queued:
    try:
        return await service.queue(
            conn,
            document,
            email,
            language=language,
            resend=resend,
            reminder=reminder,
            attachments=attachments,
            scheduled=scheduled,
        )
    except AlreadySentError as error:
        raise unprocessable(error) from None


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
        attachments=list(queued.attachments),
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
        document = await _document_of(conn, row)
        organization = await organization_of(conn, row.organization_id)
        answered = await conn.run_sync(previous_answer, row.organization_id, once)
        ubl = body.attach_ubl if body.attach_ubl is not None else await _client_wants_ubl(conn, document)
    if answered is not None:
        return json_response(answered)
    email, stored_language, attachments = await _prepare(
        _service(call), document, organization, body, language, attach_ubl=ubl
    )
    async with call.db.write() as conn:
        row = await load_owned(conn, tables.documents, call.params["id"], call.account_id, _MODEL, "write")
        # Another process may have sent it meanwhile.
        answered = await conn.run_sync(previous_answer, row.organization_id, once)
        if answered is not None:
            return json_response(answered)
        current = loads(row.data)
        _check_sendable(bool(current.get("draft")), bool(current.get("canceled")))  # it may have changed meanwhile
        queued = await _queue(
            _service(call), conn, current, email, stored_language, body.resend, attachments=attachments
        )
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
        organization = await organization_of(conn, row.organization_id)
        answered = await conn.run_sync(previous_answer, row.organization_id, once)
    if answered is not None:
        return json_response(answered)
    today = organization_today(organization.timezone, call.services.clock())
    _check_remindable(read, organization, today)
    service = _service(call)
    email, stored_language, _ = await _prepare(
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
    scheduled: bool = False,
) -> Queued:
    """Queue the first email of a document just written in the caller's transaction (a 422 when it cannot go);
    ``render=False`` leaves the PDF to the delivery, outside the transaction; ``scheduled``: a recurring copy."""
    service = service_of(services)
    options = options or SendOptions()
    model = Document.model_validate(document)
    organization = await organization_of(conn, document["organizationId"])
    ubl = options.attach_ubl if options.attach_ubl is not None else await _client_wants_ubl(conn, model)
    email, language, attachments = await _prepare(
        service, model, organization, options, None, render=render, attach_ubl=ubl
    )
    return await _queue(
        service, conn, document, email, language, resend=False, attachments=attachments, scheduled=scheduled
    )


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
        Route("POST", "/documents/{id}/peppol", send_peppol),
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


async def send_peppol(call: Call) -> Response:
    """``POST /documents/{id}/peppol`` (embedded API extension): hand the document's checked Peppol UBL to the
    configured access point (``SI_MCP_PEPPOL_FOLDER``), once: a second time needs ``"resend": true``, and a request
    repeated under its ``Idempotency-Key`` gets the first answer. The UBL is built and checked first; the hand-over
    (the shipped access point writes one file) and its record are one write transaction, so two requests at once hand
    it over once and a failure records nothing. An access point reached over a network would go through the outbox."""
    from si_mcp.einvoice import EInvoiceError, participants
    from si_mcp.local.peppol import AccessPointError, Transmission, access_point_for

    body = await call.body(PeppolRequest, _MODEL)
    once = once_of(call, "peppol", body.model_dump(mode="json", exclude_unset=True))
    async with call.db.read() as conn:
        row = await load_owned(conn, tables.documents, call.params["id"], call.account_id, _MODEL, "write")
        answered = await conn.run_sync(previous_answer, row.organization_id, once)
        document = await _document_of(conn, row)
        organization = await organization_of(conn, row.organization_id)
    if answered is not None:
        return json_response(answered)
    access_point = access_point_for(call.services.settings)
    if access_point is None:
        raise LocalAPIError(
            422,
            "No Peppol access point is configured (SI_MCP_PEPPOL_FOLDER); get the UBL at GET /documents/{id}/ubl "
            "and hand it to yours.",
            code="PEPPOL_NOT_CONFIGURED",
            name="ValidationError",
        )
    _check_peppol_sendable(document, body.resend)
    [ubl] = await _service(call).files(document, organization, kinds=("ubl",))
    try:
        sender, receiver = participants(ubl.content)
    except EInvoiceError as error:
        raise LocalAPIError(422, str(error), code="EINVOICE_INCOMPLETE", name="ValidationError") from None
    async with call.db.write() as conn:
        row = await load_owned(conn, tables.documents, call.params["id"], call.account_id, _MODEL, "write")
        answered = await conn.run_sync(previous_answer, row.organization_id, once)
        if answered is not None:  # the same request, made meanwhile
            return json_response(answered)
        current = loads(row.data)
        _check_peppol_sendable(Document.model_validate(current), body.resend)  # it may have changed meanwhile
        try:
            reference = await access_point.transmit(
                Transmission(document.id, document.number or document.id, sender, receiver, ubl.content)
            )
        except AccessPointError as error:
            raise LocalAPIError(502, f"Not handed over: {error}", code="PEPPOL_FAILED") from None
        stamp = datetime.now(UTC)
        current.update(peppolSentAt=stamp, peppolReference=reference, updatedAt=stamp)
        stored = loads(wirejson.dumps(current))
        d = tables.documents
        await conn.execute(sa.update(d).where(d.c.id == document.id).values(**document_row(stored)))
        answer = PeppolResult(success=True, sender=sender, receiver=receiver, reference=reference, sent_at=stamp)
        await conn.run_sync(remember, row.organization_id, once, answer.to_wire())
    return json_response(answer.to_wire())


def _check_peppol_sendable(document: Document, resend: bool) -> None:
    if document.type not in E_INVOICES:
        raise LocalAPIError(
            422,
            f"A {document.type} is not an e-invoice; only invoices and credit notes go over Peppol.",
            code="NOT_AN_EINVOICE",
            name="ValidationError",
        )
    _check_sendable(document.draft, document.canceled)
    if document.peppol_sent_at is not None and not resend:
        raise LocalAPIError(
            422,
            f"Document {document.number or document.id} was handed to the Peppol access point already on "
            f'{document.peppol_sent_at:%Y-%m-%d %H:%M} UTC; send it again with "resend": true.',
            code="ALREADY_SENT",
            name="ValidationError",
        )
