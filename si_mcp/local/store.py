"""Row helpers shared by the routes: list, count and JSON (de)serialization of stored objects.

Lists are built by splicing the stored JSON texts into one array, with no model round trip, unless
``fields`` or ``include`` ask for per-object work.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from si_mcp.models import Filter, wirejson

from .filters import Resource, check_include, compile_order, compile_where, page, project_fields

__all__ = [
    "Includer",
    "count_rows",
    "count_rows_tx",
    "list_json",
    "list_json_tx",
    "loads",
    "now",
    "request_digest",
    "to_naive",
]

Includer = Callable[[sa.Connection, list[dict[str, Any]], set[str]], None]


def request_digest(request: Any) -> str:
    """What an idempotency key remembers of the request that used it (documents, payments, sends): a hash of its
    canonical JSON, so the same request again is recognised and another one with the key is refused."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def now() -> datetime:
    """The current time in UTC, to the millisecond (what the wire can carry)."""
    stamp = datetime.now(UTC)
    return stamp.replace(microsecond=stamp.microsecond // 1000 * 1000)


def to_naive(value: datetime) -> datetime:
    """UTC without tzinfo, the form the timestamp columns hold."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def loads(text: str) -> dict[str, Any]:
    value = wirejson.loads(text)
    assert isinstance(value, dict)
    return value


def list_json_tx(
    conn: sa.Connection,
    resource: Resource,
    scope: sa.ColumnElement[bool],
    flt: Filter,
    *,
    includer: Includer | None = None,
) -> bytes:
    """The JSON array of the rows in ``scope`` matching ``flt``, ready to send."""
    table = resource.table
    dialect = conn.dialect.name
    include = check_include(flt, resource)
    limit, offset = page(flt)
    query = sa.select(table.c.data).where(scope, compile_where(flt.where, resource, dialect))
    if "is_deleted" in table.c and not flt.deleted:
        query = query.where(table.c.is_deleted == sa.false())
    query = query.order_by(*compile_order(flt.order, resource, dialect)).limit(limit).offset(offset)
    texts = list(conn.execute(query).scalars())
    if not include and not flt.fields:
        return ("[" + ",".join(texts) + "]").encode()
    objects = [loads(text) for text in texts]
    if include and includer is not None:
        includer(conn, objects, include)
    return wirejson.dumpb([project_fields(obj, flt.fields) for obj in objects])


def count_rows_tx(
    conn: sa.Connection, resource: Resource, scope: sa.ColumnElement[bool], where: dict[str, Any] | None
) -> int:
    table = resource.table
    query = sa.select(sa.func.count()).select_from(table).where(scope)
    query = query.where(compile_where(where, resource, conn.dialect.name))
    if "is_deleted" in table.c:
        query = query.where(table.c.is_deleted == sa.false())
    return int(conn.execute(query).scalar_one())


async def list_json(
    conn: AsyncConnection,
    resource: Resource,
    scope: sa.ColumnElement[bool],
    flt: Filter,
    *,
    includer: Includer | None = None,
) -> bytes:
    """:func:`list_json_tx` on an async connection."""

    def run(sync: sa.Connection) -> bytes:
        return list_json_tx(sync, resource, scope, flt, includer=includer)

    return await conn.run_sync(run)


async def count_rows(
    conn: AsyncConnection, resource: Resource, scope: sa.ColumnElement[bool], where: dict[str, Any] | None
) -> int:
    """:func:`count_rows_tx` on an async connection."""
    return await conn.run_sync(count_rows_tx, resource, scope, where)
