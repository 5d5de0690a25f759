"""Documents, their payments and their links in the database: the paid/credited/due status of a document.

Every payment change calls :func:`refresh_document` in the same transaction, so ``totalPaid``,
``totalDue`` and ``paidInFull`` of the stored document always agree with its payments. Links work the same
way: a document in force (issued, not canceled) that names others in ``documentIds`` is recorded in their
``_referencedBy`` by :func:`link_document` when it comes into force, and removed by :func:`unlink_document`
when it is canceled, so an invoice knows its credit notes (and ``totalCredited`` what they settle) and an
estimate knows the invoice made from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from si_mcp.models import wirejson
from si_mcp.models.ledger import local_day

from . import tables
from .engine.autofill import apply_payment_status, as_decimal
from .resources import document_row, search_body, stamp, tax_rows
from .store import loads

__all__ = [
    "SALES_SIGN",
    "currency_of",
    "include_payments",
    "link_document",
    "linked",
    "payments_of",
    "recount_days",
    "refresh_document",
    "relocate_documents",
    "respond_document",
    "store_taxes",
    "unlink_document",
]


_P = tables.payments
_D = tables.documents
_PAYMENTS = (
    sa.select(_P.c.document_id, _P.c.data)
    .where(_P.c.document_id.in_(sa.bindparam("b_ids", expanding=True)), _P.c.is_deleted == sa.false())
    .order_by(_P.c.date, _P.c.created_at, _P.c.id)
)
_DOCUMENT = sa.select(_D.c.data).where(_D.c.id == sa.bindparam("b_id"))
# models.ledger.sales_sign in SQL: a credit note counts against sales whichever sign its lines carry.
SALES_SIGN = sa.case((_D.c.type != "credit-note", 1), (_D.c.total_with_tax_minor < 0, 1), else_=-1)


def payments_of(conn: sa.Connection, document_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The live payments of each document, oldest first."""
    found: dict[str, list[dict[str, Any]]] = {document_id: [] for document_id in document_ids}
    if not document_ids:
        return found
    for row in conn.execute(_PAYMENTS, {"b_ids": list(document_ids)}):
        found[row.document_id].append(loads(row.data))
    return found


def store_taxes(conn: sa.Connection, document: dict[str, Any]) -> None:
    """Write the document's VAT groups to ``document_taxes``, its days, the daily totals of the days it leaves and
    enters, and its search text (after its row, in the same transaction)."""
    t = tables.document_taxes
    conn.execute(sa.delete(t).where(t.c.document_id == document["id"]))
    rows = tax_rows(document)
    if rows:
        conn.execute(sa.insert(t), rows)
    organization_id = document["organizationId"]
    o = tables.organizations
    zone = conn.execute(sa.select(o.c.data).where(o.c.id == organization_id)).scalar_one()
    before = conn.execute(sa.select(_D.c.day).where(_D.c.id == document["id"])).scalar()
    day, due_day = _days(document, loads(zone).get("timezone"))
    conn.execute(sa.update(_D).where(_D.c.id == document["id"]).values(day=day, due_day=due_day))
    recount_days(conn, organization_id, {day} if before is None else {day, before})
    store_search(conn, document)


def _days(document: dict[str, Any], timezone: str | None) -> tuple[date, date | None]:
    """The calendar days of a document's date and due date where its organization is."""
    due = stamp(document["dateDue"]) if document.get("dateDue") else None
    return local_day(stamp(document["date"]), timezone), local_day(due, timezone) if due is not None else None


def recount_days(conn: sa.Connection, organization_id: str, days: Iterable[date] | None = None) -> None:
    """Recompute the daily totals (``sales_days``, ``tax_days``) of ``days`` (every day when None) from the live
    documents of those days: a derived table rebuilt from its source, never adjusted by differences that could
    drift."""
    t, sales, taxes = tables.document_taxes, tables.sales_days, tables.tax_days
    chosen = sorted(set(days)) if days is not None else None
    for table in (sales, taxes):
        delete = sa.delete(table).where(table.c.organization_id == organization_id)
        conn.execute(delete if chosen is None else delete.where(table.c.day.in_(chosen)))
    live = [_D.c.organization_id == organization_id, _D.c.is_deleted == sa.false(), _D.c.day.is_not(None)]
    if chosen is not None:
        live.append(_D.c.day.in_(chosen))
    keys = (_D.c.day, _D.c.status, _D.c.type, _D.c.currency)
    conn.execute(
        sa.insert(sales).from_select(
            ["organization_id", "day", "status", "type", "currency", "sign", "documents"]
            + ["total_minor", "total_with_tax_minor"],
            sa.select(
                sa.literal(organization_id),
                *keys,
                SALES_SIGN,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(_D.c.total_minor), 0),
                sa.func.coalesce(sa.func.sum(_D.c.total_with_tax_minor), 0),
            )
            .where(*live)
            .group_by(*keys, SALES_SIGN),
        )
    )
    groups = (t.c.category, t.c.rate_e4, t.c.reverse_charged, t.c.sign)
    conn.execute(
        sa.insert(taxes).from_select(
            ["organization_id", "day", "status", "type", "currency", "category", "rate_e4", "reverse_charged"]
            + ["sign", "base_minor", "tax_minor"],
            sa.select(
                sa.literal(organization_id), *keys, *groups, sa.func.sum(t.c.base_minor), sa.func.sum(t.c.tax_minor)
            )
            .select_from(_D.join(t, t.c.document_id == _D.c.id))
            .where(*live)
            .group_by(*keys, *groups),
        )
    )


