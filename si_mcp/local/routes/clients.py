"""Clients (customers) of an organization: CRUD and search."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from si_mcp.models import Client, ClientCreate, ClientUpdate

from .. import tables
from ..access import load_owned, require_org
from ..engine import countries
from ..errors import invalid
from ..http import Call, Route, json_response, validate
from ..ids import object_id
from ..resources import CLIENTS, client_row
from ..store import loads, now
from ..webhooks import emit_tx
from ._crud import count_handler, delete_handler, get_handler, list_handler, member_count_handler, search_handler, store

__all__ = ["routes"]

_MODEL = "Client"


def _complete(fields: dict[str, Any]) -> dict[str, Any]:
    """Validated client with ``countryAlpha2Code`` derived from ``country`` (when it is a known country)."""
    info = countries.resolve_country(fields["country"]) if fields.get("country") else None
    fields["countryAlpha2Code"] = info.alpha2 if info else None
    client = validate(Client, fields, _MODEL).to_wire()  # e.g. a PATCH of null into a field that has none: a 422
    client["_isDeleted"] = False
    return client


async def create_client(call: Call) -> Response:
    organization_id = call.params["id"]
    body = await call.body(ClientCreate, _MODEL)
    stamp = now()
    client = _complete(
        {
            **body.model_dump(by_alias=True),
            "id": object_id(),
            "organizationId": organization_id,
            "createdAt": stamp,
            "updatedAt": stamp,
        }
    )
    async with call.db.write() as conn:
        await require_org(conn, call.account_id, organization_id, "write")
        await conn.execute(tables.clients.insert(), client_row(client))
        await conn.run_sync(emit_tx, organization_id, "client", "create", client)
    return json_response(client)


async def _update(call: Call, changes: dict[str, Any], replace: bool) -> Response:
    client_id = call.params["id"]
    async with call.db.write() as conn:
        row = await load_owned(conn, tables.clients, client_id, call.account_id, _MODEL, "write")
        previous = loads(row.data)
        kept = {k: previous[k] for k in ("id", "organizationId", "createdAt")}
        base = kept if replace else previous
        client = _complete({**base, **changes, "updatedAt": now()})
        await store(conn, CLIENTS, client_row, client)
        await conn.run_sync(emit_tx, row.organization_id, "client", "update", client)
    return json_response(client)


async def patch_client(call: Call) -> Response:
    body = await call.body(ClientUpdate, _MODEL)
    changes = body.model_dump(by_alias=True, exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        raise invalid(_MODEL, "name", "can't be blank", code="presence")
    if "custom" in changes and changes["custom"] is None:
        changes["custom"] = {}
    return await _update(call, changes, replace=False)


async def put_client(call: Call) -> Response:
    body = await call.body(ClientCreate, _MODEL)
    return await _update(call, body.model_dump(by_alias=True), replace=True)


async def _deleted(conn: AsyncConnection, client: dict[str, Any]) -> None:
    await conn.run_sync(emit_tx, client["organizationId"], "client", "delete", client)


def routes() -> list[Route]:
    search = search_handler(CLIENTS, ("name", "email", "contact", "taxNumber", "companyNumber"))
    return [
        Route("POST", "/organizations/{id}/clients", create_client),
        Route("GET", "/organizations/{id}/clients", list_handler(CLIENTS)),
        Route("GET", "/organizations/{id}/clients/count", count_handler(CLIENTS)),
        Route("GET", "/organizations/{id}/clients/search", search),
        Route("GET", "/organizations/{id}/search-clients", search),
        Route("GET", "/clients/count", member_count_handler(CLIENTS)),
        Route("GET", "/clients/{id}", get_handler(CLIENTS)),
        Route("PATCH", "/clients/{id}", patch_client),
        Route("PUT", "/clients/{id}", put_client),
        Route("DELETE", "/clients/{id}", delete_handler(CLIENTS, client_row, after=_deleted)),
    ]
