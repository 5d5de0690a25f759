"""Categories (v1): income or expense headings, CRUD; and ``documentCategories``, a document's amount allocated to
them by percent (bookkeeping data: allowed on issued documents too, which stay as issued)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from si_mcp.models import Category, CategoryCreate, DocumentCategory, DocumentCategoryCreate, wirejson

from .. import tables
from ..access import load_owned
from ..errors import LocalAPIError, invalid
from ..http import Call, Route, json_response, raw_json_response
from ..ids import object_id
from ..resources import CATEGORIES, DOCUMENT_CATEGORIES, document_category_row, named_row
from ..store import count_rows, loads, now
from ._crud import delete_handler, simple_routes

__all__ = ["routes"]

_DC = tables.document_categories


async def _unused(conn: AsyncConnection, category: dict[str, Any]) -> None:
    """A category documents are allocated to is not deleted (their allocations would point nowhere)."""
    query = sa.select(_DC.c.id).where(_DC.c.category_id == category["id"], _DC.c.is_deleted == sa.false())
    if (await conn.execute(query.limit(1))).first() is not None:
        raise LocalAPIError(
            422,
            "Documents are allocated to this category: delete those allocations first.",
            code="CATEGORY_IN_USE",
            name="ValidationError",
        )


async def allocate(call: Call) -> Response:
    """``POST /documents/{id}/documentCategories``: a share of the document under a category; the shares of one
    document add up to at most 100 %."""
    body = await call.body(DocumentCategoryCreate, "DocumentCategory")
    async with call.db.write() as conn:
        row = await load_owned(conn, tables.documents, call.params["id"], call.account_id, "Document", "write")
        c = tables.categories
        found = sa.select(c.c.id).where(
            c.c.id == body.category_id, c.c.organization_id == row.organization_id, c.c.is_deleted == sa.false()
        )
        if (await conn.execute(found)).first() is None:
            raise invalid("DocumentCategory", "categoryId", "no category with this id in this organization")
        taken = sum(
            (Decimal(str(loads(text)["percent"])) for text in await _allocations(conn, call.params["id"])),
            Decimal(0),
        )
        if taken + body.percent > 100:
            raise invalid(
                "DocumentCategory", "percent", f"{taken} % of this document is allocated already: at most 100 % in all"
            )
        stamp = now()
        allocation = DocumentCategory(
            id=object_id(),
            organization_id=row.organization_id,
            document_id=call.params["id"],
            category_id=body.category_id,
            percent=body.percent,
            created_at=stamp,
            updated_at=stamp,
        ).to_wire()
        allocation["_isDeleted"] = False
        await conn.execute(_DC.insert(), document_category_row(loads(wirejson.dumps(allocation))))
    return json_response(allocation)


async def _allocations(conn: AsyncConnection, document_id: str) -> list[str]:
    query = sa.select(_DC.c.data).where(_DC.c.document_id == document_id, _DC.c.is_deleted == sa.false())
    return list((await conn.execute(query.order_by(_DC.c.created_at, _DC.c.id))).scalars())


async def list_allocations(call: Call) -> Response:
    async with call.db.read() as conn:
        await load_owned(conn, tables.documents, call.params["id"], call.account_id, "Document")
        texts = await _allocations(conn, call.params["id"])
    return raw_json_response(("[" + ",".join(texts) + "]").encode())


async def count_allocations(call: Call) -> Response:
    where = call.where()
    async with call.db.read() as conn:
        await load_owned(conn, tables.documents, call.params["id"], call.account_id, "Document")
        count = await count_rows(conn, DOCUMENT_CATEGORIES, _DC.c.document_id == call.params["id"], where)
    return json_response({"count": count})


def routes() -> list[Route]:
    return [
        *simple_routes(CATEGORIES, Category, CategoryCreate, named_row, "categories", guard=_unused),
        Route("POST", "/documents/{id}/documentCategories", allocate),
        Route("GET", "/documents/{id}/documentCategories", list_allocations),
        Route("GET", "/documents/{id}/documentCategories/count", count_allocations),
        Route("DELETE", "/documentCategories/{id}", delete_handler(DOCUMENT_CATEGORIES, document_category_row)),
    ]
