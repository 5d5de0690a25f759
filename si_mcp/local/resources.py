"""Per resource: which wire fields have columns (for filters) and the column values of a stored object.

The ``*_row`` functions take the wire object (the dict that is stored in ``data``) and return the
values to insert or update, so the columns can never disagree with the JSON.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from datetime import datetime, time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from si_mcp.models import (
    Category,
    Client,
    Comment,
    Default,
    Document,
    DocumentCategory,
    Item,
    Organization,
    Payment,
    Tax,
    Unit,
    Webhook,
    wirejson,
)
from si_mcp.models.ledger import document_status, sales_sign, tax_groups
from si_mcp.models.money import to_minor
from si_mcp.models.recurrence import Recurrence

from . import tables
from .filters import Resource, contains_pattern
from .store import to_naive

__all__ = [
    "CATEGORIES",
    "CLIENTS",
    "COMMENTS",
    "DOCUMENT_CATEGORIES",
    "UNITS",
    "WEBHOOKS",
    "webhook_row",
    "comment_row",
    "document_category_row",
    "named_row",
    "DEFAULTS",
    "DOCUMENTS",
    "ITEMS",
    "ORGANIZATIONS",
    "PAYMENTS",
    "TAXES",
    "client_row",
    "default_row",
    "document_row",
    "document_status",
    "ledger_columns",
    "item_row",
    "membership_row",
    "organization_row",
    "payment_row",
    "tax_rows",
    "stamp",
    "tax_row",
]

_STAMPS = {"createdAt": "created_at", "updatedAt": "updated_at"}


def _fields(model: type[BaseModel], *extra: str) -> frozenset[str]:
    return frozenset(field.alias or name for name, field in model.model_fields.items()) | frozenset(extra)


def _kinds(model: type[BaseModel]) -> dict[str, str]:
    """Top-level number and boolean fields of a response model, by wire name."""
    kinds = {}
    for name, field in model.model_fields.items():
        args = set(typing.get_args(field.annotation)) - {type(None)} or {field.annotation}
        if args <= {Decimal, int}:
            kinds[field.alias or name] = "number"
        elif args == {bool}:
            kinds[field.alias or name] = "bool"
    return kinds


def _resource(
    model: type[BaseModel],
    table: sa.Table,
    columns: dict[str, str],
    *extra_fields: str,
    relations: frozenset[str] = frozenset(),
    search: Callable[[str, str], sa.ColumnElement[bool]] | None = None,
) -> Resource:
    """A filterable resource whose field names and JSON kinds are derived from its response model."""
    fields = _fields(model, *extra_fields)
    return Resource(
        model.__name__, table, columns, fields, relations=relations, json_kinds=_kinds(model), search=search
    )


RECURRENCES = _resource(
    Recurrence,
    tables.recurrences,
    {
        "id": "id",
        "organizationId": "organization_id",
        "documentId": "document_id",
        "paused": "paused",
        "nextDate": "next_date",
        **_STAMPS,
    },
)
ORGANIZATIONS = _resource(
    Organization,
    tables.organizations,
    {"id": "id", "name": "name", "countryAlpha2Code": "country_alpha2_code", "active": "active", **_STAMPS},
)
DEFAULTS = _resource(
    Default,
    tables.defaults,
    {"id": "id", "organizationId": "organization_id", "name": "name", **_STAMPS},
)


def _document_search(term: str, dialect: str) -> sa.ColumnElement[bool]:
    """Documents whose search text contains ``term`` in any case: through SQLite's FTS5 trigram index for three
    characters or more, else a scan of ``document_search``, whose text is case-folded (SQLite's LIKE folds ASCII
    only); on PostgreSQL a LIKE on it (row security keeps the planner from its trigram index: LIKE is not leakproof)."""
    s = tables.document_search
    folded = term.casefold()
    contains = s.c.body.like(contains_pattern(folded), escape="\\")
    if dialect == "sqlite" and len(folded) >= 3:
        found = sa.select(s.c.document_id).where(s.c.id.in_(_fts_candidates(folded)), contains)
    else:
        found = sa.select(s.c.document_id).where(contains)
    return tables.documents.c.id.in_(found)


# How far the rarest trigrams of a term are counted, and how many are matched (see _fts_candidates).
_TRIGRAM_CAP, _TRIGRAMS_SAMPLED, _TRIGRAMS_MATCHED = 2000, 8, 3


def _fts_match(query: Any) -> sa.Select[Any]:
    """The rowids of ``document_search`` whose FTS5 trigram index matches ``query``."""
    fts: sa.ColumnClause[Any] = sa.literal_column("document_search_fts")
    return (
        sa.select(sa.literal_column("rowid")).select_from(sa.table("document_search_fts")).where(fts.op("MATCH")(query))
    )


def _fts_candidates(folded: str) -> sa.Select[Any]:
    """Rows that hold the rarest few trigrams of ``folded``: a superset of those containing it, which LIKE then
    checks. Matching the whole phrase read the position lists of every trigram, however common ("client 42" in books
    where every client is "Client n": 9 ms for 3,000 hits at 300,000 documents); the rarest trigrams, counted up
    to a cap, drive the lookup instead (under 1 ms)."""
    trigrams = sorted({folded[i : i + 3] for i in range(len(folded) - 2)})
    step = max(1, len(trigrams) // _TRIGRAMS_SAMPLED)
    quoted = ['"' + trigram.replace('"', '""') + '"' for trigram in trigrams[::step][:_TRIGRAMS_SAMPLED]]
    if len(quoted) == 1:
        return _fts_match(sa.literal(quoted[0]))
    counted = [
        sa.select(
            sa.literal(q).label("q"),
            sa.select(sa.func.count())
            .select_from(_fts_match(sa.literal(q)).limit(_TRIGRAM_CAP).subquery())
            .scalar_subquery()
            .label("n"),
        )
        for q in quoted
    ]
    candidates = sa.union_all(*counted).subquery()
    rarest = sa.select(candidates.c.q).order_by(candidates.c.n).limit(_TRIGRAMS_MATCHED).subquery()
    return _fts_match(sa.select(sa.func.group_concat(rarest.c.q, " AND ")).scalar_subquery())


DOCUMENTS = _resource(
    Document,
    tables.documents,
    {
        "id": "id",
        "organizationId": "organization_id",
        "type": "type",
        "number": "number",
        "date": "date",
        "dateDue": "date_due",
        "dateYear": "date_year",
        "clientId": "client_id",
        "draft": "draft",
        "canceled": "canceled",
        "paidInFull": "paid_in_full",
        "_isDeleted": "is_deleted",
        "uniqueId": "unique_id",
        **_STAMPS,
    },
    "isValidEslog",
    "incoming",
    "_comments",
    "_data",
    relations=frozenset({"payments"}),
    search=_document_search,
)
PAYMENTS = _resource(
    Payment,
    tables.payments,
    {
        "id": "id",
        "organizationId": "organization_id",
        "documentId": "document_id",
        "type": "type",
        "date": "date",
        "uniqueId": "unique_id",
        "_isDeleted": "is_deleted",
        **_STAMPS,
    },
)
CLIENTS = _resource(
    Client,
    tables.clients,
    {"id": "id", "organizationId": "organization_id", "name": "name", "_isDeleted": "is_deleted", **_STAMPS},
    "_data",
)
ITEMS = _resource(
    Item,
    tables.items,
    {"id": "id", "organizationId": "organization_id", "name": "name", "SKU": "sku", **_STAMPS},
)
TAXES = _resource(
    Tax,
    tables.taxes,
    {
        "id": "id",
        "organizationId": "organization_id",
        "name": "name",
        "classification": "classification",
        **_STAMPS,
    },
)

UNITS = _resource(Unit, tables.units, {"id": "id", "organizationId": "organization_id", "name": "name", **_STAMPS})
CATEGORIES = _resource(
    Category, tables.categories, {"id": "id", "organizationId": "organization_id", "name": "name", **_STAMPS}
)
COMMENTS = _resource(
    Comment,
    tables.comments,
    {
        "id": "id",
        "organizationId": "organization_id",
        "documentId": "document_id",
        "accountId": "account_id",
        **_STAMPS,
    },
)
DOCUMENT_CATEGORIES = _resource(
    DocumentCategory,
    tables.document_categories,
    {
        "id": "id",
        "organizationId": "organization_id",
        "documentId": "document_id",
        "categoryId": "category_id",
        **_STAMPS,
    },
)

WEBHOOKS = _resource(
    Webhook, tables.webhooks, {"id": "id", "organizationId": "organization_id", **_STAMPS}, "_isDeleted"
)


def stamp(value: Any) -> datetime:
    """A wire timestamp (``2023-04-30T06:14:03.266Z``) as the naive UTC datetime the columns hold."""
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return to_naive(parsed)


def _base(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": obj["id"],
        "created_at": stamp(obj["createdAt"]),
        "updated_at": stamp(obj["updatedAt"]),
        "data": wirejson.dumps(obj),
    }


def _owned(obj: dict[str, Any]) -> dict[str, Any]:
    return {**_base(obj), "organization_id": obj["organizationId"]}


def organization_row(obj: dict[str, Any]) -> dict[str, Any]:
    stored = {k: v for k, v in obj.items() if k != "_defaults"}
    return {
        **_base(stored),
        "name": obj["name"],
        "country_alpha2_code": obj.get("countryAlpha2Code") or "",
        "active": bool(obj.get("active", True)),
    }


def membership_row(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        **_owned(obj),
        "account_id": obj["accountId"],
        "role": obj["role"],
    }


def default_row(obj: dict[str, Any]) -> dict[str, Any]:
    return {**_owned(obj), "name": obj["name"]}


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value if value is not None else 0))


def ledger_columns(obj: dict[str, Any]) -> dict[str, Any]:
    """The money columns of a document row, derived from its wire JSON (also for what older releases stored)."""
    currency = str(obj.get("currencyId") or "EUR")

    def minor(key: str) -> int:
        return to_minor(_decimal(obj.get(key)), currency)

    day = stamp(obj["date"]) if obj.get("date") else None
    due = stamp(obj["dateDue"]) if obj.get("dateDue") else None
    return {
        "status": document_status(obj),
        "date_is_day": day is not None and day.time() == time(0),
        "date_due_is_day": due is not None and due.time() == time(0),
        "currency": currency,
        "total_minor": minor("total"),
        "total_with_tax_minor": minor("totalWithTax"),
        "total_paid_minor": minor("totalPaid"),
        "total_credited_minor": minor("totalCredited"),
        "total_due_minor": minor("totalDue"),
    }


def document_row(obj: dict[str, Any]) -> dict[str, Any]:
    stored = {k: v for k, v in obj.items() if k not in ("payments", "pdf")}
    return {
        **ledger_columns(obj),
        **_owned(stored),
        "type": obj["type"],
        "number": obj.get("number"),
        "date": stamp(obj["date"]),
        "date_due": stamp(obj["dateDue"]) if obj.get("dateDue") else None,
        "date_year": int(obj["dateYear"]),
        "client_id": obj.get("clientId"),
        "draft": bool(obj.get("draft")),
        "canceled": bool(obj.get("canceled")),
        "paid_in_full": bool(obj.get("paidInFull")),
        "is_deleted": bool(obj.get("_isDeleted")),
        "unique_id": obj.get("uniqueId"),
        "reminder_count": int(obj.get("reminders") or 0),
        "reminded_at": stamp(obj["remindedAt"]) if obj.get("remindedAt") else None,
    }


def tax_rows(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``document_taxes`` rows of a document: one per VAT group, and one for the net of its lines without tax
    (:func:`si_mcp.models.ledger.tax_groups`), each with the document's own ledger columns."""
    rows = [group._asdict() for group in tax_groups(obj)]
    if not rows:
        return []
    ledger = ledger_columns(obj)
    document = {
        "document_id": obj.get("id"),
        "organization_id": obj.get("organizationId"),
        "type": obj.get("type") or "invoice",
        "status": ledger["status"],
        "is_deleted": bool(obj.get("_isDeleted")),
        "date": stamp(obj["date"]),
        "date_is_day": ledger["date_is_day"],
        "currency": ledger["currency"],
        "sign": sales_sign(obj),
    }
    return [{**document, "position": i, **row} for i, row in enumerate(rows)]


