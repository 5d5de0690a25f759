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
    "action_keys",
    "clients",
    "defaults",
    "document_counters",
    "document_search",
    "document_taxes",
    "documents",
    "items",
    "metadata",
    "organizations",
    "outbox",
    "payments",
    "recurrence_dates",
    "recurrences",
    "sales_days",
    "tax_days",
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
    sa.Column("id", sa.String(64), primary_key=True),  # the token's SHA-256 (hex), never the token itself
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

# What the daily totals (sales_days, tax_days) are recomputed from when a document changes: one day of one
# organization, from the index alone.
_SALES_INDEX = (
    "organization_id",
    "day",
    "is_deleted",
    "status",
    "type",
    "currency",
    "total_minor",
    "total_with_tax_minor",
    "id",
)
_DUE_INDEX = (
    "organization_id",
    "status",
    "total_due_minor",
    "type",
    "is_deleted",
    "due_day",
    "currency",
    "client_id",
    "day",
    "reminder_count",
    "reminded_at",
)
_FOUND_INDEX = ("id", "organization_id", "is_deleted", "date")

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
    # The ledger: derived from ``data`` by resources.document_row in the same write, so SQL can sum the books.
    # Money in integer minor units of ``currency`` (models.money.to_minor); nullable only so that migration 0006
    # could add them to existing rows, which it fills.
    sa.Column("status", sa.String(10), nullable=True),  # draft | issued | canceled
    # ``date`` names a calendar day (midnight UTC, a date without a time), not an instant: reports place it on that
    # day, and an instant on its day in the organization's timezone (as engine.autofill.local_day does).
    sa.Column("date_is_day", sa.Boolean(), nullable=True),
    sa.Column("date_due_is_day", sa.Boolean(), nullable=True),  # the same for ``date_due``
    # The calendar days of ``date`` and ``date_due`` where the organization is (models.ledger.local_day with its
    # timezone), written by ledger.store_taxes with the document and again when the timezone changes: reports
    # select by these days. NULL only between a document's insert and store_taxes, in the same transaction.
    sa.Column("day", sa.Date(), nullable=True),
    sa.Column("due_day", sa.Date(), nullable=True),
    sa.Column("currency", sa.String(3), nullable=True),
    sa.Column("total_minor", sa.BigInteger(), nullable=True),  # net
    sa.Column("total_with_tax_minor", sa.BigInteger(), nullable=True),
    sa.Column("total_paid_minor", sa.BigInteger(), nullable=True),
    sa.Column("total_credited_minor", sa.BigInteger(), nullable=True),
    sa.Column("total_due_minor", sa.BigInteger(), nullable=True),
    # Payment reminders sent for the document (its ``reminders`` and ``remindedAt``), for aging and lists.
    sa.Column("reminder_count", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("reminded_at", sa.DateTime(), nullable=True),
    *_stamps(),
    _data(),
    sa.UniqueConstraint("organization_id", "type", "number"),
    sa.UniqueConstraint("organization_id", "unique_id"),
    sa.Index(None, "organization_id", "date"),
    sa.Index(None, "organization_id", "type", "date"),
    sa.Index(None, "organization_id", "created_at"),
    sa.Index(None, "organization_id", "client_id", "date"),  # one client's documents, newest first
    # Covering indexes (a day's totals; what is due): they read no document row (its JSON).
    sa.Index(None, *_SALES_INDEX),
    sa.Index(None, *_DUE_INDEX),
    # Documents found by id (a text search's thousands of hits) filtered and ordered without reading their rows.
    sa.Index(None, *_FOUND_INDEX),
)

