"""Gapless document numbers from a counter row, inside the caller's write transaction.

The counter row is created or incremented by one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` in the same
transaction that inserts the document, so a rolled-back create gives its number back, two creates can never get
the same one, and two processes starting a new series at once both succeed (the row lock orders them; the write
lock and ``BEGIN IMMEDIATE`` serialize them anyway; ``UNIQUE(organization_id, type, number)`` is the backstop).
A number already taken by a document created with an explicit ``number`` is skipped, which leaves no gap
because that slot is filled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from . import tables
from .engine.numbering import format_number

__all__ = ["allocate_number", "last_issued_date", "number_taken", "peek_number"]


_D = tables.documents
_C = tables.document_counters
_SERIES = sa.and_(_C.c.organization_id == sa.bindparam("b_org"), _C.c.type == sa.bindparam("b_type"))
_KEY = sa.and_(_SERIES, _C.c.year == sa.bindparam("b_year"))
# Built once: constructing Core expressions per call costs more than running them on SQLite.
_TAKEN = (
    sa.select(_D.c.id)
    .where(
        _D.c.organization_id == sa.bindparam("b_org"),
        _D.c.type == sa.bindparam("b_type"),
        _D.c.number == sa.bindparam("b_number"),
        _D.c.id != sa.bindparam("b_except"),
    )
    .limit(1)
)
_LAST = sa.select(_C.c.last_number).where(_KEY)
_COUNTER: dict[str, Any] = {
    "organization_id": sa.bindparam("b_org"),
    "type": sa.bindparam("b_type"),
    "year": sa.bindparam("b_year"),
}
_BUMP = {
    dialect.__name__.rsplit(".", 1)[-1]: dialect.insert(_C)
    .values(**_COUNTER, last_number=1)
    .on_conflict_do_update(index_elements=list(_C.primary_key), set_={"last_number": _C.c.last_number + 1})
    .returning(_C.c.last_number)
    for dialect in (postgresql, sqlite)
}


def number_taken(
    conn: sa.Connection, organization_id: str, doc_type: str, number: str, *, except_id: str | None = None
) -> bool:
    params = {"b_org": organization_id, "b_type": doc_type, "b_number": number, "b_except": except_id or ""}
    return conn.execute(_TAKEN, params).first() is not None


def _last(conn: sa.Connection, organization_id: str, doc_type: str, year: int) -> int:
    params = {"b_org": organization_id, "b_type": doc_type, "b_year": year}
    return int(conn.execute(_LAST, params).scalar() or 0)


def peek_number(conn: sa.Connection, organization_id: str, doc_type: str, year: int) -> str:
    """The number the next document of this type and year would get (nothing is reserved)."""
    sequence = _last(conn, organization_id, doc_type, year) + 1
    while number_taken(conn, organization_id, doc_type, format_number(year, sequence)):
        sequence += 1
    return format_number(year, sequence)


def allocate_number(conn: sa.Connection, organization_id: str, doc_type: str, year: int) -> str:
    """Take the next number; must run inside the write transaction that stores the document."""
    while True:
        number = format_number(year, _increment(conn, organization_id, doc_type, year))
        if not number_taken(conn, organization_id, doc_type, number):
            return number


def _increment(conn: sa.Connection, organization_id: str, doc_type: str, year: int) -> int:
    params = {"b_org": organization_id, "b_type": doc_type, "b_year": year}
    return int(conn.execute(_BUMP[conn.dialect.name], params).scalar_one())


def last_issued_date(conn: sa.Connection, organization_id: str, doc_type: str, year: int) -> datetime | None:
    """The latest date of a document numbered in the series ``<year>-…`` (canceled ones too: they keep their numbers).

    Documents given a number of another form (an import's ``IMPORT-1``) are not part of the series.
    """
    query = sa.select(sa.func.max(_D.c.date)).where(
        _D.c.organization_id == organization_id,
        _D.c.type == doc_type,
        _D.c.date_year == year,
        _D.c.number.like(f"{year}-%"),
        _D.c.draft.is_(False),
        _D.c.is_deleted.is_(False),
    )
    latest = conn.execute(query).scalar()
    return latest if isinstance(latest, datetime) else None
