"""Payment reminders: documents count them, the outbox tells reminders from the document's own email

``documents.reminder_count`` and ``reminded_at`` mirror the document's ``reminders`` and ``remindedAt`` (none were
sent before: 0 and NULL), and join the covering index of what is due, so the aging report shows them without
reading documents. ``outbox.kind`` is ``document`` for every email queued before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from si_mcp.models import wirejson

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_DUE = (
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
_REMINDED = ("reminder_count", "reminded_at")


def _name(columns: tuple[str, ...]) -> str:
    return op.f("ix_documents_" + "_".join(columns))


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("reminder_count", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("reminded_at", sa.DateTime(), nullable=True))
    op.drop_index(_name(_DUE), table_name="documents")
    op.create_index(_name(_DUE + _REMINDED), "documents", list(_DUE + _REMINDED))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="document"))
    _backfill()


def _backfill() -> None:
    """Books downgraded and upgraded again keep the reminders their documents record (none before this release)."""
    conn = op.get_bind()
    documents = sa.table(
        "documents", sa.column("id"), sa.column("data"), sa.column("reminder_count"), sa.column("reminded_at")
    )
    after = ""
    while True:  # keyset pages over the documents that mention reminders at all
        rows = conn.execute(
            sa.select(documents.c.id, documents.c.data)
            .where(documents.c.id > after, documents.c.data.like('%"reminders"%'))
            .order_by(documents.c.id)
            .limit(1000)
        ).all()
        if not rows:
            return
        for row in rows:
            data = wirejson.loads(row.data)
            stamp = data.get("remindedAt")
            when = None
            if stamp:
                when = datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)
            conn.execute(
                sa.update(documents)
                .where(documents.c.id == row.id)
                .values(reminder_count=int(data.get("reminders") or 0), reminded_at=when)
            )
        after = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("kind")
    op.drop_index(_name(_DUE + _REMINDED), table_name="documents")
    op.create_index(_name(_DUE), "documents", list(_DUE))
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("reminded_at")
        batch.drop_column("reminder_count")
