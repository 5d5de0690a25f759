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

from si_mcp.local.engine.autofill import apply_payment_status, as_decimal, credited_amount
from si_mcp.models import wirejson

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
    sa.column("document_id", sa.String()),
    sa.column("is_deleted", sa.Boolean()),
    sa.column("data", sa.Text()),
)


def _in_force(document: dict[str, Any]) -> bool:
    return not document.get("draft") and not document.get("canceled") and not document.get("_isDeleted")


def _credit(credit: dict[str, Any], targets: list[dict[str, Any]]) -> dict[str, Decimal]:
    """What an older credit note credits to each invoice or advance it names, in order, up to what remains."""
    left = abs(as_decimal(credit["totalWithTax"]))
    shares = {}
    for target in targets:
        if target["type"] not in ("invoice", "advance") or not _in_force(target):
            continue
        remaining = abs(as_decimal(target["totalWithTax"])) - abs(credited_amount(target))
        shares[target["id"]] = min(left, max(remaining, Decimal(0)))
        left -= shares[target["id"]]
    return shares


def upgrade() -> None:
    conn = op.get_bind()
    d = _documents
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
            if i in loaded and loaded[i]["organizationId"] == document["organizationId"]
        ]
        shares = _credit(document, targets) if document["type"] == "credit-note" else {}
        document["_relatedDocuments"] = [
            {"id": t["id"], "type": t["type"], "number": t.get("number"), "date": t.get("date")}
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
            kept = [r for r in target.get("_referencedBy") or [] if r["id"] != document["id"]]
            amount = {"amount": entry["amount"]} if "amount" in entry else {}
            target["_referencedBy"] = [*kept, back | amount]
            touched.add(target["id"])
    p = _payments
    for document_id in sorted(touched):
        document = loaded[document_id]
        query = sa.select(p.c.data).where(p.c.document_id == document_id, p.c.is_deleted == sa.false())
        amounts = [wirejson.loads(data)["amount"] for data in conn.execute(query).scalars()]
        apply_payment_status(document, amounts)
        values = {"data": wirejson.dumps(document), "paid_in_full": bool(document["paidInFull"])}
        conn.execute(sa.update(d).where(d.c.id == document_id).values(**values))


def downgrade() -> None:
    # The links are derived data the older code ignores; leaving them in place is harmless.
    pass
