"""Documents out for one local API app: its PDF renderer, its mailer and its outbox, built once.

The routes use :class:`DocumentsOut` to render (``GET /documents/{id}/pdf``), to queue an email in the
same transaction as the document (``POST /documents/{id}/send`` and ``"send"`` on create) and to deliver
it right after the commit. :meth:`DocumentsOut.run_forever` retries what failed, on a timer, when the
app is served with a lifespan (``si-mcp api``); without one, every later send also retries the rows
that are due.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncConnection

from si_mcp.local.pdf import PdfRenderer, resolve_language
from si_mcp.models import Document, Organization

from .compose import OutgoingEmail, compose_email
from .outbox import DeliveryReport, run_outbox
from .store import SqlOutboxStore, active_send, queue_email
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


class DocumentsOut:
    """Renderer, mailer and outbox store of one app (no globals: tests build as many as they like)."""

    def __init__(self, db: Database, settings: Settings | None, data_dir: Path | None) -> None:
        from si_mcp.settings import default_data_dir

        folder = data_dir or (settings.data_dir if settings else default_data_dir())
        self.renderer = PdfRenderer(
            template=settings.pdf_template if settings else None,
            font_dirs=settings.font_dirs if settings else (),
            cache_dir=folder / "pdf-cache",
        )
        self.mailer: Mailer = mailer_for(settings, folder)
        self.store = SqlOutboxStore(db)

    async def render(self, document: Document, organization: Organization, *, language: str | None) -> bytes:
        return await self.renderer.render(document, organization, language=language)

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
    ) -> tuple[OutgoingEmail, str]:
        """Validate a send before anything is stored: the email (MailError) and the PDF (PdfError).

        Returns the email and the language to store with it ("" = the organization's locale).
        """
        chosen = resolve_language(language, organization.locale)
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
        )
        if render:
            await self.render(document, organization, language=language)
        return email, language or ""

    async def queue(
        self, conn: AsyncConnection, document: dict[str, Any], email: OutgoingEmail, *, language: str, resend: bool
    ) -> Queued:
        """In the caller's write transaction: refuse a second send without ``resend``, else queue it."""
        previous = await active_send(conn, document["id"])
        if previous is not None and not resend:
            raise AlreadySentError(
                f"Document {document.get('number') or document['id']} was already {_state(previous.status)} "
                f"to {', '.join(previous.recipients)} on {previous.when:%Y-%m-%d %H:%M} UTC; "
                'send it again with "resend": true.'
            )
        stamp = datetime.now(UTC)
        row_id = await queue_email(conn, document, email, language=language, stamp=stamp)
        return Queued(row_id, email.message_id, email.recipients)

    async def deliver(self, ids: Sequence[str] = (), *, now: datetime | None = None) -> list[DeliveryReport]:
        """Deliver ``ids`` now, and every other row that is due by ``now``."""
        return await run_outbox(self.store, pdfs=self.renderer, mailer=self.mailer, ids=ids, now=now)

    async def after_commit(self, queued: Queued) -> DeliveryReport | None:
        """Deliver a freshly queued row, together with older rows that are due for a retry."""
        reports = await self.deliver([queued.id], now=datetime.now(UTC))
        return next((r for r in reports if r.id == queued.id), None)

    async def recover(self) -> int:
        count = await self.store.recover()
        if count:
            logger.warning("outbox: %d email(s) were interrupted while sending and are queued again", count)
        return count

    async def run_forever(self, interval: float = RETRY_INTERVAL_SECONDS) -> None:
        """Retry due rows every ``interval`` seconds until cancelled."""
        import anyio

        while True:
            try:
                await self.deliver(now=datetime.now(UTC))
            except Exception:
                # A broken run must not end the loop: the next tick tries again.
                logger.exception("outbox delivery run failed")
            await anyio.sleep(interval)


def _state(status: str) -> str:
    return "sent" if status == "sent" else "queued for sending"