document_taxes = sa.Table(
    "document_taxes",
    metadata,
    # One row per VAT group of a document (its _documentTaxes and _documentReverseTaxes), plus one for the net of
    # lines without any tax (category ""), so that the bases of a document add up to its net total.
    sa.Column("document_id", sa.String(_ID), sa.ForeignKey("documents.id"), primary_key=True),
    sa.Column("position", sa.Integer(), primary_key=True),
    _org(),
    sa.Column("rate_e4", sa.BigInteger(), nullable=False),  # the rate in 1/10,000 % (21 % → 210000; 9.975 % → 99750)
    sa.Column("category", sa.String(3), nullable=False),  # EN 16931 S Z E AE K G O; "" = no tax on those lines
    sa.Column("reverse_charged", sa.Boolean(), nullable=False),
    sa.Column("base_minor", sa.BigInteger(), nullable=False),
    sa.Column("tax_minor", sa.BigInteger(), nullable=False),
    # The document's own ledger columns, repeated so that a day's VAT groups are recounted from this table and the
    # documents' day index, without reading a document's row (its JSON). Rewritten whenever they change.
    sa.Column("type", sa.String(20), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("is_deleted", sa.Boolean(), nullable=False),
    sa.Column("date", sa.DateTime(), nullable=False),
    sa.Column("date_is_day", sa.Boolean(), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("sign", sa.SmallInteger(), nullable=False),  # -1: a credit note, counted against sales; else 1
)

# Daily totals of each organization's live (not deleted) documents, per the documents' ``day``: what the VAT report
# and the v1 statistics sum, so that a year is a few thousand rows at any size of the books. Derived, never written
# but by ledger.recount_days, which recomputes a day from the documents in the same transaction as any change to
# them (a test checks they always equal a recount from scratch).
sales_days = sa.Table(
    "sales_days",
    metadata,
    sa.Column("organization_id", sa.String(_ID), sa.ForeignKey(_ORG_FK), primary_key=True),
    sa.Column("day", sa.Date(), primary_key=True),
    sa.Column("status", sa.String(10), primary_key=True),
    sa.Column("type", sa.String(20), primary_key=True),
    sa.Column("currency", sa.String(3), primary_key=True),
    sa.Column("sign", sa.SmallInteger(), primary_key=True),  # as document_taxes.sign
    sa.Column("documents", sa.Integer(), nullable=False),
    sa.Column("total_minor", sa.BigInteger(), nullable=False),
    sa.Column("total_with_tax_minor", sa.BigInteger(), nullable=False),
)

tax_days = sa.Table(
    "tax_days",
    metadata,
    sa.Column("organization_id", sa.String(_ID), sa.ForeignKey(_ORG_FK), primary_key=True),
    sa.Column("day", sa.Date(), primary_key=True),
    sa.Column("status", sa.String(10), primary_key=True),
    sa.Column("type", sa.String(20), primary_key=True),
    sa.Column("currency", sa.String(3), primary_key=True),
    sa.Column("category", sa.String(3), primary_key=True),
    sa.Column("rate_e4", sa.BigInteger(), primary_key=True),
    sa.Column("reverse_charged", sa.Boolean(), primary_key=True),
    sa.Column("sign", sa.SmallInteger(), primary_key=True),
    sa.Column("base_minor", sa.BigInteger(), nullable=False),
    sa.Column("tax_minor", sa.BigInteger(), nullable=False),
)

document_search = sa.Table(
    "document_search",
    metadata,
    # What text search looks in (number, reference, client name, item names, note), one row per document, written
    # with it. On SQLite an FTS5 trigram index (document_search_fts, kept by triggers of migration 0009) answers
    # "contains"; on PostgreSQL a pg_trgm index on ``body`` where the extension is available (which row security keeps
    # the planner from using).
    # An integer key: SQLite's FTS index refers to rows by it, and an INTEGER PRIMARY KEY survives VACUUM.
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("document_id", sa.String(_ID), sa.ForeignKey("documents.id"), nullable=False, unique=True),
    _org(),
    sa.Column("body", sa.Text(), nullable=False),  # case-folded
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
    sa.Column("amount_minor", sa.BigInteger(), nullable=True),  # in the document's currency's minor units
    # An idempotency key (uniqueId) and a digest of the request that made the payment, as on documents: one
    # consented payment is recorded once, however many replicas or retries send it.
    sa.Column("unique_id", sa.String(255), nullable=True),
    sa.Column("request_fingerprint", sa.String(64), nullable=True),
    *_stamps(),
    _data(),
    sa.Index(None, "organization_id", "date"),
    sa.UniqueConstraint("organization_id", "unique_id"),
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
    # "document" (the document itself, sent once unless resent) or "reminder" (a payment reminder, as often as asked)
    sa.Column("kind", sa.String(16), nullable=False, server_default="document"),
    # What the email carries, space-separated: "pdf" or "factur-x", then "ubl" if attached; NULL (older rows): "pdf"
    sa.Column("attachments", sa.String(40), nullable=True),
    sa.Index(None, "organization_id", "created_at"),  # the sending limits count an organization's recent emails
)

action_keys = sa.Table(
    "action_keys",
    metadata,
    # An action that must happen once (an email sent, a reminder) recorded under the caller's Idempotency-Key, unique
    # per organization, with what was asked (a digest) and what it answered: the same request again gets that answer.
    _id(),
    _org(),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("document_id", sa.String(_ID), sa.ForeignKey("documents.id"), nullable=False),
    sa.Column("request_fingerprint", sa.String(64), nullable=False),
    sa.Column("answer", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("organization_id", "key"),
)

recurrences = sa.Table(
    "recurrences",
    metadata,
    _id(),
    _org(),
    sa.Column("document_id", sa.String(_ID), sa.ForeignKey("documents.id"), nullable=False),
    sa.Column("account_id", sa.String(_ID), sa.ForeignKey("accounts.id"), nullable=False),
    _deleted(),
    sa.Column("paused", sa.Boolean(), nullable=False),
    # The next occurrence: its number (1 = dateFirst) and day; next_date NULL once all were issued.
    sa.Column("next_iteration", sa.Integer(), nullable=False),
    sa.Column("next_date", sa.Date(), nullable=True),
    *_stamps(),
    _data(),
    sa.Index(None, "next_date", "is_deleted", "paused"),
    sa.Index(None, "organization_id", "created_at"),
    # v1: a document has one recurrence (hasOne), also when two requests race; a deleted one may be followed by a new.
    sa.Index(
        "uq_recurrences_live_document_id",
        "document_id",
        unique=True,
        sqlite_where=sa.text("NOT is_deleted"),
        postgresql_where=sa.text("NOT is_deleted"),
    ),
)

recurrence_dates = sa.Table(
    "recurrence_dates",
    metadata,
    _id(),
    sa.Column("recurrence_id", sa.String(_ID), sa.ForeignKey("recurrences.id"), nullable=False),
    sa.Column("iteration", sa.Integer(), nullable=False),
    sa.Column("date", sa.Date(), nullable=False),
    sa.Column("document_id", sa.String(_ID), sa.ForeignKey("documents.id"), nullable=False),
    sa.Column("sent", sa.Boolean(), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    # Exactly once: a second scheduler (another process, a restart) cannot record the same occurrence again.
    sa.UniqueConstraint("recurrence_id", "iteration"),
)

comments = sa.Table(
    "comments",
    metadata,
    # v1 document comments ({text}): internal notes on a document, never printed, kept apart from the document so an
    # issued one stays as issued.
    _id(),
    _org(),
    sa.Column("document_id", sa.String(_ID), sa.ForeignKey("documents.id"), nullable=False, index=True),
    sa.Column("account_id", sa.String(_ID), sa.ForeignKey("accounts.id"), nullable=False),
    _deleted(),
    *_stamps(),
    _data(),
)

document_shares = sa.Table(
    "document_shares",
    metadata,
    # The document's public link (POST /documents/{id}/share): the unguessable shareableId is the key. Deleting the row
    # revokes the link.
    sa.Column("id", sa.String(64), primary_key=True),
    _org(),
    sa.Column("document_id", sa.String(_ID), sa.ForeignKey("documents.id"), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
)

units = sa.Table(
    "units",
    metadata,
    # v1 units (e.g. "h", "kg"): the names a line's ``unit`` is picked from.
    _id(),
    _org(),
    sa.Column("name", sa.String(100), nullable=False),
    _deleted(),
    *_stamps(),
    _data(),
    sa.Index(None, "organization_id", "name"),
)

categories = sa.Table(
    "categories",
    metadata,
    # v1 categories (income or expense headings a document's amount is allocated to).
    _id(),
    _org(),
    sa.Column("name", sa.String(200), nullable=False),
    _deleted(),
    *_stamps(),
    _data(),
    sa.Index(None, "organization_id", "name"),
)

document_categories = sa.Table(
    "document_categories",
    metadata,
    # v1 documentCategories: a document's amount allocated to a category, as a share in percent.
    _id(),
    _org(),
    sa.Column("document_id", sa.String(_ID), sa.ForeignKey("documents.id"), nullable=False, index=True),
    sa.Column("category_id", sa.String(_ID), sa.ForeignKey("categories.id"), nullable=False),
    _deleted(),
    *_stamps(),
    _data(),
)

webhooks = sa.Table(
    "webhooks",
    metadata,
    # v1 webhooks; ``signing_key`` (the secret answered once) signs each delivery (HMAC-SHA256); never in ``data``.
    _id(),
    _org(),
    sa.Column("signing_key", sa.String(64), nullable=False),
    _deleted(),
    *_stamps(),
    _data(),
    sa.Index(None, "organization_id"),  # every change of an organization's books looks up its webhooks
)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    # The webhook outbox: one row per event and webhook, written in the transaction that made the change, so an
    # event is delivered if and only if its change was committed, and at most once per (webhook, uid).
    _id(),
    _org(),
    sa.Column("webhook_id", sa.String(_ID), sa.ForeignKey("webhooks.id"), nullable=False),
    sa.Column("uid", sa.String(36), nullable=False),
    sa.Column("event", sa.String(40), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # queued, sending, delivered, failed (retried), dead
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
    sa.Column("last_status_code", sa.Integer(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("delivered_at", sa.DateTime(), nullable=True),
    sa.UniqueConstraint("webhook_id", "uid"),
    sa.Index(None, "status", "next_attempt_at"),
    sa.Index(None, "webhook_id", "created_at"),
)

organization_images = sa.Table(
    "organization_images",
    metadata,
    # v1 organization images (``POST /organizations/{id}/images?type=logo|signature``): the logo printed on the PDFs.
    _id(),
    _org(),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("media_type", sa.String(40), nullable=False),
    sa.Column("content", sa.LargeBinary(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("organization_id", "type"),
)
