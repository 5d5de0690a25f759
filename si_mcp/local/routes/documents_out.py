"""PDF download and email sending of documents: answered 501 until the "Documents out" work lands.

The document is looked up first (so another tenant's id is still a 404), then the request is refused
with a clear message; nothing is rendered, queued or marked as sent.
"""

from __future__ import annotations

from starlette.responses import Response

from .. import tables
from ..access import load_owned
from ..errors import not_implemented
from ..http import Call, Route

__all__ = ["routes"]


async def get_pdf(call: Call) -> Response:
    async with call.db.read() as conn:
        await load_owned(conn, tables.documents, call.params["id"], call.account_id, "Document")
    raise not_implemented("PDF rendering is not available in this version of the local API yet.")


async def send_document(call: Call) -> Response:
    async with call.db.read() as conn:
        await load_owned(conn, tables.documents, call.params["id"], call.account_id, "Document", "write")
    raise not_implemented("Sending documents by email is not available in this version of the local API yet.")


def routes() -> list[Route]:
    return [
        Route("GET", "/documents/{id}/pdf", get_pdf),
        Route("POST", "/documents/{id}/send", send_document),
    ]
