"""Emails say what they carry: outbox.attachments

An email used to carry the document's PDF only. Now it carries what was chosen when it was queued: the PDF or the
Factur-X PDF (the organization default ``einvoice=factur-x``), and the Peppol UBL when asked for (per send, or as the
client's ``attachUbl``). Kept on the row so a retry sends what was queued; NULL (rows queued before) is the PDF.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("attachments", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("attachments")
