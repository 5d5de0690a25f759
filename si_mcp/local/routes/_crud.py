"""Handlers shared by the organization-owned CRUD resources (clients, items, taxes, units, categories)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from si_mcp.models import Count, wirejson

from .. import tables
from ..access import Need, load_owned, require_org
from ..filters import Resource, compile_where, contains_pattern
from ..http import Call, Handler, Route, json_response, raw_json_response, validate
from ..ids import object_id
from ..store import count_rows, list_json, loads, now

__all__ = [
    "Guard",
    "count_handler",
    "delete_handler",
    "get_handler",
    "list_handler",
    "member_count_handler",
    "search_handler",
    "simple_routes",
    "store",
]

Guard = Callable[[AsyncConnection, dict[str, Any]], Awaitable[None]]
"""Runs before a delete, inside its transaction; raises to refuse it."""

RowOf = Callable[[dict[str, Any]], dict[str, Any]]


def _scope(resource: Resource, organization_id: str) -> sa.ColumnElement[bool]:
    return resource.table.c.organization_id == organization_id


def list_handler(resource: Resource, need: Need = "read") -> Handler:
    async def handler(call: Call) -> Response:
        flt = call.filter()
        async with call.db.read() as conn:
            await require_org(conn, call.account_id, call.params["id"], need)
            body = await list_json(conn, resource, _scope(resource, call.params["id"]), flt)
        return raw_json_response(body)

    return handler


def count_handler(resource: Resource, need: Need = "read") -> Handler:
    async def handler(call: Call) -> Response:
        where = call.where()
        async with call.db.read() as conn:
            await require_org(conn, call.account_id, call.params["id"], need)
            count = await count_rows(conn, resource, _scope(resource, call.params["id"]), where)
        return json_response(Count(count=count).to_wire())

    return handler


def member_count_handler(resource: Resource) -> Handler:
    """``GET /<model>/count`` (LoopBack's model-level count, the SDKs' ``count()``): the rows matching ``?where=`` in
    every organization the caller belongs to, and in no other."""

    async def handler(call: Call) -> Response:
        where = call.where()
        ao = tables.account_organizations
        mine = sa.select(ao.c.organization_id).where(ao.c.account_id == call.account_id)
        async with call.db.read() as conn:
            count = await count_rows(conn, resource, resource.table.c.organization_id.in_(mine), where)
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


def get_handler(resource: Resource, need: Need = "read") -> Handler:
    async def handler(call: Call) -> Response:
        async with call.db.read() as conn:
            row = await load_owned(conn, resource.table, call.params["id"], call.account_id, resource.name, need)
        return raw_json_response(str(row.data).encode())

    return handler


def delete_handler(
    resource: Resource, row_of: RowOf, guard: Guard | None = None, *, after: Guard | None = None, need: Need = "write"
) -> Handler:
    """Soft delete: the row stays (documents may point at it) but is hidden from lists and gets. ``guard`` may refuse
    it; ``after`` runs in the same transaction with the deleted object (e.g. to queue its webhook event)."""

    async def handler(call: Call) -> Response:
        object_id = call.params["id"]
        table = resource.table
        async with call.db.write() as conn:
            row = await load_owned(conn, table, object_id, call.account_id, resource.name, need)
            obj = loads(row.data)
            if guard is not None:
                await guard(conn, obj)
            stamp = now()
            obj.update(_isDeleted=True, deletedAt=stamp, updatedAt=stamp)
            await store(conn, resource, row_of, obj)
            if after is not None:
                await after(conn, obj)
        return json_response(Count(count=1).to_wire())

    return handler


async def store(conn: AsyncConnection, resource: Resource, row_of: RowOf, obj: dict[str, Any]) -> None:
    """Write back a changed object (its columns follow from the JSON)."""
    normalized = loads(wirejson.dumps(obj))
    table = resource.table
    await conn.execute(sa.update(table).where(table.c.id == normalized["id"]).values(**row_of(normalized)))


def simple_routes(
    resource: Resource,
    answer: type[BaseModel],
    body: type[BaseModel],
    row_of: RowOf,
    collection: str,
    guard: Guard | None = None,
) -> list[Route]:
    """The v1 routes of an organization-owned resource with no rules beyond its body's (units, categories):
    create, list, count, get, full replace (PUT), partial change (PATCH), soft delete."""
    model, table = resource.name, resource.table

    async def create(call: Call) -> Response:
        organization_id = call.params["id"]
        fields = (await call.body(body, model)).model_dump(by_alias=True)
        stamp = now()
        obj = answer.model_validate(
            {**fields, "id": object_id(), "organizationId": organization_id, "createdAt": stamp, "updatedAt": stamp}
        ).model_dump(mode="json", by_alias=True)
        obj["_isDeleted"] = False
        async with call.db.write() as conn:
            await require_org(conn, call.account_id, organization_id, "write")
            await conn.execute(table.insert(), row_of(loads(wirejson.dumps(obj))))
        return json_response(obj)

    def change(partial: bool) -> Handler:
        async def handler(call: Call) -> Response:
            raw = await call.json()
            async with call.db.write() as conn:
                row = await load_owned(conn, table, call.params["id"], call.account_id, model, "write")
                previous = loads(row.data)
                given = {k: v for k, v in previous.items() if k in _aliases(body)} if partial else {}
                fields = validate(body, {**given, **raw}, model).model_dump(by_alias=True)
                fixed = {k: previous[k] for k in ("id", "organizationId", "createdAt")}
                obj = answer.model_validate({**fields, **fixed, "updatedAt": now()}).model_dump(
                    mode="json", by_alias=True
                )
                obj["_isDeleted"] = False
                await store(conn, resource, row_of, obj)
            return json_response(obj)

        return handler

    item = f"/{collection}/{{id}}"
    return [
        Route("GET", f"/{collection}/count", member_count_handler(resource)),
        Route("POST", f"/organizations/{{id}}/{collection}", create),
        Route("GET", f"/organizations/{{id}}/{collection}", list_handler(resource)),
        Route("GET", f"/organizations/{{id}}/{collection}/count", count_handler(resource)),
        Route("GET", item, get_handler(resource)),
        Route("PUT", item, change(partial=False)),
        Route("PATCH", item, change(partial=True)),
        Route("DELETE", item, delete_handler(resource, row_of, guard)),
    ]


def _aliases(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(field.alias or name for name, field in model.model_fields.items())
