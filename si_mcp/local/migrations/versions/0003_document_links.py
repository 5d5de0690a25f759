"""Documents know who refers to them: backfill ``_referencedBy`` and what earlier credit notes credit

Until this revision a credit note (or an invoice made from an estimate) named what it refers to only in
``documentIds``: the corrected invoice did not know its credit notes, and its ``totalDue`` ignored them.
This revision replays every document in force (issued, not canceled, not deleted) that names others, oldest
first, the way the API now links them on create: it writes ``_relatedDocuments`` (with what a credit note
credits to each invoice, never more than remains of it), adds the document to the ``_referencedBy`` of each
document it names, and recomputes ``totalCredited``, ``totalDue`` and ``paidInFull`` of every document touched.
No column changes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

from si_mcp.models import wirejson
from si_mcp.models.money import round_money

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_documents = sa.table(
    "documents",
    sa.column("id", sa.String()),
    sa.column("organization_id", sa.String()),
    sa.column("draft", sa.Boolean()),
    sa.column("canceled", sa.Boolean()),
    sa.column("is_deleted", sa.Boolean()),
    sa.column("paid_in_full", sa.Boolean()),
    sa.column("created_at", sa.DateTime()),
    sa.column("data", sa.Text()),
)
_payments = sa.table(
    "payments",
    sa.column("id", sa.String()),
    sa.column("document_id", sa.String()),
    sa.column("is_deleted", sa.Boolean()),
    sa.column("data", sa.Text()),
)

# The rules as they were when this revision was written (the live code may move on; a migration must not).


def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


def _in_force(document: dict[str, Any]) -> bool:
    return not document.get("draft") and not document.get("canceled") and not document.get("_isDeleted")


def _credited(document: dict[str, Any]) -> Decimal:
    """What credit notes settle of ``document``, with its own sign."""
    if document["type"] == "credit-note":
        entries = document.get("_relatedDocuments") or [] if _in_force(document) else []
    else:
        entries = [r for r in document.get("_referencedBy") or [] if r["type"] == "credit-note"]
    credited = sum((_dec(e["amount"]) for e in entries if e.get("amount") is not None), Decimal(0))
    return -credited if _dec(document["totalWithTax"]) < 0 else credited


def _status(document: dict[str, Any], amounts: list[Decimal]) -> None:
    """totalCredited, totalPaid, totalDue and paidInFull from credits and payments (engine/calc.py, point 8)."""
    currency = str(document["currencyId"])
    total, credited = _dec(document["totalWithTax"]), _credited(document)
    paid = round_money(sum(amounts, Decimal(0)), currency)
    covered = paid + credited
    settled = covered >= total if total > 0 else total < 0 and covered <= total
    document["totalCredited"] = wirejson.normalize_number(credited)
    document["totalPaid"] = wirejson.normalize_number(paid)
    document["totalDue"] = wirejson.normalize_number(round_money(total - covered, currency))
    document["paidInFull"] = settled


def _shares(credit: dict[str, Any], targets: list[dict[str, Any]]) -> dict[str, Decimal]:
    """What an older credit note credits to each invoice or advance it names, in order, up to what remains."""
    left = abs(_dec(credit["totalWithTax"]))
    shares = {}
    for target in targets:
        if target["type"] not in ("invoice", "advance") or not _in_force(target):
            continue
        remaining = abs(_dec(target["totalWithTax"])) - abs(_credited(target))
        shares[target["id"]] = min(left, max(remaining, Decimal(0)))
        left -= shares[target["id"]]
    return shares


def upgrade() -> None:
    conn = op.get_bind()
    d, p = _documents, _payments
    live = d.c.is_deleted == sa.false()
    # Only documents whose JSON names others (documentIds is written compactly, empty as []).
    names_others = d.c.data.like('%"documentIds":["%')
    query = sa.select(d.c.id, d.c.data).where(live, names_others).order_by(d.c.created_at, d.c.id)
    loaded: dict[str, dict[str, Any]] = {row.id: wirejson.loads(row.data) for row in conn.execute(query)}
    referrers = list(loaded.values())
    wanted = {i for document in referrers for i in document["documentIds"]} - set(loaded)
    for chunk in (sorted(wanted)[n : n + 500] for n in range(0, len(wanted), 500)):
        for row in conn.execute(sa.select(d.c.id, d.c.data).where(live, d.c.id.in_(chunk))):
            loaded[row.id] = wirejson.loads(row.data)
    touched: set[str] = set()
    for document in referrers:
        targets = [
            loaded[i]
            for i in dict.fromkeys(document["documentIds"])
            if i in loaded and loaded[i]["organizationId"] == document["organizationId"] and i != document["id"]
        ]
        shares = _shares(document, targets) if document["type"] == "credit-note" and _in_force(document) else {}
        # Snapshots already written (number and date as they read then) are kept.
        kept = {e["id"]: e for e in document.get("_relatedDocuments") or []}
        document["_relatedDocuments"] = [
            {k: v for k, v in kept.get(t["id"], t).items() if k in ("id", "type", "number", "date")}
            | ({"amount": wirejson.normalize_number(shares[t["id"]])} if t["id"] in shares else {})
            for t in targets
        ]
        touched.add(document["id"])
        if not _in_force(document):
            continue
        back = {"id": document["id"], "type": document["type"], "number": document.get("number")}
        back["date"] = document.get("date")
        for entry in document["_relatedDocuments"]:
            target = loaded[entry["id"]]
            if not _in_force(target) or ("amount" in entry and not entry["amount"]):
                continue
            others = [r for r in target.get("_referencedBy") or [] if r["id"] != document["id"]]
            amount = {"amount": entry["amount"]} if "amount" in entry else {}
            target["_referencedBy"] = [*others, back | amount]
            touched.add(target["id"])
        if shares and any(shares.values()):
            _move_refunds(conn, document, next(i for i, share in shares.items() if share), touched)
    for document_id in sorted(touched):
        document = loaded[document_id]
        query = sa.select(p.c.data).where(p.c.document_id == document_id, p.c.is_deleted == sa.false())
        amounts = [_dec(wirejson.loads(data)["amount"]) for data in conn.execute(query).scalars()]
        _status(document, amounts)
        values = {"data": wirejson.dumps(document), "paid_in_full": bool(document["paidInFull"])}
        conn.execute(sa.update(d).where(d.c.id == document_id).values(**values))


def _move_refunds(conn: sa.Connection, credit: dict[str, Any], invoice_id: str, touched: set[str]) -> None:
    """Refunds recorded on a credit note (the old way) move to the invoice it credits, as money paid back.

    Its amount now settles the invoice, so the refund is where the money owed back shows: a payment on a negative
    credit note (−121) or a positive one (+121) becomes −121 on the invoice.
    """
    p = _payments
    query = sa.select(p.c.id, p.c.data).where(p.c.document_id == credit["id"], p.c.is_deleted == sa.false())
    for row in conn.execute(query).all():
        payment = wirejson.loads(row.data)
        amount = _dec(payment["amount"])
        payment["amount"] = wirejson.normalize_number(amount if _dec(credit["totalWithTax"]) < 0 else -amount)
        payment["documentId"] = invoice_id
        values = {"document_id": invoice_id, "data": wirejson.dumps(payment)}
        conn.execute(sa.update(p).where(p.c.id == row.id).values(**values))
        touched.add(invoice_id)


def downgrade() -> None:
    # The links are derived data the older code ignores; leaving them in place is harmless.
    pass
