"""The local API's outbox table: queue an email inside the document's write transaction, then claim,
finish and recover rows for :mod:`si_mcp.local.mail.outbox`.

Row layout (``tables.outbox``): ``recipients`` (the ``To`` addresses) and ``copy_to`` (the envelope-only
copy to the sender, ``sendCopy``) are comma-separated lists of validated addresses; ``language`` is the
language of the attached PDF ("" = the document's); ``subject`` and ``message`` are the final texts;
``message_id`` is fixed when the row is queued and ``created_at`` is the message's ``Date``, so every
attempt sends the same message.

``next_attempt_at`` says when a row may be claimed: a queued row at once; a failed one by the retry
schedule — attempt *n* (n ≥ 2) is due ``4**(n-2)`` minutes after the row was queued (1, 4, 16, 64 min),
and after :data:`MAX_ATTEMPTS` the row stays ``failed``; a ``sending`` row when its claim expires
(:data:`CLAIM_LEASE`, well beyond the SMTP timeout), which is how a row left by a process that died
mid-send is taken up again, without taking over a row another live process is still sending.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from si_mcp.models import Document, Organization, wirejson

from .. import tables
from ..acting import EVERY_ACCOUNT, acting_for
from ..ids import object_id
from ..ledger import payments_of
from ..resources import document_row
from ..store import loads, to_naive
from .compose import OutgoingEmail
from .outbox import FAILED, MAX_ATTEMPTS, QUEUED, SENDING, SENT, SUPERSEDED, OutboxItem

if TYPE_CHECKING:
    from ..db import Database

__all__ = [
    "BACKOFF_BASE",
    "CLAIM_LEASE",
    "DOCUMENT",
    "REMINDER",
    "PreviousSend",
    "SqlOutboxStore",
    "active_send",
    "queue_email",
    "retry_due_at",
    "supersede_pending",
]

DOCUMENT = "document"
"""An outbox row that sends the document itself (once, unless resent)."""
REMINDER = "reminder"
"""An outbox row that reminds the client of what is still due (as often as the user asks)."""
BACKOFF_BASE = timedelta(minutes=1)
CLAIM_LEASE = timedelta(minutes=10)
_ERROR_LIMIT = 2000


def retry_due_at(created_at: datetime, attempts: int) -> datetime:
    """When a row that was tried ``attempts`` times may be tried again."""
    if attempts == 0:
        return created_at
    return created_at + BACKOFF_BASE * (1 << 2 * (attempts - 1))  # 1, 4, 16, 64 × the base


def _still_going() -> sa.ColumnElement[bool]:
    """Rows that were sent or may still be: they make a second send a *re*send."""
    o = tables.outbox
    return sa.or_(
        o.c.status.in_((QUEUED, SENDING, SENT)),
        sa.and_(o.c.status == FAILED, o.c.attempts < MAX_ATTEMPTS),
    )


@dataclass(frozen=True)
class PreviousSend:
    status: str
    recipients: tuple[str, ...]
    when: datetime


async def active_send(conn: AsyncConnection, document_id: str) -> PreviousSend | None:
    """The latest email of a document that was sent or will still be tried, if any."""
    o = tables.outbox
    query = (
        sa.select(o.c.status, o.c.recipients, o.c.created_at, o.c.sent_at)
        .where(o.c.document_id == document_id, o.c.kind == DOCUMENT, _still_going())
        .order_by(o.c.created_at.desc())
        .limit(1)
    )
    row = (await conn.execute(query)).first()
    if row is None:
        return None
    return PreviousSend(str(row.status), _addresses(row.recipients), _aware(row.sent_at or row.created_at))


async def supersede_pending(conn: AsyncConnection, document_id: str, now: datetime, kind: str = DOCUMENT) -> bool:
    """Retire the document's queued and failed emails of ``kind`` (a resend, or a new reminder, replaces them), in
    the caller's transaction.

    Returns False, changing nothing that matters, when one of them is being handed to the mail server by a live
    process right now: that one cannot be taken back, so the caller must not queue another.
    """
    o = tables.outbox
    clock = to_naive(now)
    expired = sa.and_(o.c.status == SENDING, o.c.next_attempt_at <= clock)
    await conn.execute(
        sa.update(o)
        .where(o.c.document_id == document_id, o.c.kind == kind, sa.or_(o.c.status.in_((QUEUED, FAILED)), expired))
        .values(status=SUPERSEDED, last_error=f"superseded by a later {'reminder' if kind == REMINDER else 'send'}")
    )
    live = sa.select(o.c.id).where(o.c.document_id == document_id, o.c.kind == kind, o.c.status == SENDING).limit(1)
    return (await conn.execute(live)).first() is None


async def emails_since(conn: AsyncConnection, organization_id: str, since: datetime) -> tuple[int, datetime | None]:
    """(how many emails the organization queued since ``since``, the oldest of them): every row counts but those
    superseded before they went (a resend replacing a failed send is one email)."""
    o = tables.outbox
    query = sa.select(sa.func.count(), sa.func.min(o.c.created_at)).where(
        o.c.organization_id == organization_id, o.c.created_at >= to_naive(since), o.c.status != SUPERSEDED
    )
    count, oldest = (await conn.execute(query)).one()
    return int(count), None if oldest is None else _aware(oldest)


async def queue_email(
    conn: AsyncConnection,
    document: dict[str, Any],
    email: OutgoingEmail,
    *,
    language: str,
    stamp: datetime,
    kind: str = DOCUMENT,
    attachments: Sequence[str] = ("pdf",),
) -> str:
    """Insert the outbox row and record it on the document (``sentAt``/``sentTo``; for a reminder ``reminders``
    and ``remindedAt``), in the caller's transaction."""
    row_id = object_id()
    await conn.execute(
        tables.outbox.insert().values(
            id=row_id,
            organization_id=document["organizationId"],
            document_id=document["id"],
            status=QUEUED,
            attempts=0,
            last_error=None,
            message_id=email.message_id,
            recipients=", ".join(email.recipients),
            copy_to=", ".join(email.copy_to),
            language=language,
            subject=email.subject,
            message=email.body,
            created_at=to_naive(email.created_at),
            sent_at=None,
            next_attempt_at=to_naive(email.created_at),
            kind=kind,
            attachments=" ".join(attachments),
        )
    )
    if kind == REMINDER:
        return row_id  # counted on the document when it reaches the client (_count_reminder)
    document.update(sentAt=stamp, sentTo=", ".join(email.recipients), updatedAt=stamp)
    await _store_document(conn, document)
    return row_id


