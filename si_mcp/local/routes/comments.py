"""Comments on a document (v1 ``/documents/{id}/comments``): internal notes of the organization's members, never
printed or sent, kept apart from the document (an issued one stays as issued). Anyone who may write to the books
comments; only the author changes a comment, the author or an admin deletes it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from si_mcp.models import Comment, CommentCreate, Count, wirejson

from .. import tables
from ..access import load_owned
from ..errors import not_found, unauthorized
from ..http import Call, Route, json_response, raw_json_response
from ..ids import object_id
from ..resources import COMMENTS, comment_row
from ..store import count_rows, list_json, loads, now
from ._crud import store

__all__ = ["routes"]

_C = tables.comments


def _of_document(document_id: str) -> sa.ColumnElement[bool]:
    return _C.c.document_id == document_id


async def create_comment(call: Call) -> Response:
    body = await call.body(CommentCreate, "Comment")
    async with call.db.write() as conn:
        row = await load_owned(conn, tables.documents, call.params["id"], call.account_id, "Document", "write")
        stamp = now()
        comment = Comment(
            id=object_id(),
            text=body.text,
            document_id=call.params["id"],
            organization_id=row.organization_id,
            account_id=call.account_id,
            created_at=stamp,
            updated_at=stamp,
        ).to_wire()
        await conn.execute(_C.insert(), comment_row(loads(wirejson.dumps(comment))))
    return json_response(comment)


async def list_comments(call: Call) -> Response:
    flt = call.filter()
    async with call.db.read() as conn:
        await load_owned(conn, tables.documents, call.params["id"], call.account_id, "Document")
        body = await list_json(conn, COMMENTS, _of_document(call.params["id"]), flt)
    return raw_json_response(body)


async def count_comments(call: Call) -> Response:
    where = call.where()
    async with call.db.read() as conn:
        await load_owned(conn, tables.documents, call.params["id"], call.account_id, "Document")
        count = await count_rows(conn, COMMENTS, _of_document(call.params["id"]), where)
    return json_response(Count(count=count).to_wire())


async def _comment(conn: AsyncConnection, call: Call) -> tuple[dict[str, Any], str]:
    """The route's comment on the route's document, and the caller's role; 404 for any other pair."""
    document = await load_owned(conn, tables.documents, call.params["id"], call.account_id, "Document", "write")
    query = sa.select(_C.c.data).where(
        _C.c.id == call.params["fk"], _of_document(call.params["id"]), _C.c.is_deleted == sa.false()
    )
    text = (await conn.execute(query)).scalar()
    if text is None:
        raise not_found("Comment", call.params["fk"])
    return loads(text), str(document.role)


async def update_comment(call: Call) -> Response:
    body = await call.body(CommentCreate, "Comment")
    async with call.db.write() as conn:
        comment, _ = await _comment(conn, call)
        if comment["accountId"] != call.account_id:
            raise unauthorized("Only its author can change a comment.")
        comment.update(text=body.text, updatedAt=now())
        await store(conn, COMMENTS, comment_row, comment)
    return json_response(comment)


async def delete_comment(call: Call) -> Response:
    async with call.db.write() as conn:
        comment, role = await _comment(conn, call)
        if comment["accountId"] != call.account_id and role != "admin":
            raise unauthorized("Only its author or an admin can delete a comment.")
        stamp = now()
        comment.update(_isDeleted=True, deletedAt=stamp, updatedAt=stamp)
        await store(conn, COMMENTS, comment_row, comment)
    return Response(status_code=204)


def routes() -> list[Route]:
    return [
        Route("POST", "/documents/{id}/comments", create_comment),
        Route("GET", "/documents/{id}/comments", list_comments),
        Route("GET", "/documents/{id}/comments/count", count_comments),
        Route("PUT", "/documents/{id}/comments/{fk}", update_comment),
        Route("DELETE", "/documents/{id}/comments/{fk}", delete_comment),
    ]
