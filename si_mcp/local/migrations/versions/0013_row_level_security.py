"""Row-level security on PostgreSQL: a second wall between organizations

Every query of the local API is filtered by organization in the data layer. On PostgreSQL the database now enforces
it too: each transaction names the account it acts for (``si_mcp.account``, set by ``Database``; ``*`` for the
schedulers and migrations), and the rows of an organization that account is not a member of are invisible and cannot
be written, also to the tables' owner (``FORCE``). A query that forgets its organization filter returns nothing of
other organizations; a transaction that names no account sees no organization's rows at all.

``account_organizations`` (the memberships the policies read) and the account tables have no policy: they hold no
organization's books. Nothing changes on SQLite (one file, one process owner).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The tables holding an organization's books, as of this revision (a later table gets its policy in its migration).
BOOKS = (
    "clients",
    "defaults",
    "document_counters",
    "documents",
    "items",
    "sales_days",
    "tax_days",
    "taxes",
    "action_keys",
    "document_search",
    "document_taxes",
    "outbox",
    "payments",
    "recurrences",
)
# An uncorrelated sub-select: PostgreSQL runs it once per statement (a hashed sub-plan), not once per row.
ACTING = "current_setting('si_mcp.account', true)"
MEMBER_OF = f"SELECT organization_id FROM account_organizations WHERE account_id = {ACTING}"
VISIBLE = f"({ACTING} = '*' OR {{column}} IN ({MEMBER_OF}))"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in BOOKS:
        _protect(table)
        rule = VISIBLE.format(column="organization_id")
        op.execute(f"CREATE POLICY organization_books ON {table} USING {rule} WITH CHECK {rule}")
    # A new organization is inserted before its first membership: inserting one reveals nothing.
    _protect("organizations")
    rule = VISIBLE.format(column="id")
    op.execute(f"CREATE POLICY organization_read ON organizations FOR SELECT USING {rule}")
    op.execute(f"CREATE POLICY organization_change ON organizations FOR UPDATE USING {rule} WITH CHECK {rule}")
    op.execute(f"CREATE POLICY organization_delete ON organizations FOR DELETE USING {rule}")
    op.execute("CREATE POLICY organization_insert ON organizations FOR INSERT WITH CHECK (true)")
    # Occurrences of a recurrence: visible with their recurrence (whose own policy applies inside the sub-select).
    _protect("recurrence_dates")
    rule = "(recurrence_id IN (SELECT id FROM recurrences))"
    op.execute(f"CREATE POLICY organization_books ON recurrence_dates USING {rule} WITH CHECK {rule}")


def _protect(table: str) -> None:
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in (*BOOKS, "recurrence_dates"):
        op.execute(f"DROP POLICY organization_books ON {table}")
    for policy in ("organization_read", "organization_change", "organization_delete", "organization_insert"):
        op.execute(f"DROP POLICY {policy} ON organizations")
    for table in (*BOOKS, "organizations", "recurrence_dates"):
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