async def _store_document(conn: AsyncConnection, document: dict[str, Any]) -> None:
    stored = loads(wirejson.dumps(document))
    d = tables.documents
    await conn.execute(sa.update(d).where(d.c.id == document["id"]).values(**document_row(stored)))
    document.clear()
    document.update(stored)


async def _count_reminder(conn: AsyncConnection, document_id: str, stamp: datetime) -> None:
    """A reminder reached the client: the document counts it (``reminders``, ``remindedAt``)."""
    d = tables.documents
    data = (await conn.execute(sa.select(d.c.data).where(d.c.id == document_id))).scalar()
    if data is None:
        return
    document = loads(data)
    document.update(reminders=int(document.get("reminders") or 0) + 1, remindedAt=stamp, updatedAt=stamp)
    await _store_document(conn, document)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _addresses(text: str) -> tuple[str, ...]:
    # Validated addresses never contain a comma (email-validator refuses quoted local parts).
    return tuple(address for address in (part.strip() for part in text.split(",")) if address)


def _item(row: sa.Row[Any]) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        organization_id=row.organization_id,
        document_id=row.document_id,
        message_id=row.message_id or f"<{row.id}@si-mcp.invalid>",
        recipients=_addresses(row.recipients),
        copy_to=_addresses(row.copy_to),
        subject=row.subject,
        body=row.message,
        language=row.language or None,
        created_at=_aware(row.created_at),
        attempts=row.attempts + 1,
        kind=row.kind,
        attachments=tuple((row.attachments or "pdf").split()),
    )


@asynccontextmanager
async def _everyone() -> AsyncIterator[None]:
    """The outbox is every organization's: its transactions act for every account (see ``si_mcp.local.acting``)."""
    with acting_for(EVERY_ACCOUNT):
        yield


