"""Recurring invoices: recurrences and the occurrences they issued

A recurrence repeats a template document every week, month or year. ``recurrence_dates`` records each issued
occurrence under a unique (recurrence, iteration) key, so that no restart or second process issues one twice.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recurrences",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("organization_id", sa.String(length=24), nullable=False),
        sa.Column("document_id", sa.String(length=24), nullable=False),
        sa.Column("account_id", sa.String(length=24), nullable=False),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("next_iteration", sa.Integer(), nullable=False),
        sa.Column("next_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_recurrences_account_id_accounts")),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name=op.f("fk_recurrences_document_id_documents")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_recurrences_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurrences")),
    )
    op.create_index(
        "uq_recurrences_live_document_id",
        "recurrences",
        ["document_id"],
        unique=True,
        sqlite_where=sa.text("NOT is_deleted"),
        postgresql_where=sa.text("NOT is_deleted"),
    )
    op.create_index(
        op.f("ix_recurrences_organization_id_created_at"),
        "recurrences",
        ["organization_id", "created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_recurrences_next_date_is_deleted_paused"),
        "recurrences",
        ["next_date", "is_deleted", "paused"],
        unique=False,
    )
    op.create_table(
        "recurrence_dates",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("recurrence_id", sa.String(length=24), nullable=False),
        sa.Column("iteration", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("document_id", sa.String(length=24), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_recurrence_dates_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["recurrence_id"], ["recurrences.id"], name=op.f("fk_recurrence_dates_recurrence_id_recurrences")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurrence_dates")),
        sa.UniqueConstraint("recurrence_id", "iteration", name=op.f("uq_recurrence_dates_recurrence_id_iteration")),
    )


def downgrade() -> None:
    op.drop_table("recurrence_dates")
    op.drop_index(op.f("ix_recurrences_next_date_is_deleted_paused"), table_name="recurrences")
    op.drop_index(op.f("ix_recurrences_organization_id_created_at"), table_name="recurrences")
    op.drop_index("uq_recurrences_live_document_id", table_name="recurrences")
    op.drop_table("recurrences")
