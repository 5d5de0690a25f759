"""Handlers shared by the organization-owned CRUD resources (clients, items, taxes)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from si_mcp.models import Count, wirejson

from ..access import load_owned, require_org
from ..filters import Resource, compile_where, contains_pattern
from ..http import Call, Handler, json_response, raw_json_response
from ..store import count_rows, list_json, loads, now

__all__ = ["Guard", "count_handler", "delete_handler", "get_handler", "list_handler", "search_handler", "store"]

Guard = Callable[[AsyncConnection, dict[str, Any]], Awaitable[None]]
"""Runs before a delete, inside its transaction; raises to refuse it."""

RowOf = Callable[[dict[str, Any]], dict[str, Any]]


def _scope(resource: Resource, organization_id: str) -> sa.ColumnElement[bool]:
    return resource.table.c.organization_id == organization_id


def list_handler(resource: Resource) -> Handler:
    async def handler(call: Call) -> Response:
        flt = call.filter()
        async with call.db.read() as conn:
            await require_org(conn, call.account_id, call.params["id"])
            body = await list_json(conn, resource, _scope(resource, call.params["id"]), flt)
        return raw_json_response(body)

    return handler


def count_handler(resource: Resource) -> Handler:
    async def handler(call: Call) -> Response:
        where = call.where()
        async with call.db.read() as conn:
            await require_org(conn, call.account_id, call.params["id"])
            count = await count_rows(conn, resource, _scope(resource, call.params["id"]), where)
        return json_response(Count(count=count).to_wire())

    return handler


def search_handler(resource: Resource, fields: tuple[str, ...]) -> Handler:
    """``?term=`` matched case-insensitively anywhere in any of ``fields``; at most 100 results."""

    async def handler(call: Call) -> Response:
        term = (call.query("term") or "").strip()
        pattern = contains_pattern(term)
        where = {"or": [{name: {"like": pattern, "options": "i"}} for name in fields]} if term else None
        table = resource.table
        async with call.db.read() as conn:
            await require_org(conn, call.account_id, call.params["id"])
            query = (
                sa.select(table.c.data)
                .where(_scope(resource, call.params["id"]), table.c.is_deleted == sa.false())
                .where(compile_where(where, resource, conn.dialect.name))
                .order_by(table.c.name, table.c.id)
                .limit(100)
            )
            texts = list((await conn.execute(query)).scalars())
        return raw_json_response(("[" + ",".join(texts) + "]").encode())

    return handler


def get_handler(resource: Resource) -> Handler:
    async def handler(call: Call) -> Response:
        async with call.db.read() as conn:
            row = await load_owned(conn, resource.table, call.params["id"], call.account_id, resource.name)
        return raw_json_response(str(row.data).encode())

    return handler


def delete_handler(resource: Resource, row_of: RowOf, guard: Guard | None = None) -> Handler:
    """Soft delete: the row stays (documents may point at it) but is hidden from lists and gets."""

    async def handler(call: Call) -> Response:
        object_id = call.params["id"]
        table = resource.table
        async with call.db.write() as conn:
            row = await load_owned(conn, table, object_id, call.account_id, resource.name, "write")
            obj = loads(row.data)
            if guard is not None:
                await guard(conn, obj)
            stamp = now()
            obj.update(_isDeleted=True, deletedAt=stamp, updatedAt=stamp)
            await store(conn, resource, row_of, obj)
        return json_response(Count(count=1).to_wire())

    return handler


async def store(conn: AsyncConnection, resource: Resource, row_of: RowOf, obj: dict[str, Any]) -> None:
    """Write back a changed object (its columns follow from the JSON)."""
    normalized = loads(wirejson.dumps(obj))
    table = resource.table
    await conn.execute(sa.update(table).where(table.c.id == normalized["id"]).values(**row_of(normalized)))
