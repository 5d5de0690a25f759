"""The ledger: documents and payments carry their money in integer minor units, VAT groups in document_taxes

Documents were JSON with a few scalar columns, so every question about money loaded every document into Python.
Each document row now also holds its status (draft/issued/canceled), currency and totals (net, gross, paid,
credited, due) as integers of the currency's minor unit, which sum exactly in SQL on SQLite and PostgreSQL; each
VAT group (and the net of lines without tax) is a ``document_taxes`` row; each payment has ``amount_minor``. The
JSON stays the wire truth: the columns are derived from it by the same functions the API writes them with.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

from si_mcp.local.resources import ledger_columns, tax_rows
from si_mcp.models import wirejson
from si_mcp.models.money import to_minor

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_BATCH = 1000
_SALES_INDEX = (
    "organization_id",
    "status",
    "date",
    "date_is_day",
    "is_deleted",
    "type",
    "currency",
    "total_minor",
    "total_with_tax_minor",
)
_DUE_INDEX = (
    "organization_id",
    "status",
    "total_due_minor",
    "type",
    "is_deleted",
    "date_due",
    "date_due_is_day",
    "currency",
    "client_id",
    "date",
    "date_is_day",
)
_TAX_INDEX_COLUMNS = (
    "organization_id",
    "status",
    "date",
    "date_is_day",
    "is_deleted",
    "type",
    "currency",
    "category",
    "rate_e4",
    "reverse_charged",
    "sign",
    "base_minor",
    "tax_minor",
)
_TAX_INDEX = "ix_document_taxes_" + "_".join(_TAX_INDEX_COLUMNS)
_LEDGER_COLUMNS = (
    "status",
    "date_is_day",
    "date_due_is_day",
    "currency",
    "total_minor",
    "total_with_tax_minor",
    "total_paid_minor",
    "total_credited_minor",
    "total_due_minor",
)


def upgrade() -> None:
    op.add_column("documents", sa.Column("status", sa.String(length=10), nullable=True))
    op.add_column("documents", sa.Column("date_is_day", sa.Boolean(), nullable=True))
    op.add_column("documents", sa.Column("date_due_is_day", sa.Boolean(), nullable=True))
    op.add_column("documents", sa.Column("currency", sa.String(length=3), nullable=True))
    for name in _LEDGER_COLUMNS[4:]:
        op.add_column("documents", sa.Column(name, sa.BigInteger(), nullable=True))
    for columns in (_SALES_INDEX, _DUE_INDEX):
        op.create_index(op.f("ix_documents_" + "_".join(columns)), "documents", list(columns))
    op.add_column("payments", sa.Column("amount_minor", sa.BigInteger(), nullable=True))
    op.create_table(
        "document_taxes",
        sa.Column("document_id", sa.String(length=24), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.String(length=24), nullable=False),
        sa.Column("rate_e4", sa.BigInteger(), nullable=False),
        sa.Column("category", sa.String(length=3), nullable=False),
        sa.Column("reverse_charged", sa.Boolean(), nullable=False),
        sa.Column("base_minor", sa.BigInteger(), nullable=False),
        sa.Column("tax_minor", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("date_is_day", sa.Boolean(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("sign", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_document_taxes_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_document_taxes_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("document_id", "position", name=op.f("pk_document_taxes")),
    )
    op.create_index(op.f(_TAX_INDEX), "document_taxes", list(_TAX_INDEX_COLUMNS))
    _backfill()


def _backfill() -> None:
    conn = op.get_bind()
    documents = sa.table(
        "documents", *(sa.column(name) for name in ("id", "organization_id", "data", *_LEDGER_COLUMNS))
    )
    payments = sa.table(
        "payments", sa.column("id"), sa.column("document_id"), sa.column("data"), sa.column("amount_minor")
    )
    taxes = sa.table(
        "document_taxes",
        *(
            sa.column(name)
            for name in (
                "document_id",
                "position",
                "organization_id",
                "rate_e4",
                "category",
                "reverse_charged",
                "base_minor",
                "tax_minor",
                "type",
                "status",
                "is_deleted",
                "date",
                "date_is_day",
                "currency",
                "sign",
            )
        ),
    )
    set_ledger = (
        sa.update(documents)
        .where(documents.c.id == sa.bindparam("b_id"))
        .values({name: sa.bindparam(f"b_{name}") for name in _LEDGER_COLUMNS})
    )
    currencies: dict[str, str] = {}
    for rows in _pages(conn, documents, "organization_id"):  # one executemany per page
        values, groups = [], []
        for row in rows:
            document = {**wirejson.loads(row.data), "id": row.id, "organizationId": row.organization_id}
            derived = ledger_columns(document)
            values.append({"b_id": row.id, **{f"b_{name}": derived[name] for name in _LEDGER_COLUMNS}})
            groups += tax_rows(document)
            currencies[row.id] = derived["currency"]
        conn.execute(set_ledger, values)
        if groups:
            conn.execute(sa.insert(taxes), groups)
    set_amount = (
        sa.update(payments).where(payments.c.id == sa.bindparam("b_id")).values(amount_minor=sa.bindparam("b_amount"))
    )
    for paid in _pages(conn, payments, "document_id"):
        amounts = [
            {
                "b_id": row.id,
                "b_amount": to_minor(
                    Decimal(str(wirejson.loads(row.data)["amount"])), currencies.get(row.document_id, "EUR")
                ),
            }
            for row in paid
        ]
        conn.execute(set_amount, amounts)


def _pages(conn: sa.Connection, table: Any, column: str) -> Iterator[Sequence[Any]]:
    """(id, ``column``, data) of every row of ``table`` in keyset pages: each read once, memory stays flat."""
    after = ""
    while True:
        rows = conn.execute(
            sa.select(table.c.id, table.c[column], table.c.data)
            .where(table.c.id > after)
            .order_by(table.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        yield rows
        after = rows[-1].id


def downgrade() -> None:
    op.drop_index(op.f(_TAX_INDEX), table_name="document_taxes")
    op.drop_table("document_taxes")
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("amount_minor")
    for columns in (_SALES_INDEX, _DUE_INDEX):
        op.drop_index(op.f("ix_documents_" + "_".join(columns)), table_name="documents")
    with op.batch_alter_table("documents") as batch:
        for name in reversed(_LEDGER_COLUMNS):
            batch.drop_column(name)
