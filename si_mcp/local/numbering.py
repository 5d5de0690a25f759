"""Gapless document numbers from a counter row, inside the caller's write transaction.

The counter row is incremented with ``UPDATE … RETURNING`` in the same transaction that inserts the
document, so a rolled-back create gives its number back and two creates can never get the same one
(the write lock and ``BEGIN IMMEDIATE`` serialize them; ``UNIQUE(organization_id, type, number)`` is the
backstop). A number already taken by a document created with an explicit ``number`` is skipped, which
leaves no gap because that slot is filled.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from . import tables
from .engine.numbering import format_number

__all__ = ["allocate_number", "number_taken", "peek_number"]


async def number_taken(
    conn: AsyncConnection, organization_id: str, doc_type: str, number: str, *, except_id: str | None = None
) -> bool:
    d = tables.documents
    query = sa.select(d.c.id).where(d.c.organization_id == organization_id, d.c.type == doc_type, d.c.number == number)
    if except_id is not None:
        query = query.where(d.c.id != except_id)
    return (await conn.execute(query.limit(1))).first() is not None


async def _last(conn: AsyncConnection, organization_id: str, doc_type: str, year: int) -> int:
    c = tables.document_counters
    query = sa.select(c.c.last_number).where(
        c.c.organization_id == organization_id, c.c.type == doc_type, c.c.year == year
    )
    return int((await conn.execute(query)).scalar() or 0)


async def peek_number(conn: AsyncConnection, organization_id: str, doc_type: str, year: int) -> str:
    """The number the next document of this type and year would get (nothing is reserved)."""
    sequence = await _last(conn, organization_id, doc_type, year) + 1
    while await number_taken(conn, organization_id, doc_type, format_number(year, sequence)):
        sequence += 1
    return format_number(year, sequence)


async def allocate_number(conn: AsyncConnection, organization_id: str, doc_type: str, year: int) -> str:
    """Take the next number; must run inside the write transaction that stores the document."""
    while True:
        number = format_number(year, await _increment(conn, organization_id, doc_type, year))
        if not await number_taken(conn, organization_id, doc_type, number):
            return number


async def _increment(conn: AsyncConnection, organization_id: str, doc_type: str, year: int) -> int:
    c = tables.document_counters
    key = sa.and_(c.c.organization_id == organization_id, c.c.type == doc_type, c.c.year == year)
    bumped = sa.update(c).where(key).values(last_number=c.c.last_number + 1).returning(c.c.last_number)
    value = (await conn.execute(bumped)).scalar()
    if value is None:
        await conn.execute(
            sa.insert(c).values(organization_id=organization_id, type=doc_type, year=year, last_number=1)
        )
        return 1
    return int(value)
