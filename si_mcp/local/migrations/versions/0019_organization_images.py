"""Organization images (the logo printed on PDFs, a signature): ``organization_images``

One image per organization and type, its bytes in the books (so every replica prints the same logo). On PostgreSQL
the table gets the row-level security policy of migration 0013.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

ACTING = "current_setting('si_mcp.account', true)"
VISIBLE = (
    f"({ACTING} = '*' OR organization_id IN (SELECT organization_id FROM account_organizations WHERE account_id = "
    f"{ACTING}))"
)


def upgrade() -> None:
    op.create_table(
        "organization_images",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("organization_id", sa.String(length=24), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_organization_images_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_images")),
        sa.UniqueConstraint("organization_id", "type", name=op.f("uq_organization_images_organization_id_type")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE organization_images ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE organization_images FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY organization_books ON organization_images USING {VISIBLE} WITH CHECK {VISIBLE}")


def downgrade() -> None:
    op.drop_table("organization_images")
