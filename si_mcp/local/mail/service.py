"""Documents out for one local API app: its PDF renderer, its mailer and its outbox, built once.

The routes use :class:`DocumentsOut` to render (``GET /documents/{id}/pdf``), to queue an email in the
same transaction as the document (``POST /documents/{id}/send`` and ``"send"`` on create) and to deliver
it right after the commit.

What failed is retried when it falls due (``next_attempt_at``). Served with a lifespan (``si-mcp api``),
:meth:`DocumentsOut.run_forever` does it in the lifespan's task group. Without one — the app inside the
MCP server, behind ``httpx.ASGITransport``, never gets lifespan events — a failed send starts one timer
task that sleeps until the next row is due, delivers, and ends when nothing is left to retry;
:meth:`DocumentsOut.aclose` (called by ``LocalAPI.aclose``) cancels it, so no task outlives the app.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from si_mcp.local.pdf import PdfRenderer, resolve_language
from si_mcp.models import Document, Organization

from .. import tables
from ..background import Background
from ..einvoicing import EInvoices, as_issued, pdf_kind
from ..errors import LocalAPIError
from .compose import Attachment, OutgoingEmail, attachment_name, compose_email
from .outbox import FAILED, DeliveryReport, run_outbox
from .store import REMINDER, SqlOutboxStore, active_send, emails_since, queue_email, supersede_pending
from .transport import Mailer, mailer_for

if TYPE_CHECKING:
    from si_mcp.settings import Settings

    from ..db import Database

__all__ = ["AlreadySentError", "DocumentsOut", "Queued"]

logger = logging.getLogger(__name__)

RETRY_INTERVAL_SECONDS = 60.0


class AlreadySentError(Exception):
    """The document was already sent (or is queued) and the request did not say ``resend``."""


@dataclass(frozen=True)
class Queued:
    """An email committed to the outbox."""

    id: str
    message_id: str
    recipients: tuple[str, ...]
    attachments: tuple[str, ...]


class DocumentsOut(Background):
    """Renderer, mailer and outbox store of one app (no globals: tests build as many as they like)."""

    def __init__(
        self,
        db: Database,
        settings: Settings | None,
        data_dir: Path | None,
        einvoices: EInvoices,
        clock: Callable[[], datetime],
    ) -> None:
        from si_mcp.settings import default_data_dir

        folder = data_dir or (settings.data_dir if settings else default_data_dir())
        self.renderer = PdfRenderer(
            template=settings.pdf_template if settings else None,
            font_dirs=settings.font_dirs if settings else (),
            cache_dir=folder / "pdf-cache",
        )
        self.mailer: Mailer = mailer_for(settings, folder)
        self.store = SqlOutboxStore(db)
        self.db = db
        self.einvoices = einvoices
        self.clock = clock
        # Emails an organization may send per minute and per day (0: no limit).
        self.limits = (
            (
                timedelta(minutes=1),
                settings.emails_per_minute if settings else 20,
                "minute",
                "SI_MCP_EMAILS_PER_MINUTE",
            ),
            (timedelta(days=1), settings.emails_per_day if settings else 500, "day", "SI_MCP_EMAILS_PER_DAY"),
        )
        super().__init__()
        self._pause = RETRY_INTERVAL_SECONDS  # after a broken delivery run

    async def render(self, document: Document, organization: Organization, *, language: str | None) -> bytes:
        return await self.renderer.render(
            document, organization, language=language, logo=await self.logo(organization.id)
        )

    async def logo(self, organization_id: str) -> bytes | None:
        """The organization's uploaded logo (``organization_images``), if it has one."""
        images = tables.organization_images
        query = sa.select(images.c.content).where(images.c.organization_id == organization_id, images.c.type == "logo")
        async with self.db.read() as conn:
            found = (await conn.execute(query)).scalar()
        return None if found is None else bytes(found)

    async def document_pdf(
        self, document: Document, organization: Organization, *, language: str | None
    ) -> tuple[Attachment, str, str | None]:
        """(the PDF the document is sent and served as, its kind, why it is not the Factur-X one it should be): the
        Factur-X PDF for a document issued as one, should that fail to build (the rules cannot run, the books
        changed since) the plain PDF and the error code, else the plain PDF. A bug of ours (a 500) is raised."""
        why: str | None = None
        if pdf_kind(document) == "factur-x":
            try:
                [made] = await self.files(document, organization, kinds=("factur-x",), language=language)
                return made, "factur-x", None
            except LocalAPIError as error:
                if error.status == 500:
                    raise
                logger.info("document %s goes out as a plain PDF: no Factur-X (%s)", document.id, error.code)
                why = error.code or str(error.status)
        [made] = await self.files(document, organization, kinds=("pdf",), language=language)
        return made, "pdf", why

    async def files(
        self, document: Document, organization: Organization, *, kinds: Sequence[str], language: str | None = None
    ) -> list[Attachment]:
        """The files of ``kinds``: ``pdf``, ``factur-x`` (the PDF of the document as issued, with its checked CII
        XML embedded) and ``ubl`` (its checked Peppol UBL). A refused e-invoice is a LocalAPIError (422)."""
        import anyio.to_thread

        name = attachment_name(document.number or document.id)
        made: list[Attachment] = []
        for kind in kinds:
            if kind == "pdf":
                made.append(
                    Attachment(name, "application/pdf", await self.render(document, organization, language=language))
                )
            elif kind == "factur-x":
                xml = await anyio.to_thread.run_sync(self.einvoices.cii, organization, document)
                pdf = await self.render(as_issued(document), organization, language=language)
                combined = await anyio.to_thread.run_sync(self.einvoices.factur_x, pdf, xml)
                made.append(Attachment(name, "application/pdf", combined))
            elif kind == "ubl":
                xml = await anyio.to_thread.run_sync(self.einvoices.ubl, organization, document)
                made.append(Attachment(name.removesuffix(".pdf") + ".xml", "application/xml", xml))
            else:
                raise ValueError(f"unknown attachment kind {kind!r}")
        return made

    async def prepare(
        self,
        document: Document,
        organization: Organization,
        *,
        language: str | None,
        recipients: str | None,
        subject: str | None,
        message: str | None,
        send_copy: bool = False,
        render: bool = True,
        reminder: bool = False,
        attach_ubl: bool = False,
    ) -> tuple[OutgoingEmail, str, tuple[str, ...]]:
        """Validate a send before anything is stored: the email (MailError), the PDF (PdfError) and the e-invoices
        it carries (LocalAPIError).

        Returns the email, the language to store with it ("" = the document's own) and what it carries: the PDF,
        or the Factur-X PDF for a document issued as one (the plain PDF should that fail), and the UBL if asked. A
        reminder carries the plain PDF only: an e-invoice in it would be booked a second time by the client's software.
        """
        chosen = resolve_language(language, document.locale or organization.locale)
        email = compose_email(
            document,
            organization,
            recipients=recipients,
            subject=subject,
            message=message,
            language=chosen.code,
            send_copy=send_copy,
            sender=self.mailer.sender,
            sender_required=self.mailer.requires_sender,
            reminder_locale=chosen.locale if reminder else None,
            now=self.clock(),
        )
        pdf = "pdf" if reminder else pdf_kind(document)
        ubl = ("ubl",) if attach_ubl and not reminder else ()
        if render and reminder:
            await self.render(document, organization, language=language)
        elif render:
            _, pdf, _ = await self.document_pdf(document, organization, language=language)
        if ubl:  # checked also when the PDF is left to the delivery: a recurring send must not fail there forever
            await self._check_ubl(document, organization)
        return email, language or "", (pdf, *ubl)

    async def _check_ubl(self, document: Document, organization: Organization) -> None:
        import anyio.to_thread

        try:
            await anyio.to_thread.run_sync(self.einvoices.ubl, organization, document)
        except LocalAPIError as error:
            if error.status == 422:
                error.message += " Or send it without the UBL."
                error.args = (error.message,)
            raise

    async def queue(
        self,
        conn: AsyncConnection,
        document: dict[str, Any],
        email: OutgoingEmail,
        *,
        language: str,
        resend: bool,
        reminder: bool = False,
        attachments: tuple[str, ...] = ("pdf",),
        scheduled: bool = False,
    ) -> Queued:
        """In the caller's write transaction: refuse a second send without ``resend``, and any past the
        organization's limits (a 429), else queue it (a reminder is queued as often as asked). ``scheduled``: a
        recurring copy, bound by the daily limit only (invoices due on the 1st go out together)."""
        await self._check_limits(conn, document["organizationId"], scheduled=scheduled)
        if reminder:
            stamp = datetime.now(UTC)
            # One reminder waiting at a time: a new one replaces those still queued or failed (the client would
            # otherwise get them all at once when the mail server answers again).
            if not await supersede_pending(conn, document["id"], stamp, kind=REMINDER):
                raise AlreadySentError(
                    f"A reminder for {document.get('number') or document['id']} is being handed to the mail server "
                    "right now; look at the document again in a few minutes."
                )
            row_id = await queue_email(conn, document, email, language=language, stamp=stamp, kind=REMINDER)
            return Queued(row_id, email.message_id, email.recipients, ("pdf",))
        previous = await active_send(conn, document["id"])
        if previous is not None and not resend:
            raise AlreadySentError(
                f"Document {document.get('number') or document['id']} was already {self._state(previous.status)} "
                f"to {', '.join(previous.recipients)} on {previous.when:%Y-%m-%d %H:%M} UTC; "
                'send it again with "resend": true.'
            )
        stamp = datetime.now(UTC)
        # One email per intended send: a resend retires the document's queued and failed messages.
        if previous is not None and not await supersede_pending(conn, document["id"], stamp):
            raise AlreadySentError(
                f"Document {document.get('number') or document['id']} is being handed to the mail server right "
                "now; look at it again in a few minutes before sending it again."
            )
        row_id = await queue_email(conn, document, email, language=language, stamp=stamp, attachments=attachments)
        return Queued(row_id, email.message_id, email.recipients, attachments)

    async def _check_limits(self, conn: AsyncConnection, organization_id: str, *, scheduled: bool = False) -> None:
        """A 429 saying when to try again once the organization sent as many emails as a minute or a day allows
        (counted in the writing transaction, so processes sharing the books share the count); nothing is queued."""
        now = self.clock()
        for window, limit, per, setting in self.limits:
            if limit <= 0 or (scheduled and per == "minute"):
                continue
            count, oldest = await emails_since(conn, organization_id, now - window)
            if count < limit:
                continue
            wait = max(1, math.ceil(((oldest or now) + window - now).total_seconds()))
            raise LocalAPIError(
                429,
                f"This organization sent {count} emails in the last {per}, as many as it may ({setting}); nothing "
                f"was sent or queued. Try again in {wait} s.",
                code="TOO_MANY_EMAILS",
                headers={"Retry-After": str(wait)},
            )

    def _state(self, status: str) -> str:
        if status != "sent":
            return "queued for sending"
        return "sent" if self.mailer.reaches_recipients else "saved as an .eml file (no SMTP server configured)"

    async def deliver(self, ids: Sequence[str] = (), *, now: datetime | None = None) -> list[DeliveryReport]:
        """Deliver ``ids`` now, and every other row that is due by ``now``."""
        return await run_outbox(self.store, files=self, mailer=self.mailer, ids=ids, now=now)

    async def after_commit(self, queued: Queued) -> DeliveryReport | None:
        """Deliver a freshly queued row, together with older rows that are due for a retry."""
        reports = await self.deliver([queued.id], now=datetime.now(UTC))
        report = next((r for r in reports if r.id == queued.id), None)
        if report is None or report.status == FAILED:
            self._schedule_retries()
        return report

    async def recover(self) -> int:
        """At start: re-queue rows a dead process left half-sent, and retry whatever is still due."""
        count = await self.store.recover()
        if count:
            logger.warning("outbox: %d email(s) were interrupted while sending and are queued again", count)
        self._schedule_retries()
        return count

    async def run_forever(self, interval: float = RETRY_INTERVAL_SECONDS) -> None:
        """Deliver rows as they fall due until cancelled (the lifespan's background task)."""
        self._pause = interval
        await super().run_forever()

    def _schedule_retries(self) -> None:
        """Make sure something delivers the rows that fall due: wake the running loop, or start the timer."""
        self.wake()

    async def _loop(self, *, until_idle: bool) -> None:
        await self._retry_loop(until_idle=until_idle, pause_after_error=self._pause)

    async def _retry_loop(self, *, until_idle: bool, pause_after_error: float) -> None:
        import anyio

        while True:
            self._wake = wake = anyio.Event()  # before reading the due time, so no wake-up is missed
            due = await self.store.next_due()
            if due is None and until_idle:
                self._wake = None
                return
            delay = math.inf if due is None else max(0.0, (due - datetime.now(UTC)).total_seconds())
            with anyio.move_on_after(delay):
                await wake.wait()
            if wake.is_set():
                continue
            try:
                await self.deliver(now=datetime.now(UTC))
            except Exception:
                # A broken run must not end the loop (nor spin): pause, then look again.
                logger.exception("outbox delivery run failed")
                await anyio.sleep(pause_after_error)