def payment_row(obj: dict[str, Any], currency: str) -> dict[str, Any]:
    """``currency``: the document's (a payment is in the currency of what it pays)."""
    return {
        **_owned(obj),
        "document_id": obj["documentId"],
        "type": obj["type"],
        "date": stamp(obj["date"]),
        "is_deleted": bool(obj.get("_isDeleted")),
        "amount_minor": to_minor(_decimal(obj.get("amount")), currency),
        "unique_id": None if obj.get("_isDeleted") else obj.get("uniqueId"),  # a deleted payment frees its key
    }


def client_row(obj: dict[str, Any]) -> dict[str, Any]:
    email = obj.get("email")
    return {
        **_owned(obj),
        "name": obj["name"],
        "email": email.strip().lower() if isinstance(email, str) and email.strip() else None,
        "is_deleted": bool(obj.get("_isDeleted")),
    }


def item_row(obj: dict[str, Any]) -> dict[str, Any]:
    return {**_owned(obj), "name": obj["name"], "sku": obj.get("SKU"), "is_deleted": bool(obj.get("_isDeleted"))}


def named_row(obj: dict[str, Any]) -> dict[str, Any]:
    """A unit's or a category's columns."""
    return {**_owned(obj), "name": obj["name"], "is_deleted": bool(obj.get("_isDeleted"))}


