"""Outbox: recipients, copy and language in their own columns; next_attempt_at for retries and claims

Revision 0001 packed ``{"to": [...], "copy": [...], "language": "nl"}`` as JSON into ``recipients``.
This revision unpacks it: ``recipients`` and ``copy_to`` become comma-separated address lists,
``language`` its own column, and ``next_attempt_at`` says when a row may be claimed next (so the
due rows are found by the database, and a claim by a live process is not taken over).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_outbox = sa.table(
    "outbox",
    sa.column("id", sa.String()),
    sa.column("attempts", sa.Integer()),
    sa.column("recipients", sa.Text()),
    sa.column("copy_to", sa.Text()),
    sa.column("language", sa.String()),
    sa.column("created_at", sa.DateTime()),
    sa.column("next_attempt_at", sa.DateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("copy_to", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))

    conn = op.get_bind()
    o = _outbox
    for row in conn.execute(sa.select(o.c.id, o.c.attempts, o.c.recipients, o.c.created_at)).all():
        packed = json.loads(row.recipients)
        # 0001's retry schedule: attempt n (n >= 2) was due 4**(n-2) minutes after the row was queued.
        due = row.created_at + timedelta(minutes=4 ** (row.attempts - 1)) if row.attempts else row.created_at
        conn.execute(
            sa.update(o)
            .where(o.c.id == row.id)
            .values(
                recipients=", ".join(packed.get("to", [])),
                copy_to=", ".join(packed.get("copy", [])),
                language=packed.get("language") or "",
                next_attempt_at=due,
            )
        )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("copy_to", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("language", existing_type=sa.String(length=16), nullable=False)
        batch_op.alter_column("next_attempt_at", existing_type=sa.DateTime(), nullable=False)
        batch_op.create_index(batch_op.f("ix_outbox_next_attempt_at"), ["next_attempt_at"], unique=False)


def downgrade() -> None:
    conn = op.get_bind()
    o = _outbox
    for row in conn.execute(sa.select(o.c.id, o.c.recipients, o.c.copy_to, o.c.language)).all():
        packed = {
            "to": [a for a in row.recipients.split(", ") if a],
            "copy": [a for a in row.copy_to.split(", ") if a],
            "language": row.language,
        }
        conn.execute(sa.update(o).where(o.c.id == row.id).values(recipients=json.dumps(packed)))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_next_attempt_at"))
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("language")
        batch_op.drop_column("copy_to")
