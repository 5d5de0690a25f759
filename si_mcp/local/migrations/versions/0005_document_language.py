"""Every document records the language it was written in

Documents now carry ``locale`` (the request's, the corrected document's, the client's, else the organization's), so
that an organization changing its language later does not change the language of what it already issued. Documents
written before know no language of their own: they were written in their organization's, which they record now.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from si_mcp.models import wirejson

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_BATCH = 1000
_documents = sa.table(
    "documents", sa.column("id", sa.String()), sa.column("organization_id", sa.String()), sa.column("data", sa.Text())
)
_organizations = sa.table("organizations", sa.column("id", sa.String()), sa.column("data", sa.Text()))


def upgrade() -> None:
    conn = op.get_bind()
    d, o = _documents, _organizations
    locales = {
        row.id: str(wirejson.loads(row.data).get("locale") or "en") for row in conn.execute(sa.select(o.c.id, o.c.data))
    }
    after = ""
    while True:  # keyset pages: every document is read once, memory stays flat
        rows = conn.execute(
            sa.select(d.c.id, d.c.organization_id, d.c.data).where(d.c.id > after).order_by(d.c.id).limit(_BATCH)
        ).all()
        if not rows:
            return
        changed = []
        for row in rows:
            document = wirejson.loads(row.data)
            if not document.get("locale"):
                document["locale"] = locales.get(row.organization_id, "en")
                changed.append({"b_id": row.id, "b_data": wirejson.dumps(document)})
        if changed:  # one executemany per page
            update = sa.update(d).where(d.c.id == sa.bindparam("b_id")).values(data=sa.bindparam("b_data"))
            conn.execute(update, changed)
        after = rows[-1].id


def downgrade() -> None:
    # Older code keeps unknown fields of a document as they are.
    pass