def webhook_row(obj: dict[str, Any]) -> dict[str, Any]:
    """A webhook's columns; its signing key is a column of its own, never in ``data``."""
    return {**_owned({k: v for k, v in obj.items() if k != "secret"}), "is_deleted": bool(obj.get("_isDeleted"))}


def comment_row(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        **_owned(obj),
        "document_id": obj["documentId"],
        "account_id": obj["accountId"],
        "is_deleted": bool(obj.get("_isDeleted")),
    }


def document_category_row(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        **_owned(obj),
        "document_id": obj["documentId"],
        "category_id": obj["categoryId"],
        "is_deleted": bool(obj.get("_isDeleted")),
    }


def tax_row(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        **_owned(obj),
        "name": obj["name"],
        "classification": obj.get("classification"),
        "is_deleted": bool(obj.get("_isDeleted")),
    }


_SEARCH_LIMIT = 20_000


def search_body(obj: dict[str, Any]) -> str:
    """What text search looks in for a document, case-folded: number, reference, client name, item names, note."""
    client = obj.get("_documentClient") or {}
    parts = [obj.get("number"), obj.get("reference"), client.get("name"), obj.get("note")]
    parts += [item.get("name") for item in obj.get("_documentItems") or []]
    return "\n".join(str(part) for part in parts if part)[:_SEARCH_LIMIT].casefold()
