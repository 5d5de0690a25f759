"""Daily totals: documents carry their calendar days, sales_days and tax_days sum each day

A year's VAT report summed every VAT group of the year (570 ms at 300,000 documents). Each document now has
``day`` and ``due_day``, the calendar days of its date and due date where the organization is, and the live
documents of each day are summed into ``sales_days`` (per status, type, currency) and ``tax_days`` (per VAT group),
recounted with every change to a document of that day. The covering indexes follow the days; the VAT groups' own
covering index is no longer read and goes. Text search with thousands of hits ordered them by date from the
documents' rows: an index of (id, organization, deleted, date) orders them without reading a row.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

from si_mcp.models import wirejson
from si_mcp.models.ledger import local_day

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_SALES_BEFORE = (
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
_DUE_BEFORE = (
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
    "reminder_count",
    "reminded_at",
)
_TAX_BEFORE = (
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
_SALES = (
    "organization_id",
    "day",
    "is_deleted",
    "status",
    "type",
    "currency",
    "total_minor",
    "total_with_tax_minor",
    "id",
)
_DUE = (
    "organization_id",
    "status",
    "total_due_minor",
    "type",
    "is_deleted",
    "due_day",
    "currency",
    "client_id",
    "day",
    "reminder_count",
    "reminded_at",
)
_FOUND = ("id", "organization_id", "is_deleted", "date")


def _name(table: str, columns: tuple[str, ...]) -> str:
    return op.f(f"ix_{table}_" + "_".join(columns))


def _keys(with_groups: bool) -> list[sa.Column[object]]:
    columns: list[sa.Column[object]] = [
        sa.Column("organization_id", sa.String(length=24), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
    ]
    if with_groups:
        columns += [
            sa.Column("category", sa.String(length=3), nullable=False),
            sa.Column("rate_e4", sa.BigInteger(), nullable=False),
            sa.Column("reverse_charged", sa.Boolean(), nullable=False),
        ]
    return [*columns, sa.Column("sign", sa.SmallInteger(), nullable=False)]


def upgrade() -> None:
    op.add_column("documents", sa.Column("day", sa.Date(), nullable=True))
    op.add_column("documents", sa.Column("due_day", sa.Date(), nullable=True))
    op.drop_index(_name("documents", _SALES_BEFORE), table_name="documents")
    op.drop_index(_name("documents", _DUE_BEFORE), table_name="documents")
    op.drop_index(_name("document_taxes", _TAX_BEFORE), table_name="document_taxes")
    op.create_index(_name("documents", _SALES), "documents", list(_SALES))
    op.create_index(_name("documents", _DUE), "documents", list(_DUE))
    op.create_index(_name("documents", _FOUND), "documents", list(_FOUND))
    for table, with_groups, values in (
        ("sales_days", False, ("documents", "total_minor", "total_with_tax_minor")),
        ("tax_days", True, ("base_minor", "tax_minor")),
    ):
        keys = _keys(with_groups)
        op.create_table(
            table,
            *keys,
            *(
                sa.Column(name, sa.Integer() if name == "documents" else sa.BigInteger(), nullable=False)
                for name in values
            ),
            sa.ForeignKeyConstraint(
                ["organization_id"], ["organizations.id"], name=op.f(f"fk_{table}_organization_id_organizations")
            ),
            sa.PrimaryKeyConstraint(*(column.name for column in keys), name=op.f(f"pk_{table}")),
        )
    _backfill()


def _backfill() -> None:
    """Every document's days in its organization's zone, then each organization's daily totals. Written against
    the schema of this revision (not the current tables), so that later releases can still upgrade through it."""
    conn = op.get_bind()
    organizations = sa.table("organizations", sa.column("id"), sa.column("data"))
    documents = sa.table(
        "documents",
        *(sa.column(name) for name in ("id", "organization_id", "date", "date_due", "is_deleted", "status", "type")),
        *(sa.column(name) for name in ("currency", "total_minor", "total_with_tax_minor")),
        sa.column("day", sa.Date()),
        sa.column("due_day", sa.Date()),
    )
    taxes = sa.table(
        "document_taxes",
        *(sa.column(name) for name in ("document_id", "category", "rate_e4", "reverse_charged", "sign")),
        *(sa.column(name) for name in ("base_minor", "tax_minor")),
    )
    for organization_id, data in conn.execute(sa.select(organizations.c.id, organizations.c.data)).all():
        timezone = wirejson.loads(data).get("timezone")
        after = ""
        while True:  # keyset pages: memory stays flat however large the books
            rows = conn.execute(
                sa.select(documents.c.id, documents.c.date, documents.c.date_due)
                .where(documents.c.organization_id == organization_id, documents.c.id > after)
                .order_by(documents.c.id)
                .limit(2000)
            ).all()
            if not rows:
                break
            conn.execute(
                sa.update(documents)
                .where(documents.c.id == sa.bindparam("b_id"))
                .values(day=sa.bindparam("b_day"), due_day=sa.bindparam("b_due")),
                [
                    {
                        "b_id": row.id,
                        "b_day": local_day(_naive(row.date), timezone),
                        "b_due": local_day(_naive(row.date_due), timezone) if row.date_due is not None else None,
                    }
                    for row in rows
                ],
            )
            after = rows[-1].id
        d, t = documents.c, taxes.c
        live = (d.organization_id == organization_id, d.is_deleted == sa.false())
        sign = sa.case((d.type != "credit-note", 1), (d.total_with_tax_minor < 0, 1), else_=-1)
        keys = (d.day, d.status, d.type, d.currency)
        organization = sa.literal(organization_id)
        conn.execute(
            sa.table(
                "sales_days",
                *(sa.column(n) for n in ("organization_id", "day", "status", "type", "currency", "sign", "documents")),
                sa.column("total_minor"),
                sa.column("total_with_tax_minor"),
            )
            .insert()
            .from_select(
                ["organization_id", "day", "status", "type", "currency", "sign", "documents"]
                + ["total_minor", "total_with_tax_minor"],
                sa.select(
                    organization,
                    *keys,
                    sign,
                    sa.func.count(),
                    sa.func.coalesce(sa.func.sum(d.total_minor), 0),
                    sa.func.coalesce(sa.func.sum(d.total_with_tax_minor), 0),
                )
                .where(*live)
                .group_by(*keys, sign),
            )
        )
        groups = (t.category, t.rate_e4, t.reverse_charged, t.sign)
        columns = ["organization_id", "day", "status", "type", "currency", "category", "rate_e4", "reverse_charged"]
        columns += ["sign", "base_minor", "tax_minor"]
        conn.execute(
            sa.table("tax_days", *(sa.column(n) for n in columns))
            .insert()
            .from_select(
                columns,
                sa.select(organization, *keys, *groups, sa.func.sum(t.base_minor), sa.func.sum(t.tax_minor))
                .select_from(documents.join(taxes, t.document_id == d.id))
                .where(*live)
                .group_by(*keys, *groups),
            )
        )


def _naive(value: object) -> datetime:
    """A stored timestamp (naive UTC; SQLite may hand back text)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def downgrade() -> None:
    op.drop_table("tax_days")
    op.drop_table("sales_days")
    op.drop_index(_name("documents", _FOUND), table_name="documents")
    op.drop_index(_name("documents", _DUE), table_name="documents")
    op.drop_index(_name("documents", _SALES), table_name="documents")
    op.create_index(_name("document_taxes", _TAX_BEFORE), "document_taxes", list(_TAX_BEFORE))
    op.create_index(_name("documents", _DUE_BEFORE), "documents", list(_DUE_BEFORE))
    op.create_index(_name("documents", _SALES_BEFORE), "documents", list(_SALES_BEFORE))
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("due_day")
        batch.drop_column("day")
