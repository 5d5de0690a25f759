"""A document's public link (v1): ``POST /documents/{id}/share`` gives its ``shareableId``, and anyone holding it reads
the document at ``GET /documents/public/{shareableId}`` (JSON) and ``…/pdf``, without a token: "send me a link to the
invoice". The id is 43 characters from the OS's secure random source; ``regenerate`` replaces it, and
``DELETE /documents/{id}/share`` (an embedded API extension) revokes it. Public reads are throttled per client network
(``Services.share_reads``) and show no internal fields (``custom``, ``uniqueId``, the author's account)."""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from si_mcp.local.pdf import PdfError, UnsupportedLanguageError
from si_mcp.models import Document, Share, ShareRequest

from .. import tables
from ..access import load_owned
from ..acting import EVERY_ACCOUNT, acting_for
from ..errors import LocalAPIError, invalid
from ..http import Call, Route, json_response
from ..ledger import payments_of, respond_document
from ..store import loads, now, to_naive
from .documents_out import organization_of, service_of, unprocessable

__all__ = ["routes"]

_S = tables.document_shares
# What a reader of the link sees: the document as it reads (with its issuer's id, which v1 documents always carry),
# nothing of the books around it (its client's id, who made it, what credits it, reminders and emails sent) and no
# "custom" or "_data" at any depth (cost prices, ratings).
_PRIVATE = frozenset(
    {
        "uniqueId",
        "accountId",
        "clientId",
        "_isDeleted",
        "deletedAt",
        "_referencedBy",
        "reminders",
        "_comments",
        "sentTo",
        "sentAt",
        "peppolReference",
        "peppolSentAt",
        "einvoice",
    }
)
_NEVER = frozenset({"custom", "_data"})


def _public(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if k not in _NEVER}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value


async def share_document(call: Call) -> Response:
    body = await call.body(ShareRequest, "Document")
    async with call.db.write() as conn:
        row = await load_owned(conn, tables.documents, call.params["id"], call.account_id, "Document", "write")
        if loads(row.data).get("draft"):
            raise invalid("Document", "draft", "a draft cannot be shared: issue it first")
        current = (await conn.execute(sa.select(_S.c.id).where(_S.c.document_id == call.params["id"]))).scalar()
        if current is not None and not body.regenerate:
            return json_response(Share(shareable_id=current).to_wire())
        await conn.execute(_S.delete().where(_S.c.document_id == call.params["id"]))
        shareable_id = secrets.token_urlsafe(32)
        await conn.execute(
            _S.insert().values(
                id=shareable_id,
                organization_id=row.organization_id,
                document_id=call.params["id"],
                created_at=to_naive(now()),
            )
        )
    return json_response(Share(shareable_id=shareable_id).to_wire())


async def unshare_document(call: Call) -> Response:
    async with call.db.write() as conn:
        await load_owned(conn, tables.documents, call.params["id"], call.account_id, "Document", "write")
        await conn.execute(_S.delete().where(_S.c.document_id == call.params["id"]))
    return Response(status_code=204)


async def _shared(call: Call, conn: AsyncConnection) -> tuple[dict[str, Any], str]:
    """The shared document and its organization's id; 404 for an unknown or revoked id, or a deleted document."""
    address = call.request.client.host if call.request.client else None
    call.services.share_reads.hit(address, call.services.clock())
    d = tables.documents
    query = (
        sa.select(d.c.data, d.c.organization_id)
        .join(_S, _S.c.document_id == d.c.id)
        .where(_S.c.id == call.params["shareable_id"], d.c.is_deleted == sa.false())
    )
    row = (await conn.execute(query)).first()
    if row is None:
        raise LocalAPIError(404, "No document is shared under this id (it may have been revoked).", code="NOT_FOUND")
    return loads(row.data), row.organization_id


async def public_document(call: Call) -> Response:
    with acting_for(EVERY_ACCOUNT):  # no account: the unguessable id is the key, and it opens exactly one document
        async with call.db.read() as conn:
            document, _ = await _shared(call, conn)
            payments = (await conn.run_sync(payments_of, [document["id"]]))[document["id"]]
    answer = respond_document(document, [_public_payment(p) for p in payments], call.base_url)
    answer["pdf"] = f"{call.base_url}/documents/public/{call.params['shareable_id']}/pdf"
    return json_response(_public({k: v for k, v in answer.items() if k not in _PRIVATE}))


def _public_payment(payment: dict[str, Any]) -> dict[str, Any]:
    return {k: payment.get(k) for k in ("date", "amount", "type")}


async def public_pdf(call: Call) -> Response:
    with acting_for(EVERY_ACCOUNT):  # also for the render: it reads the organization's logo
        async with call.db.read() as conn:
            data, organization_id = await _shared(call, conn)
            data["payments"] = (await conn.run_sync(payments_of, [data["id"]]))[data["id"]]
            organization = await organization_of(conn, organization_id)
        try:
            pdf, _, _ = await service_of(call.services).document_pdf(
                Document.model_validate(data), organization, language=call.query("l")
            )
        except (PdfError, UnsupportedLanguageError) as error:
            raise unprocessable(error) from None
    headers = {"Content-Disposition": f'inline; filename="{pdf.name}"', "Cache-Control": "private, no-store"}
    return Response(pdf.content, media_type="application/pdf", headers=headers)


def routes() -> list[Route]:
    return [
        Route("POST", "/documents/{id}/share", share_document),
        Route("DELETE", "/documents/{id}/share", unshare_document),
        Route("GET", "/documents/public/{shareable_id}", public_document, auth=False),
        Route("GET", "/documents/public/{shareable_id}/pdf", public_pdf, auth=False),
    ]
