"""Delivery of the transactional outbox: queued emails are claimed, sent once, and marked.

The send request only *queues*: it commits an outbox row in the same transaction as the document
change. Delivery is a separate step that any number of times can run over the rows:

* ``claim`` moves due rows (``queued``, ``failed`` with attempts left and its retry time reached, or
  ``sending`` with an expired claim) to ``sending`` in one write transaction, so two runs never send
  the same row;
* the files it carries (the PDF or Factur-X PDF, the UBL: chosen when it was queued) are made (the PDF cached),
  the message rebuilt from the row (same ``Message-ID`` every time) and handed to the mailer;
* the row becomes ``sent`` (with when) or ``failed`` (with the error, and retried by a later run).

A crash between commit and delivery leaves a ``queued`` row that the next run picks up. A process
that dies while a row is ``sending`` leaves it so until its claim expires; then it is delivered again.
Nothing is lost, but that message may arrive twice: SMTP has no way to ask whether a server got a
message whose ``250 OK`` never came back, so at-least-once is the best any sender can do. Both copies
carry the same ``Message-ID`` and are byte-identical, so receivers and mail clients can drop the
duplicate.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from si_mcp.local.pdf.errors import PdfError
from si_mcp.models import Document, Organization

from ..errors import LocalAPIError
from .compose import (
    Attachment,
    MailError,
    OutgoingEmail,
    attachment_name,
    build_message,
    organization_email,
    safe_display_name,
    sender_for,
)
from .transport import DeliveryError, Mailer

__all__ = [
    "FAILED",
    "MAX_ATTEMPTS",
    "QUEUED",
    "SAVED",
    "SENDING",
    "SENT",
    "SUPERSEDED",
    "DeliveryReport",
    "OutboxItem",
    "FileSource",
    "OutboxStore",
    "deliver_claimed",
    "run_outbox",
]

logger = logging.getLogger(__name__)

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
SUPERSEDED = "superseded"
"""A queued or failed row replaced by a later send of the same document: never delivered."""
SAVED = "saved"
"""Reported (not stored) when the mailer only kept the message, e.g. as an .eml file: the row is done, unread."""
MAX_ATTEMPTS = 5
"""A row that failed this many times stays ``failed`` until someone sends the document again."""


@dataclass(frozen=True)
class OutboxItem:
    """A claimed row: who gets what, fixed when it was queued."""

    id: str
    organization_id: str
    document_id: str
    message_id: str
    recipients: tuple[str, ...]
    copy_to: tuple[str, ...]
    subject: str
    body: str
    language: str | None
    created_at: datetime
    attempts: int
    kind: str = "document"
    """"document", or "reminder": a payment reminder, sent only while the document still has something due."""
    attachments: tuple[str, ...] = ("pdf",)
    """What it carries: "pdf" or "factur-x" (the PDF with its CII XML), and "ubl" (the Peppol UBL)."""

    def outgoing(self, document: Document, organization: Organization, mailer: Mailer) -> OutgoingEmail:
        """The email to send now; ``From`` and ``Reply-To`` follow the current configuration."""
        sender = sender_for(organization, mailer.sender, required=mailer.requires_sender)
        return OutgoingEmail(
            message_id=self.message_id,
            sender=sender,
            sender_name=safe_display_name(organization.name),
            reply_to=organization_email(organization),
            recipients=self.recipients,
            copy_to=self.copy_to,
            subject=self.subject,
            body=self.body,
            attachment_name=attachment_name(document.number or document.id),
            created_at=self.created_at,
        )


@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery did: ``status`` is ``sent``, ``saved``, ``failed`` or ``superseded`` (a reminder for what is
    no longer due); ``detail`` says where or why."""

    id: str
    status: str
    detail: str
    attempts: int


class OutboxStore(Protocol):
    """Storage of outbox rows (the local API implements it over its ``outbox`` table)."""

    async def claim(self, *, ids: Sequence[str] | None, now: datetime | None, limit: int) -> list[OutboxItem]:
        """Atomically mark ``ids`` (if still deliverable) and rows due by ``now`` as ``sending``, counting
        the attempt, and return them. ``now=None`` claims only ``ids``."""
        ...

    async def load(self, item: OutboxItem) -> tuple[Document, Organization]:
        """The document (as its API shows it) and its organization."""
        ...

    async def finish(self, item: OutboxItem, *, sent: bool, detail: str, reached: bool = True) -> None:
        """Record the outcome: ``sent`` with its time, or ``failed`` with ``detail`` as the error; ``reached`` says
        whether it went to the recipients (a reminder is counted on its document only then)."""
        ...

    async def retire(self, item: OutboxItem, reason: str) -> None:
        """Never deliver the row (it is ``superseded``): e.g. a reminder for what has been paid meanwhile."""
        ...


class FileSource(Protocol):
    async def files(
        self, document: Document, organization: Organization, *, kinds: Sequence[str], language: str | None = None
    ) -> list[Attachment]:
        """The files of ``kinds`` for the document; PdfError or LocalAPIError (an e-invoice the rules refuse)."""
        ...


async def deliver_claimed(item: OutboxItem, *, store: OutboxStore, files: FileSource, mailer: Mailer) -> DeliveryReport:
    """Render, build and hand over one claimed row; the outcome is recorded on the row."""
    try:
        document, organization = await store.load(item)
        if item.kind == "reminder" and (document.canceled or document.total_due <= 0):
            reason = "not sent: nothing is due any more"
            await store.retire(item, reason)
            return DeliveryReport(item.id, SUPERSEDED, reason, item.attempts)
        email = item.outgoing(document, organization, mailer)
        attached = await files.files(document, organization, kinds=item.attachments, language=item.language)
        detail = await mailer.deliver(
            build_message(email, attached), sender=email.sender, recipients=email.envelope_recipients
        )
    except (DeliveryError, PdfError, MailError, LookupError, LocalAPIError) as exc:
        detail = str(exc) or type(exc).__name__
        logger.warning("outbox %s: delivery attempt %d failed: %s", item.id, item.attempts, detail)
        await store.finish(item, sent=False, detail=detail)
        return DeliveryReport(item.id, FAILED, detail, item.attempts)
    await store.finish(item, sent=True, detail=detail, reached=mailer.reaches_recipients)
    return DeliveryReport(item.id, SENT if mailer.reaches_recipients else SAVED, detail, item.attempts)


async def run_outbox(
    store: OutboxStore,
    *,
    files: FileSource,
    mailer: Mailer,
    ids: Sequence[str] | None = None,
    now: datetime | None = None,
    limit: int = 10,
) -> list[DeliveryReport]:
    """One delivery run over the given ``ids`` and the rows due by ``now``; what happened to each.

    The claimed rows are delivered concurrently, so a run takes about as long as its slowest message
    (at most the mailer's timeout) however many it carries.
    """
    import anyio

    items = await store.claim(ids=ids, now=now, limit=limit)
    reports: dict[str, DeliveryReport] = {}

    async def one(item: OutboxItem) -> None:
        reports[item.id] = await deliver_claimed(item, store=store, files=files, mailer=mailer)

    async with anyio.create_task_group() as group:
        for item in items:
            group.start_soon(one, item)
    return [reports[item.id] for item in items]
