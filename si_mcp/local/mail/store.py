"""The local API's outbox table: queue an email inside the document's write transaction, then claim,
finish and recover rows for :mod:`si_mcp.local.mail.outbox`.

Row layout (``tables.outbox``): ``recipients`` holds JSON ``{"to": [...], "copy": [...], "language": "nl"}``
— the ``To`` addresses, the envelope-only copy to the sender (``sendCopy``) and the language of the
attached PDF; ``subject`` and ``message`` are the final texts; ``message_id`` is fixed when the row is
queued and ``created_at`` is the message's ``Date``, so every attempt sends the same message.

Retries follow the row's age: attempt *n* (n ≥ 2) is due ``4**(n-2)`` minutes after the row was
queued (1, 4, 16, 64 min), and after :data:`MAX_ATTEMPTS` the row stays ``failed``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from si_mcp.models import Document, Organization, wirejson

from .. import tables
from ..ids import object_id
from ..resources import document_row
from ..store import loads, to_naive
from .compose import OutgoingEmail
from .outbox import FAILED, MAX_ATTEMPTS, QUEUED, SENDING, SENT, OutboxItem

if TYPE_CHECKING:
    from ..db import Database

__all__ = ["BACKOFF_BASE", "PreviousSend", "SqlOutboxStore", "active_send", "queue_email", "retry_due_at"]

BACKOFF_BASE = timedelta(minutes=1)
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
        .where(o.c.document_id == document_id, _still_going())
        .order_by(o.c.created_at.desc())
        .limit(1)
    )
    row = (await conn.execute(query)).first()
    if row is None:
        return None
    recipients = tuple(json.loads(row.recipients).get("to", []))
    return PreviousSend(str(row.status), recipients, _aware(row.sent_at or row.created_at))


async def queue_email(
    conn: AsyncConnection, document: dict[str, Any], email: OutgoingEmail, *, language: str, stamp: datetime
) -> str:
    """Insert the outbox row and record the send on the document, in the caller's transaction."""
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
            recipients=json.dumps({"to": list(email.recipients), "copy": list(email.copy_to), "language": language}),
            subject=email.subject,
            message=email.body,
            created_at=to_naive(email.created_at),
            sent_at=None,
        )
    )
    document.update(sentAt=stamp, sentTo=", ".join(email.recipients), updatedAt=stamp)
    stored = loads(wirejson.dumps(document))
    d = tables.documents
    await conn.execute(sa.update(d).where(d.c.id == document["id"]).values(**document_row(stored)))
    document.clear()
    document.update(stored)
    return row_id


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _item(row: sa.Row[Any]) -> OutboxItem:
    recipients = json.loads(row.recipients)
    return OutboxItem(
        id=row.id,
        organization_id=row.organization_id,
        document_id=row.document_id,
        message_id=row.message_id or f"<{row.id}@si-mcp.invalid>",
        recipients=tuple(recipients.get("to", [])),
        copy_to=tuple(recipients.get("copy", [])),
        subject=row.subject,
        body=row.message,
        language=recipients.get("language") or None,
        created_at=_aware(row.created_at),
        attempts=row.attempts + 1,
    )


class SqlOutboxStore:
    """:class:`~si_mcp.local.mail.outbox.OutboxStore` over the ``outbox`` table of a :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(self, *, ids: Sequence[str] | None, now: datetime | None, limit: int) -> list[OutboxItem]:
        o = tables.outbox
        deliverable = sa.or_(o.c.status == QUEUED, sa.and_(o.c.status == FAILED, o.c.attempts < MAX_ATTEMPTS))
        wanted = list(ids or [])
        async with self.db.write() as conn:
            rows: list[sa.Row[Any]] = []
            if wanted:
                rows += (await conn.execute(sa.select(o).where(deliverable, o.c.id.in_(wanted)))).all()
            if now is not None:
                query = sa.select(o).where(deliverable, o.c.id.not_in(wanted)).order_by(o.c.created_at).limit(limit)
                due = [
                    r
                    for r in (await conn.execute(query)).all()
                    if _aware(retry_due_at(r.created_at, r.attempts)) <= now
                ]
                rows += due[: max(0, limit - len(rows))]
            for row in rows:
                await conn.execute(
                    sa.update(o).where(o.c.id == row.id, deliverable).values(status=SENDING, attempts=o.c.attempts + 1)
                )
        return [_item(row) for row in rows]

    async def load(self, item: OutboxItem) -> tuple[Document, Organization]:
        d, org, defaults = tables.documents, tables.organizations, tables.defaults
        async with self.db.read() as conn:
            document = (await conn.execute(sa.select(d.c.data).where(d.c.id == item.document_id))).scalar()
            organization = (await conn.execute(sa.select(org.c.data).where(org.c.id == item.organization_id))).scalar()
            query = sa.select(defaults.c.data).where(defaults.c.organization_id == item.organization_id)
            settings = [loads(text) for text in (await conn.execute(query)).scalars()]
        if document is None or organization is None:
            raise LookupError(f"document {item.document_id} no longer exists")
        return Document.model_validate(loads(document)), Organization.model_validate(
            {**loads(organization), "_defaults": settings}
        )

    async def finish(self, item: OutboxItem, *, sent: bool, detail: str) -> None:
        o = tables.outbox
        values: dict[str, Any] = (
            {"status": SENT, "sent_at": to_naive(datetime.now(UTC)), "last_error": None}
            if sent
            else {"status": FAILED, "last_error": detail[:_ERROR_LIMIT]}
        )
        async with self.db.write() as conn:
            await conn.execute(sa.update(o).where(o.c.id == item.id, o.c.status == SENDING).values(**values))

    async def recover(self) -> int:
        """Put rows a dead process left in ``sending`` back in the queue; how many there were."""
        o = tables.outbox
        async with self.db.write() as conn:
            result = await conn.execute(
                sa.update(o)
                .where(o.c.status == SENDING)
                .values(status=QUEUED, last_error="interrupted while sending; queued again")
            )
        return int(result.rowcount or 0)
