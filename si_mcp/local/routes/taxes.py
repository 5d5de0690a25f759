"""Taxes with dated rates (``_taxRates``, newest ``dateValidFrom`` first)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from si_mcp.models import Count, Tax, TaxCreate, TaxRate, TaxRateCreate, wirejson

from .. import tables
from ..access import load_owned, require_org
from ..errors import LocalAPIError, invalid, not_found
from ..http import Call, Route, json_response
from ..ids import object_id, sub_id
from ..resources import TAXES, tax_row
from ..store import loads, now
from ._crud import count_handler, delete_handler, get_handler, list_handler, member_count_handler, store
from .organizations import load_organization

__all__ = ["routes"]

_MODEL = "Tax"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _rate(entry: TaxRateCreate, stamp: datetime) -> dict[str, Any]:
    return TaxRate(
        id=sub_id(),
        rate=wirejson.normalize_number(entry.rate),
        date_valid_from=entry.date_valid_from or _EPOCH,
        custom=entry.custom,
        created_at=stamp,
        updated_at=stamp,
    ).to_wire()


def _sorted_rates(rates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rates, key=lambda r: str(r["dateValidFrom"]), reverse=True)


def _tax(body: TaxCreate, fixed: dict[str, Any], stamp: datetime) -> dict[str, Any]:
    rates = [_rate(entry, stamp) for entry in body.tax_rates]
    fields = body.model_dump(by_alias=True, exclude={"tax_rates"})
    tax = Tax.model_validate({**fields, **fixed, "_taxRates": _sorted_rates(rates)}).to_wire()
    tax["_isDeleted"] = False
    return tax


async def create_tax(call: Call) -> Response:
    organization_id = call.params["id"]
    body = await call.body(TaxCreate, _MODEL)
    stamp = now()
    async with call.db.write() as conn:
        await require_org(conn, call.account_id, organization_id, "write")
        organization = await load_organization(conn, organization_id)
        fixed = {
            "id": object_id(),
            "organizationId": organization_id,
            "country": organization.get("country"),
            "countryAlpha2Code": organization.get("countryAlpha2Code"),
            "createdAt": stamp,
            "updatedAt": stamp,
        }
        tax = _tax(body, fixed, stamp)
        await conn.execute(tables.taxes.insert(), tax_row(tax))
    return json_response(tax)


async def put_tax(call: Call) -> Response:
    tax_id = call.params["id"]
    body = await call.body(TaxCreate, _MODEL)
    stamp = now()
    async with call.db.write() as conn:
        row = await load_owned(conn, tables.taxes, tax_id, call.account_id, _MODEL, "write")
        previous = loads(row.data)
        fixed = {k: previous.get(k) for k in ("id", "organizationId", "country", "countryAlpha2Code", "createdAt")}
        tax = _tax(body, {**fixed, "updatedAt": stamp}, stamp)
        await store(conn, TAXES, tax_row, tax)
    return json_response(tax)


async def add_rate(call: Call) -> Response:
    tax_id = call.params["id"]
    body = await call.body(TaxRateCreate, "TaxRate")
    stamp = now()
    async with call.db.write() as conn:
        row = await load_owned(conn, tables.taxes, tax_id, call.account_id, _MODEL, "write")
        tax = loads(row.data)
        rate = _rate(body, stamp)
        tax["_taxRates"] = _sorted_rates([*tax.get("_taxRates", []), rate])
        tax["updatedAt"] = stamp
        await store(conn, TAXES, tax_row, tax)
    return json_response(rate)


async def delete_rate(call: Call) -> Response:
    tax_id, rate_id = call.params["id"], call.params["rate_id"]
    async with call.db.write() as conn:
        row = await load_owned(conn, tables.taxes, tax_id, call.account_id, _MODEL, "write")
        tax = loads(row.data)
        rates = tax.get("_taxRates", [])
        kept = [r for r in rates if r.get("id") != rate_id]
        if len(kept) == len(rates):
            raise not_found("TaxRate", rate_id)
        if not kept:
            raise invalid(_MODEL, "_taxRates", "a tax needs at least one rate; delete the tax instead")
        tax.update(_taxRates=kept, updatedAt=now())
        await store(conn, TAXES, tax_row, tax)
    return json_response(Count(count=1).to_wire())


async def _unused(conn: AsyncConnection, tax: dict[str, Any]) -> None:
    """Refuse deleting a tax that a document or a saved item still uses."""
    needle = f'%"{tax["id"]}"%'  # ids are hex, so the LIKE pattern needs no escaping
    for table, what in ((tables.documents, "documents"), (tables.items, "items")):
        query = sa.select(table.c.id).where(
            table.c.organization_id == tax["organizationId"],
            table.c.is_deleted == sa.false(),
            table.c.data.like(needle),
        )
        if (await conn.execute(query.limit(1))).first() is not None:
            raise LocalAPIError(
                422,
                f"This tax is used by {what} and cannot be deleted; add a new rate instead.",
                code="TAX_IN_USE",
                name="ValidationError",
            )


def routes() -> list[Route]:
    return [
        Route("POST", "/organizations/{id}/taxes", create_tax),
        Route("GET", "/organizations/{id}/taxes", list_handler(TAXES)),
        Route("GET", "/organizations/{id}/taxes/count", count_handler(TAXES)),
        Route("GET", "/taxes/count", member_count_handler(TAXES)),
        Route("GET", "/taxes/{id}", get_handler(TAXES)),
        Route("PUT", "/taxes/{id}", put_tax),
        Route("POST", "/taxes/{id}/replace", put_tax),
        Route("DELETE", "/taxes/{id}", delete_handler(TAXES, tax_row, _unused)),
        Route("POST", "/taxes/{id}/taxRates", add_rate),
        Route("DELETE", "/taxes/{id}/taxRates/{rate_id}", delete_rate),
    ]