class SqlOutboxStore:
    """:class:`~si_mcp.local.mail.outbox.OutboxStore` over the ``outbox`` table of a :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(self, *, ids: Sequence[str] | None, now: datetime | None, limit: int) -> list[OutboxItem]:
        o = tables.outbox
        real_now = to_naive(datetime.now(UTC))
        deliverable = _deliverable(real_now)  # claims expire by the real clock, whatever ``now`` says
        wanted = list(ids or [])
        # Rows another process is claiming right now are skipped, not waited for: each message goes to one sender.
        async with _everyone(), self.db.write(serialized=False) as conn:
            rows: list[sa.Row[Any]] = []
            if wanted:
                query = sa.select(o).where(deliverable, o.c.id.in_(wanted)).with_for_update(skip_locked=True)
                rows += (await conn.execute(query)).all()
            if now is not None and len(rows) < limit:
                query = (
                    sa.select(o)
                    .where(deliverable, o.c.next_attempt_at <= to_naive(now), o.c.id.not_in(wanted))
                    .order_by(o.c.next_attempt_at)
                    .limit(limit - len(rows))
                    .with_for_update(skip_locked=True)
                )
                rows += (await conn.execute(query)).all()
            lease_end = real_now + CLAIM_LEASE
            for row in rows:
                await conn.execute(
                    sa.update(o)
                    .where(o.c.id == row.id)
                    .values(status=SENDING, attempts=o.c.attempts + 1, next_attempt_at=lease_end)
                )
        return [_item(row) for row in rows]

    async def load(self, item: OutboxItem) -> tuple[Document, Organization]:
        d, org, defaults = tables.documents, tables.organizations, tables.defaults
        async with _everyone(), self.db.read() as conn:
            document = (await conn.execute(sa.select(d.c.data).where(d.c.id == item.document_id))).scalar()
            organization = (await conn.execute(sa.select(org.c.data).where(org.c.id == item.organization_id))).scalar()
            query = sa.select(defaults.c.data).where(defaults.c.organization_id == item.organization_id)
            settings = [loads(text) for text in (await conn.execute(query)).scalars()]
            # With its payments: an e-invoice states what was paid at issue.
            payments = (await conn.run_sync(payments_of, [item.document_id]))[item.document_id]
        if document is None or organization is None:
            raise LookupError(f"document {item.document_id} no longer exists")
        return Document.model_validate({**loads(document), "payments": payments}), Organization.model_validate(
            {**loads(organization), "_defaults": settings}
        )

    async def finish(self, item: OutboxItem, *, sent: bool, detail: str, reached: bool = True) -> None:
        o = tables.outbox
        values: dict[str, Any] = (
            {"status": SENT, "sent_at": to_naive(datetime.now(UTC)), "last_error": None}
            if sent
            else {
                "status": FAILED,
                "last_error": detail[:_ERROR_LIMIT],
                "next_attempt_at": to_naive(retry_due_at(item.created_at, item.attempts)),
            }
        )
        async with _everyone(), self.db.write() as conn:
            done = await conn.execute(sa.update(o).where(o.c.id == item.id, o.c.status == SENDING).values(**values))
            if sent and reached and item.kind == REMINDER and done.rowcount:
                await _count_reminder(conn, item.document_id, datetime.now(UTC))

    async def retire(self, item: OutboxItem, reason: str) -> None:
        o = tables.outbox
        async with _everyone(), self.db.write() as conn:
            await conn.execute(
                sa.update(o)
                .where(o.c.id == item.id, o.c.status == SENDING)
                .values(status=SUPERSEDED, last_error=reason[:_ERROR_LIMIT])
            )

    async def recover(self) -> int:
        """Put ``sending`` rows whose claim has expired (their process died mid-send) back in the queue;
        how many there were. Rows a live process is still sending keep their claim."""
        o = tables.outbox
        async with _everyone(), self.db.write() as conn:
            result = await conn.execute(
                sa.update(o)
                .where(o.c.status == SENDING, o.c.next_attempt_at <= to_naive(datetime.now(UTC)))
                .values(status=QUEUED, last_error="interrupted while sending; queued again")
            )
        return int(result.rowcount or 0)

    async def next_due(self) -> datetime | None:
        """When the earliest row that may still be delivered is due (``None``: nothing left to retry)."""
        o = tables.outbox
        async with _everyone(), self.db.read() as conn:
            query = sa.select(sa.func.min(o.c.next_attempt_at)).where(_deliverable(None))
            due = (await conn.execute(query)).scalar()
        return None if due is None else _aware(due)


def _deliverable(clock: datetime | None) -> sa.ColumnElement[bool]:
    """Rows a delivery run may claim: queued, failed with attempts left, or ``sending`` with an expired
    claim (all ``sending`` rows when ``clock`` is ``None``, for :meth:`SqlOutboxStore.next_due`)."""
    o = tables.outbox
    expired = o.c.status == SENDING if clock is None else sa.and_(o.c.status == SENDING, o.c.next_attempt_at <= clock)
    return sa.or_(o.c.status == QUEUED, sa.and_(o.c.status == FAILED, o.c.attempts < MAX_ATTEMPTS), expired)
