"""Items: an organization's saved products and services (CRUD with full-replace PUT, search)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from si_mcp.models import Item, ItemCreate

from .. import tables
from ..access import load_owned, require_org
from ..engine.autofill import rate_on
from ..errors import invalid
from ..http import Call, Route, json_response
from ..ids import object_id
from ..resources import ITEMS, item_row
from ..store import loads, now
from ._crud import count_handler, delete_handler, get_handler, list_handler, member_count_handler, search_handler, store

__all__ = ["routes"]

_MODEL = "Item"


async def _tax_ids(conn: AsyncConnection, organization_id: str, body: ItemCreate) -> list[str]:
    """``taxIds`` checked against the organization's taxes, plus those found by ``_itemTaxes`` rate/class."""
    t = tables.taxes
    query = sa.select(t.c.data).where(t.c.organization_id == organization_id, t.c.is_deleted == sa.false())
    taxes = [loads(text) for text in (await conn.execute(query.order_by(t.c.created_at, t.c.id))).scalars()]
    known = {tax["id"] for tax in taxes}
    ids = list(body.tax_ids)
    for index, tax_id in enumerate(ids):
        if tax_id not in known:
            raise invalid(_MODEL, f"taxIds.{index}", "no tax with this id in this organization")
    today = now()
    for index, ref in enumerate(body.item_taxes or []):
        if ref.rate is not None:
            found = [tax["id"] for tax in taxes if rate_on(tax, today.date()) == ref.rate]
        else:
            wanted = (ref.classification or "").lower()
            found = [tax["id"] for tax in taxes if str(tax.get("classification") or "").lower() == wanted]
        if not found:
            raise invalid(
                _MODEL, f"_itemTaxes.{index}", "no tax of this organization matches this rate or classification"
            )
        if found[0] not in ids:
            ids.append(found[0])
    return ids


async def _check_sku(conn: AsyncConnection, organization_id: str, sku: str | None, except_id: str | None) -> None:
    if sku is None:
        return
    t = tables.items
    query = sa.select(t.c.id).where(
        t.c.organization_id == organization_id, t.c.sku == sku, t.c.is_deleted == sa.false()
    )
    if except_id is not None:
        query = query.where(t.c.id != except_id)
    if (await conn.execute(query.limit(1))).first() is not None:
        raise invalid(_MODEL, "SKU", "another item already has this SKU", code="uniqueness")


def _item(body: ItemCreate, tax_ids: list[str], fixed: dict[str, Any]) -> dict[str, Any]:
    fields = body.model_dump(by_alias=True, exclude={"item_taxes", "tax_ids"})
    item = Item.model_validate({**fields, **fixed, "taxIds": tax_ids}).to_wire()
    item["_isDeleted"] = False
    return item


async def create_item(call: Call) -> Response:
    organization_id = call.params["id"]
    body = await call.body(ItemCreate, _MODEL)
    stamp = now()
    async with call.db.write() as conn:
        await require_org(conn, call.account_id, organization_id, "write")
        await _check_sku(conn, organization_id, body.sku, None)
        tax_ids = await _tax_ids(conn, organization_id, body)
        fixed = {"id": object_id(), "organizationId": organization_id, "createdAt": stamp, "updatedAt": stamp}
        item = _item(body, tax_ids, fixed)
        await conn.execute(tables.items.insert(), item_row(item))
    return json_response(item)


async def put_item(call: Call) -> Response:
    item_id = call.params["id"]
    body = await call.body(ItemCreate, _MODEL)
    async with call.db.write() as conn:
        row = await load_owned(conn, tables.items, item_id, call.account_id, _MODEL, "write")
        previous = loads(row.data)
        await _check_sku(conn, row.organization_id, body.sku, item_id)
        tax_ids = await _tax_ids(conn, row.organization_id, body)
        fixed = {k: previous[k] for k in ("id", "organizationId", "createdAt")}
        item = _item(body, tax_ids, {**fixed, "updatedAt": now()})
        await store(conn, ITEMS, item_row, item)
    return json_response(item)


def routes() -> list[Route]:
    search = search_handler(ITEMS, ("name", "description", "SKU"))
    return [
        Route("POST", "/organizations/{id}/items", create_item),
        Route("GET", "/organizations/{id}/items", list_handler(ITEMS)),
        Route("GET", "/organizations/{id}/items/count", count_handler(ITEMS)),
        Route("GET", "/organizations/{id}/items/search", search),
        Route("GET", "/organizations/{id}/search-items", search),
        Route("GET", "/items/count", member_count_handler(ITEMS)),
        Route("GET", "/items/{id}", get_handler(ITEMS)),
        Route("PUT", "/items/{id}", put_item),
        Route("POST", "/items/{id}/replace", put_item),
        Route("DELETE", "/items/{id}", delete_handler(ITEMS, item_row)),
    ]
