"""Sends and reminders take an Idempotency-Key: action_keys

One confirmed send acted on by two MCP replicas (sharing the confirmation secret) could email twice. A send or a
reminder made with an ``Idempotency-Key`` header is now recorded with its answer, and the same request again gets
that answer instead of another email.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "action_keys",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("organization_id", sa.String(length=24), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.String(length=24), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name=op.f("fk_action_keys_document_id_documents")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_action_keys_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_keys")),
        sa.UniqueConstraint("organization_id", "key", name=op.f("uq_action_keys_organization_id_key")),
    )


def downgrade() -> None:
    op.drop_table("action_keys")