def relocate_documents(conn: sa.Connection, organization_id: str, timezone: str | None) -> None:
    """The organization moved to ``timezone``: its documents dated by an instant may now fall on other days, so
    every document's days are placed again and the daily totals recounted."""
    after = ""
    while True:  # keyset pages: memory stays flat however large the books
        rows = conn.execute(
            sa.select(_D.c.id, _D.c.date, _D.c.date_due)
            .where(
                _D.c.organization_id == organization_id,
                _D.c.id > after,
                # A bare day stays where it is in any zone: only documents dated (or due) at an instant move.
                sa.or_(
                    _D.c.date_is_day.is_not(True),
                    sa.and_(_D.c.date_due.is_not(None), _D.c.date_due_is_day.is_not(True)),
                ),
            )
            .order_by(_D.c.id)
            .limit(2000)
        ).all()
        if not rows:
            break
        conn.execute(
            sa.update(_D)
            .where(_D.c.id == sa.bindparam("b_id"))
            .values(day=sa.bindparam("b_day"), due_day=sa.bindparam("b_due")),
            [
                {
                    "b_id": row.id,
                    "b_day": local_day(row.date, timezone),
                    "b_due": local_day(row.date_due, timezone) if row.date_due is not None else None,
                }
                for row in rows
            ],
        )
        after = rows[-1].id
    recount_days(conn, organization_id)


def store_search(conn: sa.Connection, document: dict[str, Any]) -> None:
    """Write what text search looks in for the document (its ``document_search`` row; SQLite's FTS index follows
    by trigger), in the same transaction as the document."""
    s = tables.document_search
    body = search_body(document)
    if conn.execute(sa.update(s).where(s.c.document_id == document["id"]).values(body=body)).rowcount == 0:
        conn.execute(
            sa.insert(s).values(document_id=document["id"], organization_id=document["organizationId"], body=body)
        )


def currency_of(conn: sa.Connection, document_id: str) -> str:
    return str(conn.execute(sa.select(_D.c.currency).where(_D.c.id == document_id)).scalar_one() or "EUR")


def include_payments(conn: sa.Connection, documents: list[dict[str, Any]], include: set[str]) -> None:
    """``include=payments`` on document lists."""
    if "payments" not in include:
        return
    by_document = payments_of(conn, [d["id"] for d in documents])
    for document in documents:
        document["payments"] = by_document.get(document["id"], [])


def refresh_document(
    conn: sa.Connection,
    document_id: str,
    now: datetime,
    change: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Recompute a document's status from its credits and payments (after ``change``) and store it; returns it."""
    d = tables.documents
    data = conn.execute(_DOCUMENT, {"b_id": document_id}).scalar_one()
    document = loads(data)
    if change is not None:
        change(document)
    payments = (payments_of(conn, [document_id]))[document_id]
    apply_payment_status(document, [p["amount"] for p in payments])
    document["updatedAt"] = now
    document = loads(wirejson.dumps(document))
    conn.execute(sa.update(d).where(d.c.id == document_id).values(**document_row(document)))
    return document


def linked(document: dict[str, Any]) -> bool:
    """Whether ``document`` is in force, so that the documents it names know of it."""
    return not document.get("draft") and not document.get("canceled") and not document.get("_isDeleted")


def link_document(conn: sa.Connection, document: dict[str, Any], now: datetime) -> None:
    """Record ``document`` (just stored, in force) in the ``_referencedBy`` of each document it names."""
    back = {"id": document["id"], "type": document["type"], "number": document.get("number")}
    back["date"] = document.get("date")
    for entry in document.get("_relatedDocuments") or []:
        if entry.get("amount") is not None and not as_decimal(entry["amount"]):
            continue  # a credit note's amount ran out before this document: it credits nothing of it
        reference = {**back, "amount": entry["amount"]} if entry.get("amount") is not None else back

        def add(target: dict[str, Any], reference: dict[str, Any] = reference) -> None:
            kept = [r for r in target.get("_referencedBy") or [] if r["id"] != document["id"]]
            target["_referencedBy"] = [*kept, reference]

        refresh_document(conn, entry["id"], now, add)


def unlink_document(conn: sa.Connection, document: dict[str, Any], now: datetime) -> None:
    """Remove ``document`` (canceled, or about to be replaced) from the documents it names."""

    def remove(target: dict[str, Any]) -> None:
        target["_referencedBy"] = [r for r in target.get("_referencedBy") or [] if r["id"] != document["id"]]

    for entry in document.get("_relatedDocuments") or []:
        refresh_document(conn, entry["id"], now, remove)


def respond_document(document: dict[str, Any], payments: list[dict[str, Any]] | None, base_url: str) -> dict[str, Any]:
    """A document as create/get answer it: with ``payments`` when given and the ``pdf`` link."""
    answer = dict(document)
    if payments is not None:
        answer["payments"] = payments
    answer["pdf"] = f"{base_url}/documents/{document['id']}/pdf"
    return answer
