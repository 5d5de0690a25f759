"""Default notes in the organization's language, without payment instructions

The first release seeded every organization with Space Invoices' English notes; the invoice note asked for payment
to "[IBAN]" (printed "Please pay to bank account ." without one, and still asking once the invoice was paid). A
default an organization never changed is replaced with the note new organizations get in its language; the PDF's
payment block says where to pay, only when there is an IBAN and something is due. Changed defaults stay as they are.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from si_mcp.models import wirejson
from si_mcp.models.notes import FIRST_RELEASE_NOTES, default_note

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_defaults = sa.table(
    "defaults",
    sa.column("id", sa.String()),
    sa.column("organization_id", sa.String()),
    sa.column("name", sa.String()),
    sa.column("data", sa.Text()),
)
_organizations = sa.table("organizations", sa.column("id", sa.String()), sa.column("data", sa.Text()))


def upgrade() -> None:
    conn = op.get_bind()
    d, o = _defaults, _organizations
    rows = conn.execute(
        sa.select(d.c.id, d.c.organization_id, d.c.name, d.c.data).where(d.c.name.in_(list(FIRST_RELEASE_NOTES)))
    ).all()
    locales: dict[str, str] = {}
    for row in rows:
        default: dict[str, Any] = wirejson.loads(row.data)
        if default.get("value") != FIRST_RELEASE_NOTES[row.name]:
            continue  # the organization wrote its own
        if row.organization_id not in locales:
            data = conn.execute(sa.select(o.c.data).where(o.c.id == row.organization_id)).scalar()
            locales[row.organization_id] = str(wirejson.loads(data).get("locale") or "en") if data else "en"
        default["value"] = default_note(row.name, locales[row.organization_id])
        conn.execute(sa.update(d).where(d.c.id == row.id).values(data=wirejson.dumps(default)))


def downgrade() -> None:
    # The older code reads any note text; the localized ones are fine there.
    pass
