"""Documents and their payments in the database: payment lists and the paid/due status of a document.

Every payment change calls :func:`refresh_document` in the same transaction, so ``totalPaid``,
``totalDue`` and ``paidInFull`` of the stored document always agree with its payments.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from si_mcp.models import wirejson

from . import tables
from .engine.autofill import apply_payment_status
from .resources import document_row
from .store import loads

__all__ = ["include_payments", "payments_of", "refresh_document", "respond_document"]


_P = tables.payments
_D = tables.documents
_PAYMENTS = (
    sa.select(_P.c.document_id, _P.c.data)
    .where(_P.c.document_id.in_(sa.bindparam("b_ids", expanding=True)), _P.c.is_deleted == sa.false())
    .order_by(_P.c.date, _P.c.created_at, _P.c.id)
)
_DOCUMENT = sa.select(_D.c.data).where(_D.c.id == sa.bindparam("b_id"))


def payments_of(conn: sa.Connection, document_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The live payments of each document, oldest first."""
    found: dict[str, list[dict[str, Any]]] = {document_id: [] for document_id in document_ids}
    if not document_ids:
        return found
    for row in conn.execute(_PAYMENTS, {"b_ids": list(document_ids)}):
        found[row.document_id].append(loads(row.data))
    return found


def include_payments(conn: sa.Connection, documents: list[dict[str, Any]], include: set[str]) -> None:
    """``include=payments`` on document lists."""
    if "payments" not in include:
        return
    by_document = payments_of(conn, [d["id"] for d in documents])
    for document in documents:
        document["payments"] = by_document.get(document["id"], [])


def refresh_document(conn: sa.Connection, document_id: str, now: datetime) -> dict[str, Any]:
    """Recompute a document's payment status from its payments and store it; returns the document."""
    d = tables.documents
    data = conn.execute(_DOCUMENT, {"b_id": document_id}).scalar_one()
    document = loads(data)
    payments = (payments_of(conn, [document_id]))[document_id]
    apply_payment_status(document, [p["amount"] for p in payments])
    document["updatedAt"] = now
    document = loads(wirejson.dumps(document))
    conn.execute(sa.update(d).where(d.c.id == document_id).values(**document_row(document)))
    return document


def respond_document(document: dict[str, Any], payments: list[dict[str, Any]] | None, base_url: str) -> dict[str, Any]:
    """A document as create/get answer it: with ``payments`` when given and the ``pdf`` link."""
    answer = dict(document)
    if payments is not None:
        answer["payments"] = payments
    answer["pdf"] = f"{base_url}/documents/{document['id']}/pdf"
    return answer
