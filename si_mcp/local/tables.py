"""The schema of the local books (SQLAlchemy Core).

Each resource row keeps its canonical wire JSON in ``data`` (written with :func:`wirejson.dumps`, so amounts
stay exact Decimals) and copies into indexed scalar columns only what is filtered, ordered or joined on.
Money never lives in a REAL/NUMERIC column. Timestamps are naive UTC. The migrations in
``si_mcp/local/migrations`` must produce exactly this schema (a test compares them).
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = [
    "access_tokens",
    "account_organizations",
    "accounts",
    "clients",
    "defaults",
    "document_counters",
    "documents",
    "items",
    "metadata",
    "organizations",
    "outbox",
    "payments",
    "taxes",
]

# Stable constraint names, so migrations (batch mode on SQLite) can address them.
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_ID = 24
_ORG_FK = "organizations.id"


def _id() -> sa.Column[str]:
    return sa.Column("id", sa.String(_ID), primary_key=True)


def _org() -> sa.Column[str]:
    return sa.Column("organization_id", sa.String(_ID), sa.ForeignKey(_ORG_FK), nullable=False)


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]


def _data() -> sa.Column[str]:
    return sa.Column("data", sa.Text(), nullable=False)


def _deleted() -> sa.Column[bool]:
    return sa.Column("is_deleted", sa.Boolean(), nullable=False, default=False)


accounts = sa.Table(
    "accounts",
    metadata,
    _id(),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(300), nullable=False),
    *_stamps(),
    _data(),
)

access_tokens = sa.Table(
    "access_tokens",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("account_id", sa.String(_ID), sa.ForeignKey("accounts.id"), nullable=False, index=True),
    sa.Column("ttl", sa.Integer(), nullable=False),
    sa.Column("created", sa.DateTime(), nullable=False),
)

organizations = sa.Table(
    "organizations",
    metadata,
    _id(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("country_alpha2_code", sa.String(2), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    *_stamps(),
    _data(),
)

account_organizations = sa.Table(
    "account_organizations",
    metadata,
    _id(),
    sa.Column("account_id", sa.String(_ID), sa.ForeignKey("accounts.id"), nullable=False),
    _org(),
    sa.Column("role", sa.String(16), nullable=False),
    *_stamps(),
    _data(),
    sa.UniqueConstraint("account_id", "organization_id"),
    sa.Index(None, "organization_id"),
)

defaults = sa.Table(
    "defaults",
    metadata,
    _id(),
    _org(),
    sa.Column("name", sa.String(100), nullable=False),
    *_stamps(),
    _data(),
    sa.UniqueConstraint("organization_id", "name"),
)

documents = sa.Table(
    "documents",
    metadata,
    _id(),
    _org(),
    sa.Column("type", sa.String(20), nullable=False),
    sa.Column("number", sa.String(100), nullable=True),
    sa.Column("date", sa.DateTime(), nullable=False),
    sa.Column("date_due", sa.DateTime(), nullable=True),
    sa.Column("date_year", sa.Integer(), nullable=False),
    sa.Column("client_id", sa.String(_ID), nullable=True, index=True),
    sa.Column("draft", sa.Boolean(), nullable=False),
    sa.Column("canceled", sa.Boolean(), nullable=False),
    sa.Column("paid_in_full", sa.Boolean(), nullable=False),
    _deleted(),
    sa.Column("unique_id", sa.String(255), nullable=True),
    sa.Column("request_fingerprint", sa.String(64), nullable=True),
    *_stamps(),
    _data(),
    sa.UniqueConstraint("organization_id", "type", "number"),
    sa.UniqueConstraint("organization_id", "unique_id"),
    sa.Index(None, "organization_id", "date"),
    sa.Index(None, "organization_id", "type", "date"),
    sa.Index(None, "organization_id", "created_at"),
)

document_counters = sa.Table(
    "document_counters",
    metadata,
    sa.Column("organization_id", sa.String(_ID), sa.ForeignKey(_ORG_FK), primary_key=True),
    sa.Column("type", sa.String(20), primary_key=True),
    sa.Column("year", sa.Integer(), primary_key=True),
    sa.Column("last_number", sa.Integer(), nullable=False),
)

payments = sa.Table(
    "payments",
    metadata,
    _id(),
    _org(),
    sa.Column("document_id", sa.String(_ID), sa.ForeignKey("documents.id"), nullable=False, index=True),
    sa.Column("type", sa.String(20), nullable=False),
    sa.Column("date", sa.DateTime(), nullable=False),
    _deleted(),
    *_stamps(),
    _data(),
    sa.Index(None, "organization_id", "date"),
)

clients = sa.Table(
    "clients",
    metadata,
    _id(),
    _org(),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("email", sa.String(320), nullable=True),
    _deleted(),
    *_stamps(),
    _data(),
    sa.Index(None, "organization_id", "email"),
    sa.Index(None, "organization_id", "name"),
)

items = sa.Table(
    "items",
    metadata,
    _id(),
    _org(),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("sku", sa.String(100), nullable=True),
    _deleted(),
    *_stamps(),
    _data(),
    sa.Index(None, "organization_id", "name"),
    sa.Index(None, "organization_id", "sku"),
)

taxes = sa.Table(
    "taxes",
    metadata,
    _id(),
    _org(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("classification", sa.String(50), nullable=True),
    _deleted(),
    *_stamps(),
    _data(),
    sa.Index(None, "organization_id"),
)

# Written by the "Documents out" work (issue 5); created here so it needs no migration of its own.
outbox = sa.Table(
    "outbox",
    metadata,
    _id(),
    _org(),
    sa.Column("document_id", sa.String(_ID), sa.ForeignKey("documents.id"), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("attempts", sa.Integer(), nullable=False, default=0),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("message_id", sa.String(255), nullable=True),
    sa.Column("recipients", sa.Text(), nullable=False),  # "a@x.example, b@y.example" (validated addresses)
    sa.Column("copy_to", sa.Text(), nullable=False),  # envelope-only copy (sendCopy), same format, or ""
    sa.Column("language", sa.String(16), nullable=False),  # of the attached PDF; "" = the document's
    sa.Column("subject", sa.Text(), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("sent_at", sa.DateTime(), nullable=True),
    # When the row may next be claimed: its retry time, or while ``sending``, when the claim expires.
    sa.Column("next_attempt_at", sa.DateTime(), nullable=False, index=True),
)
