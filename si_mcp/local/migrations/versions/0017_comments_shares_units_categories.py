"""v1 resources: document comments and public share links, units, categories and document categories

``comments`` (internal notes on a document, kept apart so an issued document stays as issued), ``document_shares``
(one public link per document; deleting the row revokes it), ``units``, ``categories`` and ``document_categories``.
On PostgreSQL each table of an organization's books gets the row-level security policy of migration 0013.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLES = ("comments", "document_shares", "units", "categories", "document_categories")
ACTING = "current_setting('si_mcp.account', true)"
VISIBLE = (
    f"({ACTING} = '*' OR organization_id IN (SELECT organization_id FROM account_organizations WHERE account_id = "
    f"{ACTING}))"
)


def _id() -> sa.Column[str]:
    return sa.Column("id", sa.String(length=24), nullable=False)


def _org(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("organization_id", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f(f"fk_{table}_organization_id_organizations")
        ),
    ]


def _document(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("document_id", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name=op.f(f"fk_{table}_document_id_documents")),
    ]


def _row() -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "comments",
        _id(),
        *_org("comments"),
        *_document("comments"),
        sa.Column("account_id", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_comments_account_id_accounts")),
        *_row(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index(op.f("ix_comments_document_id"), "comments", ["document_id"])
    op.create_table(
        "document_shares",
        sa.Column("id", sa.String(length=64), nullable=False),
        *_org("document_shares"),
        *_document("document_shares"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_shares")),
        sa.UniqueConstraint("document_id", name=op.f("uq_document_shares_document_id")),
    )
    for table, width in (("units", 100), ("categories", 200)):
        op.create_table(
            table,
            _id(),
            *_org(table),
            sa.Column("name", sa.String(length=width), nullable=False),
            *_row(),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        )
        op.create_index(op.f(f"ix_{table}_organization_id_name"), table, ["organization_id", "name"])
    op.create_table(
        "document_categories",
        _id(),
        *_org("document_categories"),
        *_document("document_categories"),
        sa.Column("category_id", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_document_categories_category_id_categories")
        ),
        *_row(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_categories")),
    )
    op.create_index(op.f("ix_document_categories_document_id"), "document_categories", ["document_id"])
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY organization_books ON {table} USING {VISIBLE} WITH CHECK {VISIBLE}")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
