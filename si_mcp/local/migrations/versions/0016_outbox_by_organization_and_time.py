"""The sending limits count an organization's recent emails: an index on outbox (organization_id, created_at)

Every send counts the organization's emails of the last minute and day inside the writing transaction; without the
index that count reads the organization's whole outbox while every other write waits.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.create_index(batch.f("ix_outbox_organization_id_created_at"), ["organization_id", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(batch.f("ix_outbox_organization_id_created_at"))
