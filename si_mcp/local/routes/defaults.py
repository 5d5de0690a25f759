"""Defaults: an organization's settings, ``{name, value}`` rows such as ``invoice_dueDays``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from starlette.responses import Response

from si_mcp.models import Count, Default, DefaultCreate, DefaultUpdate

from .. import tables
from ..access import load_owned, require_org
from ..errors import invalid, not_found
from ..http import Call, Route, json_response, raw_json_response, validate
from ..ids import object_id
from ..resources import DEFAULTS, default_row
from ..store import count_rows, list_json, loads, now

__all__ = ["routes"]

_MODEL = "Default"


def _check_value(name: str, value: Any) -> None:
    """Settings the books act on are checked when written (a typo must not switch the law's checks off)."""
    from ..einvoicing import MODES

    if name == "einvoice" and str(value).lower() not in (*MODES, "false", "none"):
        raise invalid(_MODEL, "value", f"einvoice is one of {', '.join(MODES)}", code="enum")


def _scope(organization_id: str) -> sa.ColumnElement[bool]:
    return tables.defaults.c.organization_id == organization_id


async def create_default(call: Call) -> Response:
    organization_id = call.params["id"]
    body = await call.body(DefaultCreate, _MODEL)
    _check_value(body.name, body.value)
    stamp = now()
    default = Default(
        id=object_id(), organization_id=organization_id, created_at=stamp, updated_at=stamp, **body.model_dump()
    )
    obj = default.to_wire()
    d = tables.defaults
    async with call.db.write() as conn:
        await require_org(conn, call.account_id, organization_id, "write")
        taken = sa.select(d.c.id).where(d.c.organization_id == organization_id, d.c.name == body.name)
        if (await conn.execute(taken)).first() is not None:
            raise invalid(_MODEL, "name", "a default with this name exists; update it instead", code="uniqueness")
        await conn.execute(d.insert(), default_row(obj))
    return json_response(obj)


async def list_defaults(call: Call) -> Response:
    organization_id = call.params["id"]
    flt = call.filter()
    async with call.db.read() as conn:
        await require_org(conn, call.account_id, organization_id)
        body = await list_json(conn, DEFAULTS, _scope(organization_id), flt)
    return raw_json_response(body)


async def count_defaults(call: Call) -> Response:
    organization_id = call.params["id"]
    where = call.where()
    async with call.db.read() as conn:
        await require_org(conn, call.account_id, organization_id)
        count = await count_rows(conn, DEFAULTS, _scope(organization_id), where)
    return json_response(Count(count=count).to_wire())


async def get_default(call: Call) -> Response:
    async with call.db.read() as conn:
        row = await load_owned(conn, tables.defaults, call.params["id"], call.account_id, _MODEL)
    return raw_json_response(str(row.data).encode())


async def _update(call: Call, default_id: str, changes: dict[str, Any], organization_id: str | None) -> Response:
    d = tables.defaults
    name = changes.pop("name", None)
    async with call.db.write() as conn:
        row = await load_owned(conn, d, default_id, call.account_id, _MODEL, "write")
        if organization_id is not None and row.organization_id != organization_id:
            raise not_found(_MODEL, default_id)
        obj = loads(row.data)
        if name is not None and name != obj.get("name"):
            raise invalid(_MODEL, "name", "cannot be changed; create a new default instead", code="immutable")
        obj.update(changes)
        _check_value(str(obj.get("name")), obj.get("value"))
        obj["updatedAt"] = now()
        obj = Default.model_validate(obj).to_wire()
        await conn.execute(sa.update(d).where(d.c.id == default_id).values(**default_row(obj)))
    return json_response(obj)


async def _changes(call: Call) -> dict[str, Any]:
    raw = await call.json()
    name = raw.pop("name", None)
    body = validate(DefaultUpdate, raw, _MODEL)
    changes = body.model_dump(by_alias=True, exclude_unset=True)
    if name is not None:
        changes["name"] = name  # checked against the stored name: names are immutable
    return changes


async def patch_default(call: Call) -> Response:
    return await _update(call, call.params["id"], await _changes(call), None)


async def put_default(call: Call) -> Response:
    return await _update(call, call.params["default_id"], await _changes(call), call.params["id"])


async def delete_default(call: Call) -> Response:
    d = tables.defaults
    default_id = call.params["id"]
    async with call.db.write() as conn:
        await load_owned(conn, d, default_id, call.account_id, _MODEL, "write")
        await conn.execute(sa.delete(d).where(d.c.id == default_id))
    return json_response(Count(count=1).to_wire())


def routes() -> list[Route]:
    return [
        Route("POST", "/organizations/{id}/defaults", create_default),
        Route("GET", "/organizations/{id}/defaults", list_defaults),
        Route("GET", "/organizations/{id}/defaults/count", count_defaults),
        Route("PUT", "/organizations/{id}/defaults/{default_id}", put_default),
        Route("GET", "/defaults/{id}", get_default),
        Route("PATCH", "/defaults/{id}", patch_default),
        Route("DELETE", "/defaults/{id}", delete_default),
    ]
