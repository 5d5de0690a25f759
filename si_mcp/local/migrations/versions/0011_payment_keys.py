"""Payments take an idempotency key: payments.unique_id and request_fingerprint, unique per organization

A confirmed payment sent twice (a retry, or two MCP replicas holding one confirmation) was recorded twice. A payment
created with a ``uniqueId`` is now found again by it: the same request answers the same payment.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("unique_id", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("request_fingerprint", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_payments_organization_id_unique_id"), ["organization_id", "unique_id"])


def downgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.drop_constraint(op.f("uq_payments_organization_id_unique_id"), type_="unique")
        batch.drop_column("request_fingerprint")
        batch.drop_column("unique_id")
