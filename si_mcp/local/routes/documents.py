"""Documents: create with auto-fill, list, get, count, full replace, cancel/uncancel, delete, search.

Numbering policy: a document gets its ``YYYY-NNNNN`` number (year of its ``date``) inside the write
transaction that stores it. Drafts get **no number** until they are issued by a replace with
``draft: false``, so drafts never burn numbers and the series stays gapless. Numbers follow dates: a
document may not be numbered with a date before the last numbered one of its series (many EU countries
require chronological numbering; an organization opts out with the default ``numbering_chronological``
set to ``false``, e.g. to key in last year's paper invoices).

Issued legal documents — invoices, advances and credit notes — are immutable (invoicing-rules §2.3):
they cannot be replaced or deleted, only cancelled (keeping the number) or corrected by a credit note.
Estimates are offers, not tax documents: a numbered estimate may be revised in place (its number stays),
but not deleted, so its series has no holes either. A document with payments cannot be cancelled (a
credit note corrects it; or its payments are deleted first), and a canceled document cannot be paid or
sent. ``uniqueId`` is an idempotency key per organization: the same key with the same body returns the
existing document, with a different body it is a 422; deleting a draft frees its key.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from starlette.responses import Response

from si_mcp.models import (
    Client,
    Count,
    Document,
    DocumentClientInput,
    DocumentCreate,
    DocumentItemInput,
    DocumentItemTaxInput,
    Item,
    Success,
    wirejson,
)
from si_mcp.models.document import copied_line
from si_mcp.models.labels import resolve_language
from si_mcp.models.language import supported

from .. import tables
from ..access import load_owned_tx, require_org_tx
from ..einvoicing import IssueCheck
from ..engine import countries
from ..engine.autofill import (
    AutofillError,
    OrgContext,
    apply_payment_status,
    as_decimal,
    build_document,
    build_document_client,
    build_payments,
    credited_amount,
    document_date,
    local_day,
    with_v1_keys,
)
from ..engine.smartcodes import states_own_facts
from ..errors import LocalAPIError, invalid
from ..filters import check_include, compile_where, project_fields
from ..http import Call, Route, json_response, raw_json_response, validate
from ..ids import object_id, sub_id
from ..ledger import (
    include_payments,
    link_document,
    linked,
    payments_of,
    respond_document,
    store_taxes,
    unlink_document,
)
from ..numbering import allocate_number, last_issued_date, number_taken
from ..resources import DOCUMENTS, client_row, document_row, item_row, payment_row
from ..store import count_rows_tx, list_json_tx, loads, now, request_digest
from ..webhooks import emit_tx
from . import documents_out
from ._crud import member_count_handler
from ._once import once_of, previous_answer, remember

__all__ = ["create_tx", "fingerprint", "load_context", "routes"]

_MODEL = "Document"
# Issued, these stand as issued: the tax documents, and a delivery note (what was handed over, under its number).
_LEGAL = frozenset({"invoice", "advance", "credit-note", "delivery-note"})
_KIND = {
    "invoice": "invoice",
    "advance": "advance invoice",
    "credit-note": "credit note",
    "estimate": "estimate",
    "delivery-note": "delivery note",
}
_CORRECT = {
    "invoice": "cancel it, or issue a credit note that corrects it",
    "advance": "cancel it, or issue a credit note that corrects it",
    "credit-note": "cancel it and issue a corrected credit note",
    "delivery-note": "cancel it and issue a new delivery note",
}


@contextmanager
def _as_422() -> Iterator[None]:
    try:
        yield
    except AutofillError as error:
        raise invalid(_MODEL, error.field, error.message) from None


def fingerprint(body: DocumentCreate) -> str:
    return request_digest(body.model_dump(mode="json", exclude_unset=True))


_O, _DF, _T, _CL = tables.organizations, tables.defaults, tables.taxes, tables.clients
# Hot-path queries are built once: constructing Core expressions costs more than running them on SQLite.
_CONTEXT = sa.union_all(
    sa.select(sa.literal("o").label("kind"), _O.c.data, _O.c.created_at, _O.c.id).where(
        _O.c.id == sa.bindparam("b_org")
    ),
    sa.select(sa.literal("d"), _DF.c.data, _DF.c.created_at, _DF.c.id).where(
        _DF.c.organization_id == sa.bindparam("b_org")
    ),
    sa.select(sa.literal("t"), _T.c.data, _T.c.created_at, _T.c.id).where(
        _T.c.organization_id == sa.bindparam("b_org"), _T.c.is_deleted == sa.false()
    ),
)
_LIVE_CLIENT = sa.and_(_CL.c.organization_id == sa.bindparam("b_org"), _CL.c.is_deleted == sa.false())
_CLIENT_BY_ID = sa.select(_CL.c.data).where(_LIVE_CLIENT, _CL.c.id == sa.bindparam("b_id"))
_CLIENT_BY_EMAIL = (
    sa.select(_CL.c.id, _CL.c.data)
    .where(_LIVE_CLIENT, _CL.c.email == sa.bindparam("b_email"))
    .order_by(_CL.c.created_at)
    .limit(1)
)


def load_context(conn: sa.Connection, organization_id: str) -> OrgContext:
    """The organization, its defaults and its live taxes (oldest first), in one query."""
    organization: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    taxes: list[tuple[datetime, str, dict[str, Any]]] = []
    for kind, data, created_at, row_id in conn.execute(_CONTEXT, {"b_org": organization_id}):
        if kind == "o":
            organization = loads(data)
        elif kind == "d":
            default = loads(data)
            defaults[default["name"]] = default.get("value")
        else:
            taxes.append((created_at, row_id, loads(data)))
    taxes.sort(key=lambda entry: (entry[0], entry[1]))
    return OrgContext(organization, defaults, [tax for _, _, tax in taxes])


def _currency(body: DocumentCreate, ctx: OrgContext) -> str:
    currency = (body.currency_id or str(ctx.defaults.get("currencyId") or "EUR")).upper()
    if currency not in countries_currency_ids():
        raise AutofillError("currencyId", f"{currency!r} is not a known ISO 4217 currency.")
    return currency


@functools.cache
def countries_currency_ids() -> frozenset[str]:
    """The known ISO 4217 codes (built on first use, like the countries data itself)."""
    return frozenset(c.id for c in countries.all_currencies())


def _related(conn: sa.Connection, organization_id: str, document_ids: list[str]) -> list[dict[str, Any]]:
    """The documents ``documentIds`` names, in its order; only this organization's own (another tenant's is refused)."""
    if not document_ids:
        return []
    d = tables.documents
    query = sa.select(d.c.id, d.c.data).where(
        d.c.organization_id == organization_id, d.c.id.in_(document_ids), d.c.is_deleted == sa.false()
    )
    found = {row.id: loads(row.data) for row in conn.execute(query)}
    missing = set(document_ids) - set(found)
    if missing:
        raise AutofillError("documentIds", f"no document with id {sorted(missing)[0]!r} in this organization.")
    return [found[i] for i in dict.fromkeys(document_ids)]


def _allocate_credit(credit: dict[str, Any]) -> None:
    """Check what a credit note corrects and record on ``_relatedDocuments`` how much it credits to each.

    It corrects issued invoices or advances in its currency, and never credits more than they still hold:
    their total minus what credit notes in force already credit (``_referencedBy``). The amount is taken
    without its sign (a credit note reads as money to give back, whichever sign its lines carry) and goes to
    the corrected documents in the order given, each up to what remains of it.
    """
    entries = credit.get("_relatedDocuments") or []
    corrected = [(entry, doc) for entry, doc in entries if doc["type"] in ("invoice", "advance")]
    for _, doc in corrected:
        name = f"{_KIND[doc['type']]} {doc.get('number') or doc['id']}"
        deducted = [r for r in doc.get("_referencedBy") or [] if r["type"] == "invoice"]
        if doc["type"] == "advance" and deducted:
            raise AutofillError(
                "documentIds",
                f"{name} is deducted on invoice {deducted[0].get('number')}; credit that invoice instead.",
            )
        if doc["currencyId"] != credit["currencyId"]:
            raise AutofillError("currencyId", f"must be {doc['currencyId']}, the currency of {name}.")
    left = abs(as_decimal(credit["totalWithTax"]))
    amount = left
    remaining = []
    for entry, doc in corrected:
        others = [r for r in doc.get("_referencedBy") or [] if r["id"] != credit["id"]]
        open_ = abs(as_decimal(doc["totalWithTax"])) - abs(credited_amount({**doc, "_referencedBy": others}))
        share = min(left, max(open_, Decimal(0)))
        entry["amount"] = share
        left -= share
        remaining.append(open_)
    if corrected and left > 0:
        names = ", ".join(f"{_KIND[doc['type']]} {doc.get('number')}" for _, doc in corrected)
        total = sum((abs(as_decimal(doc["totalWithTax"])) for _, doc in corrected), Decimal(0))
        most = sum((max(r, Decimal(0)) for r in remaining), Decimal(0))
        raise AutofillError(
            "_documentItems",
            f"would credit {amount} {credit['currencyId']}, more than remains of {names}: total {total}, "
            f"already credited {total - most}, at most {most} left.",
        )


def _check_related(document: dict[str, Any], related: list[dict[str, Any]]) -> None:
    """Only issued documents in force are referred to, never the document itself, and an advance is deducted on
    one final invoice only."""
    for doc in related:
        name = f"{_KIND.get(doc['type'], doc['type'])} {doc.get('number') or doc['id']}"
        if doc["id"] == document["id"]:
            raise AutofillError("documentIds", "a document cannot refer to itself.")
        if doc.get("draft") or doc.get("canceled"):
            state = "a draft" if doc.get("draft") else "canceled"
            raise AutofillError("documentIds", f"{name} is {state}; only an issued document can be referred to.")
        if document["type"] == "credit-note" and doc["type"] in ("delivery-note", "estimate"):
            raise AutofillError("documentIds", f"{name} has no amount to credit: a credit note corrects an invoice.")
        others = [r for r in doc.get("_referencedBy") or [] if r["type"] == "invoice" and r["id"] != document["id"]]
        if document["type"] == "invoice" and doc["type"] == "advance" and others:
            raise AutofillError("documentIds", f"{name} is already deducted on invoice {others[0].get('number')}.")


def _with_references(document: dict[str, Any], related: list[dict[str, Any]]) -> None:
    """Set ``_relatedDocuments`` from the named documents and, for a credit note, what it credits to each."""
    _check_related(document, related)
    pairs = [({"id": r["id"], "type": r["type"], "number": r.get("number"), "date": r.get("date")}, r) for r in related]
    document["_relatedDocuments"] = pairs
    try:
        if document["type"] == "credit-note":
            _allocate_credit(document)
    finally:
        document["_relatedDocuments"] = [entry for entry, _ in pairs]


# ---------------------------------------------------------------- clients and saved items


def _resolve_client(
    conn: sa.Connection, organization_id: str, body: DocumentCreate, stamp: datetime
) -> tuple[str, dict[str, Any], str | None]:
    """(clientId, _documentClient, the client's language): the given client, the one with the same email, or a new
    one (which takes the document's language as its own)."""
    given = body.document_client.model_dump(by_alias=True, exclude_unset=True) if body.document_client else {}
    if body.client_id is not None:
        data = conn.execute(_CLIENT_BY_ID, {"b_org": organization_id, "b_id": body.client_id}).scalar()
        if data is None:
            raise AutofillError("clientId", "no client with this id in this organization.")
        stored = loads(data)
        client_id, fields, locale = body.client_id, {**stored, **given}, stored.get("locale")
    else:
        email = given.get("email")
        found = None
        if isinstance(email, str) and email.strip():
            params = {"b_org": organization_id, "b_email": email.strip().lower()}
            found = conn.execute(_CLIENT_BY_EMAIL, params).first()
        if found is not None:
            client_id, locale = found.id, loads(found.data).get("locale")
        else:
            client_id, locale = _new_client(conn, organization_id, given, stamp, body.locale), body.locale
        fields = given
    info = countries.resolve_country(fields["country"]) if fields.get("country") else None
    snapshot = build_document_client(fields, sub_id=sub_id(), country_alpha2=info.alpha2 if info else None, now=stamp)
    return client_id, snapshot, locale if isinstance(locale, str) and locale else None


def _language(body: DocumentCreate, related: list[dict[str, Any]], client: str | None, ctx: OrgContext) -> str | None:
    """The document's language: the request's, else that of the document it corrects or follows, else the
    client's; None = the organization's. A language without a region takes the organization's (fr → fr-BE)."""
    if body.locale is None:
        for doc in related:
            if isinstance(doc.get("locale"), str):
                return str(doc["locale"])
    chosen = body.locale or client
    if chosen is None:
        return None
    return resolve_language(chosen, ctx.organization.get("locale")).locale.replace("_", "-")  # a tag CLDR knows


def _new_client(
    conn: sa.Connection, organization_id: str, fields: dict[str, Any], stamp: datetime, locale: str | None
) -> str:
    info = countries.resolve_country(fields["country"]) if fields.get("country") else None
    client = Client.model_validate(
        {
            **fields,
            "locale": locale,
            "id": object_id(),
            "organizationId": organization_id,
            "countryAlpha2Code": info.alpha2 if info else None,
            "createdAt": stamp,
            "updatedAt": stamp,
        }
    ).to_wire()
    client["_isDeleted"] = False
    conn.execute(tables.clients.insert(), client_row(client))
    emit_tx(conn, organization_id, "client", "create", client)
    return str(client["id"])


def _load_items(
    conn: sa.Connection, organization_id: str, items: list[DocumentItemInput], *, money: bool = True
) -> list[DocumentItemInput]:
    """Fill missing properties of lines that reference a saved item (by ``itemId``, or ``SKU`` with ``load``); its
    price and taxes only on a document with ``money`` (not on a delivery note)."""
    t = tables.items
    live = sa.and_(t.c.organization_id == organization_id, t.c.is_deleted == sa.false())
    loaded = []
    for i, item in enumerate(items):
        if item.item_id is not None:
            data = (conn.execute(sa.select(t.c.data).where(live, t.c.id == item.item_id))).scalar()
            field = "itemId"
        elif item.sku is not None and (item.load or not item.name):
            data = (conn.execute(sa.select(t.c.data).where(live, t.c.sku == item.sku).limit(1))).scalar()
            field = "SKU"
        else:
            loaded.append(item)
            continue
        if data is None:
            raise AutofillError(
                f"_documentItems.{i}.{field}", "no saved item with this id or SKU in this organization."
            )
        loaded.append(_merge_item(item, Item.model_validate(loads(data)), money=money))
    return loaded


def _merge_item(item: DocumentItemInput, saved: Item, *, money: bool = True) -> DocumentItemInput:
    given = item.model_fields_set
    update: dict[str, Any] = {"item_id": saved.id}
    for name in ("name", "description", "unit", "sku"):
        if name not in given or getattr(item, name) in (None, ""):
            update[name] = getattr(saved, name)
    if not money:
        return item.model_copy(update=update)
    if item.price is None and item.price_gross is None:
        update["price"], update["price_gross"] = saved.price, saved.price_gross
    if not item.document_item_taxes and saved.tax_ids:
        update["document_item_taxes"] = [DocumentItemTaxInput(tax_id=tax_id) for tax_id in saved.tax_ids]
    return item.model_copy(update=update)


def _save_items(
    conn: sa.Connection, organization_id: str, items: list[DocumentItemInput], document: dict[str, Any]
) -> None:
    """``save: true`` lines become saved items, and the document line points at them."""
    for item, line in zip(items, document["_documentItems"], strict=True):
        if not item.save or item.item_id is not None or item.is_separator:
            continue
        saved = Item(
            id=object_id(),
            organization_id=organization_id,
            name=item.name or "",
            description=item.description,
            unit=item.unit,
            price=item.price,
            price_gross=item.price_gross,
            tax_ids=[tax["taxId"] for tax in line.get("_documentItemTaxes", []) if tax.get("taxId")],
            sku=item.sku,
            created_at=document["createdAt"],
            updated_at=document["updatedAt"],
        ).to_wire()
        saved["_isDeleted"] = False
        conn.execute(tables.items.insert(), item_row(saved))
        line["itemId"] = saved["id"]


# ---------------------------------------------------------------- create


@dataclass
class _Created:
    document: dict[str, Any]
    payments: list[dict[str, Any]]
    fresh: bool
    """False when ``uniqueId`` matched an existing document (an idempotent replay)."""


async def create_document(call: Call) -> Response:
    organization_id = call.params["id"]
    body = await call.body(DocumentCreate, _MODEL)
    args = (call.account_id, organization_id, body, fingerprint(body), call.services.einvoices.issue_check())
    if not body.send:
        created = await call.db.run_write(create_tx, *args)
        return json_response(respond_document(created.document, created.payments, call.base_url))
    queued = None
    async with call.db.write() as conn:  # "send" queues its email in the same transaction
        created = await conn.run_sync(create_tx, *args)
        if created.fresh:
            queued = await documents_out.send_on_create(call, conn, created.document, body.send)
    if queued is not None:
        await documents_out.deliver_created(call, queued)
    return json_response(respond_document(created.document, created.payments, call.base_url))


def create_tx(
    conn: sa.Connection,
    account_id: str,
    organization_id: str,
    body: DocumentCreate,
    digest: str,
    check: IssueCheck | None = None,
) -> _Created:
    require_org_tx(conn, account_id, organization_id, "write")
    if body.unique_id is not None:
        replay = _replay(conn, organization_id, body.unique_id, digest)
        if replay is not None:
            return _Created(*replay, fresh=False)
    with _as_422():
        document, payments = _create(conn, account_id, organization_id, body, check)
    row = document_row(document)
    row["request_fingerprint"] = digest if body.unique_id is not None else None
    conn.execute(tables.documents.insert(), row)
    store_taxes(conn, document)
    if payments:
        conn.execute(tables.payments.insert(), [payment_row(p, document["currencyId"]) for p in payments])
    if linked(document):
        link_document(conn, document, document["updatedAt"])
    emit_tx(conn, organization_id, "document", "create", document)
    for payment in payments:
        emit_tx(conn, organization_id, "payment", "create", payment)
    return _Created(document, payments, fresh=True)


def _replay(
    conn: sa.Connection, organization_id: str, unique_id: str, fingerprint: str
) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    d = tables.documents
    query = sa.select(d.c.id, d.c.data, d.c.request_fingerprint).where(
        d.c.organization_id == organization_id, d.c.unique_id == unique_id
    )
    row = (conn.execute(query)).first()
    if row is None:
        return None
    if row.request_fingerprint != fingerprint:
        raise invalid(
            _MODEL,
            "uniqueId",
            f"was already used for document {row.id} with a different body; "
            "send the same body to get that document back, or use a new uniqueId",
            code="uniqueness",
        )
    return loads(row.data), (payments_of(conn, [row.id]))[row.id]


def _number_for(
    conn: sa.Connection,
    organization_id: str,
    body: DocumentCreate,
    date: datetime,
    *,
    chronological: bool,
    timezone: str | None,
    except_id: str | None = None,
) -> str | None:
    if body.number is not None:
        if number_taken(conn, organization_id, body.type, body.number, except_id=except_id):
            raise AutofillError("number", f"{body.type} number {body.number!r} is already taken.")
        return body.number
    if body.draft:
        return None
    year = local_day(date, timezone).year  # the number's year is the organization's, not UTC's
    if chronological:
        latest = last_issued_date(conn, organization_id, body.type, year)
        day = None if latest is None else local_day(latest, timezone)
        if day is not None and day > local_day(date, timezone):
            raise AutofillError(
                "date",
                f"is before {day.isoformat()}, the date of the last numbered {_KIND[body.type]} of "
                f"{year}: numbers must follow dates. Date it {day.isoformat()} or later "
                "(or set the organization default numbering_chronological to false).",
            )
    return allocate_number(conn, organization_id, body.type, year)


def _build(
    conn: sa.Connection,
    account_id: str,
    organization_id: str,
    body: DocumentCreate,
    stamp: datetime,
    previous: dict[str, Any] | None = None,
    check: IssueCheck | None = None,
) -> dict[str, Any]:
    """The document ``body`` describes (new, or replacing ``previous``), its saved items stored; no payments yet.
    ``check`` may refuse to issue it (one that must be a Peppol e-invoice and cannot be, see ``einvoicing``)."""
    ctx = load_context(conn, organization_id)
    currency = _currency(body, ctx)
    items = _load_items(conn, organization_id, body.document_items, money=body.type != "delivery-note")
    client_id, snapshot, client_language = _resolve_client(conn, organization_id, body, stamp)
    related = _related(conn, organization_id, body.document_ids)
    ctx = dataclasses.replace(ctx, language=_language(body, related, client_language, ctx))
    except_id = previous["id"] if previous is not None else None
    chronological = str(ctx.defaults.get("numbering_chronological", True)).lower() not in ("false", "0")
    date = document_date(body, stamp)
    timezone = ctx.organization.get("timezone")
    number = _number_for(
        conn, organization_id, body, date, chronological=chronological, timezone=timezone, except_id=except_id
    )
    document = build_document(
        body,
        ctx,
        document_id=except_id or object_id(),
        number=number,
        currency=currency,
        account_id=account_id,
        client_id=client_id,
        document_client=snapshot,
        items=items,
        now=stamp,
        new_sub_id=sub_id,
        previous=previous,
    )
    if related:
        _with_references(document, related)
    if check is not None:
        check(ctx, document)
    _save_items(conn, organization_id, items, document)
    return with_v1_keys(document)


def _create(
    conn: sa.Connection, account_id: str, organization_id: str, body: DocumentCreate, check: IssueCheck | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    stamp = now()
    document = _build(conn, account_id, organization_id, body, stamp, check=check)
    payments = build_payments(body.payments or [], document, new_id=object_id, now=stamp)
    apply_payment_status(document, [p["amount"] for p in payments])
    return document, payments


# ---------------------------------------------------------------- read


def _scope(organization_id: str) -> sa.ColumnElement[bool]:
    return tables.documents.c.organization_id == organization_id


async def list_documents(call: Call) -> Response:
    organization_id = call.params["id"]
    flt = call.filter()

    def run(conn: sa.Connection) -> bytes:
        require_org_tx(conn, call.account_id, organization_id)
        return list_json_tx(conn, DOCUMENTS, _scope(organization_id), flt, includer=include_payments)

    return raw_json_response(await call.db.run_read(run))


async def count_documents(call: Call) -> Response:
    organization_id = call.params["id"]
    where = call.where()

    def run(conn: sa.Connection) -> int:
        require_org_tx(conn, call.account_id, organization_id)
        return count_rows_tx(conn, DOCUMENTS, _scope(organization_id), where)

    return json_response(Count(count=await call.db.run_read(run)).to_wire())


async def search_documents(call: Call) -> Response:
    organization_id = call.params["id"]
    term = (call.query("term") or "").strip()
    conditions: list[dict[str, Any]] = [{"type": call.query("type")}] if call.query("type") else []
    if term:  # number, reference, client name, item names and note, from the search index
        conditions.append({"_search": term})

    def run(conn: sa.Connection) -> list[str]:
        require_org_tx(conn, call.account_id, organization_id)
        d = tables.documents
        query = (
            sa.select(d.c.data)
            .where(_scope(organization_id), d.c.is_deleted == sa.false())
            .where(compile_where({"and": conditions} if conditions else None, DOCUMENTS, conn.dialect.name))
            .order_by(d.c.date.desc(), d.c.id)
            .limit(100)
        )
        return list(conn.execute(query).scalars())

    texts = await call.db.run_read(run)
    return raw_json_response(("[" + ",".join(texts) + "]").encode())


async def get_document(call: Call) -> Response:
    flt = call.filter()
    include = check_include(flt, DOCUMENTS)

    def run(conn: sa.Connection) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
        row = load_owned_tx(conn, tables.documents, call.params["id"], call.account_id, _MODEL)
        document = loads(row.data)
        payments = payments_of(conn, [document["id"]])[document["id"]] if "payments" in include else None
        return document, payments

    document, payments = await call.db.run_read(run)
    return json_response(project_fields(respond_document(document, payments, call.base_url), flt.fields))


# ---------------------------------------------------------------- replace, cancel, delete


async def replace_document(call: Call) -> Response:
    document_id = call.params["id"]
    raw = await call.json()
    body = _replace_body(raw)
    check = call.services.einvoices.issue_check()

    def run(conn: sa.Connection) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        row = load_owned_tx(conn, tables.documents, document_id, call.account_id, _MODEL, "write")
        document = _replace_tx(conn, call.account_id, row, body, raw, check)
        emit_tx(conn, row.organization_id, "document", "update", document)
        return document, payments_of(conn, [document_id])[document_id]

    document, payments = await call.db.run_write(run)
    return json_response(respond_document(document, payments, call.base_url))


def _replace_tx(
    conn: sa.Connection, account_id: str, row: Any, body: DocumentCreate, raw: dict[str, Any], check: IssueCheck
) -> dict[str, Any]:
    """Rebuild a draft or estimate from ``body`` (``raw`` is what the caller sent) and store it."""
    previous = loads(row.data)
    checked = _checked_replacement(body, raw, previous)
    if linked(previous):
        unlink_document(conn, previous, now())
    with _as_422():
        document = _rebuild(conn, account_id, row.organization_id, checked, previous, check)
    d = tables.documents
    conn.execute(sa.update(d).where(d.c.id == previous["id"]).values(**document_row(document)))
    store_taxes(conn, document)
    if linked(document):
        link_document(conn, document, document["updatedAt"])
    return document


# Bookkeeping data about a document, not what it says: changeable on an issued document too.
_METADATA = {"custom": dict, "sentSnailMail": bool}
# What a draft or estimate keeps when a PATCH does not name it (as given on create).
_KEPT = (
    "type",
    "number",
    "draft",
    "date",
    "dateService",
    "dateServiceTo",
    "dateDue",
    "dateValidTill",
    "datePaid",
    "reference",
    "currencyId",
    "note",
    "signature",
    "footer",
    "decimalPlaces",
    "l10n",
    "custom",
    "uniqueId",
)


async def patch_document(call: Call) -> Response:
    """``PATCH /documents/{id}`` (v1, D23/OAS): change only what the body names. A draft or an estimate is rebuilt
    with the rest as it was (the lines, client and dates it was given; totals, VAT and legends recomputed); an issued
    invoice, advance or credit note changes only its bookkeeping data (``custom``, ``sentSnailMail``): anything it
    says is corrected by a credit note."""
    document_id = call.params["id"]
    raw = await call.json()
    check = call.services.einvoices.issue_check()

    def run(conn: sa.Connection) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        row = load_owned_tx(conn, tables.documents, document_id, call.account_id, _MODEL, "write")
        previous = loads(row.data)
        metadata = {key: raw[key] for key in raw if key in _METADATA}
        for key, value in metadata.items():
            if not isinstance(value, _METADATA[key]):
                raise invalid(_MODEL, key, f"must be {'an object' if key == 'custom' else 'true or false'}")
        rest = {key: value for key, value in raw.items() if key not in _METADATA}
        if metadata.get("sentSnailMail") and rest.get("draft", previous.get("draft")):
            raise invalid(_MODEL, "sentSnailMail", "a draft cannot be sent: issue it first")
        if rest and previous["type"] in _LEGAL and not previous.get("draft"):
            kind = _KIND[previous["type"]]
            raise invalid(
                _MODEL,
                sorted(rest)[0],
                f"an issued {kind} cannot be changed (only custom and sentSnailMail can); {_CORRECT[previous['type']]}",
                code="immutable",
            )
        document = previous
        if rest:
            merged = {**_input_of(previous, set(rest)), **rest}
            document = _replace_tx(conn, call.account_id, row, _replace_body(merged), merged, check)
        if metadata:
            document = {**document, **metadata, "updatedAt": now()}
            document = loads(wirejson.dumps(document))
            d = tables.documents
            conn.execute(sa.update(d).where(d.c.id == document_id).values(**document_row(document)))
        emit_tx(conn, row.organization_id, "document", "update", document)
        return document, payments_of(conn, [document_id])[document_id]

    document, payments = await call.db.run_write(run)
    return json_response(respond_document(document, payments, call.base_url))


# What the VAT wording depends on: a PATCH naming any of these gets it written again.
_CLAUSE_FACTS = frozenset(
    {"_documentItems", "clientId", "_documentClient", "_documentIssuer", "type", "locale", "date"}
)


def _input_of(previous: dict[str, Any], changing: set[str]) -> dict[str, Any]:
    """A stored draft or estimate as the create body that makes it again, but for the fields in ``changing``. Not yet
    issued, it takes the organization's and its contact's current details (as when it was made: a draft issued next
    month prints this month's IBAN); a contact without a saved client keeps its snapshot; the VAT wording stays while
    nothing it depends on changes (it may have been written by the caller)."""
    stored = Document.model_validate(previous)
    fields = {key: previous[key] for key in _KEPT if previous.get(key) is not None}
    if stored.note and states_own_facts(stored.note, previous.get("_documentIssuer") or {}, previous):
        del fields["note"]  # its number, total or due date would be stale: the default note is filled in again
    if stored.client_id and "clientId" not in changing:
        fields["clientId"] = stored.client_id  # a _documentClient in the PATCH then amends that contact's details
    elif stored.document_client is not None and not changing & {"clientId", "_documentClient"}:
        fields["_documentClient"] = _given(stored.document_client.model_dump(by_alias=True), DocumentClientInput)
    if previous.get("taxClause") and not changing & _CLAUSE_FACTS:
        fields["taxClause"] = previous["taxClause"]
    lines = []
    for item in stored.document_items:
        line = copied_line(item).model_dump(by_alias=True, exclude_none=True)
        line.update({key: value for key, value in (("SKU", item.sku), ("l10n", item.l10n)) if value is not None})
        if item.custom:
            line["custom"] = item.custom
        lines.append(line)
    fields["_documentItems"] = [wirejson.loads(wirejson.dumps(line)) for line in lines]
    related = [entry["id"] for entry in previous.get("_relatedDocuments") or []]
    if related:
        fields["documentIds"] = related
    return fields


def _given(snapshot: dict[str, Any], model: type[DocumentClientInput]) -> dict[str, Any]:
    """The keys of a stored snapshot that ``model`` takes as input (not its id, stamps or derived codes)."""
    allowed = {f.alias or name for name, f in model.model_fields.items()}
    return {key: value for key, value in snapshot.items() if key in allowed and value is not None}


async def mark_sent(call: Call) -> Response:
    """``POST /documents/{id}/mark-sent`` (v1): the document went out by other means (post, by hand):
    ``sentSnailMail`` becomes true. A draft is not sent: it is issued first."""

    def run(conn: sa.Connection) -> None:
        d = tables.documents
        row = load_owned_tx(conn, d, call.params["id"], call.account_id, _MODEL, "write")
        document = loads(row.data)
        if document.get("draft"):
            raise invalid(_MODEL, "draft", "a draft cannot be sent: issue it first")
        if not document.get("sentSnailMail"):
            document.update(sentSnailMail=True, updatedAt=now())
            conn.execute(sa.update(d).where(d.c.id == document["id"]).values(**document_row(document)))
            emit_tx(conn, row.organization_id, "document", "update", document)

    await call.db.run_write(run)
    return json_response(Success(success=True).to_wire())


def _replace_body(raw: dict[str, Any]) -> DocumentCreate:
    body = validate(DocumentCreate, raw, _MODEL)
    if body.send:
        raise invalid(_MODEL, "send", "can only be given on create; use POST /documents/{id}/send")
    if body.payments:
        raise invalid(_MODEL, "payments", "can only be given on create; use POST /documents/{id}/payments")
    return body


def _checked_replacement(body: DocumentCreate, raw: dict[str, Any], previous: dict[str, Any]) -> DocumentCreate:
    if "type" not in raw:
        body = body.model_copy(update={"type": previous["type"]})
    if body.type != previous["type"]:
        raise invalid(_MODEL, "type", "cannot be changed; create a new document of the other type")
    if previous["type"] in _LEGAL and not previous.get("draft"):
        kind = _KIND[previous["type"]]
        raise invalid(
            _MODEL, "draft", f"an issued {kind} cannot be changed; {_CORRECT[previous['type']]}", code="immutable"
        )
    if body.unique_id is not None and body.unique_id != previous.get("uniqueId"):
        raise invalid(_MODEL, "uniqueId", "cannot be changed")
    # Full replace, but an omitted number or date keeps the stored one rather than resetting it.
    update: dict[str, Any] = {"unique_id": previous.get("uniqueId")}
    if body.number is None and previous.get("number"):
        update["number"] = previous["number"]
    if body.date is None:
        update["date"] = datetime.fromisoformat(previous["date"])
    if body.locale is None and supported(previous.get("locale")):
        update["locale"] = previous["locale"]  # a draft or estimate revised keeps its language
    return body.model_copy(update=update)


def _rebuild(
    conn: sa.Connection,
    account_id: str,
    organization_id: str,
    body: DocumentCreate,
    previous: dict[str, Any],
    check: IssueCheck,
) -> dict[str, Any]:
    document = _build(conn, account_id, organization_id, body, now(), previous, check)
    payments = payments_of(conn, [previous["id"]])[previous["id"]]
    apply_payment_status(document, [p["amount"] for p in payments])
    return document


def _check_cancelable(conn: sa.Connection, document: dict[str, Any]) -> None:
    kind = _KIND.get(document["type"], "document")
    if payments_of(conn, [document["id"]])[document["id"]]:
        raise LocalAPIError(
            422,
            f"This {kind} has payments and cannot be canceled: "
            + (
                "issue a credit note that corrects it, or delete its payments first."
                if document["type"] in ("invoice", "advance") and not document.get("draft")
                else "delete its payments first."
            ),
            code="DOCUMENT_HAS_PAYMENTS",
            name="ValidationError",
        )
    dependants = [r for r in document.get("_referencedBy") or [] if r["type"] in ("credit-note", "invoice")]
    if document["type"] in ("invoice", "advance") and dependants:
        names = ", ".join(f"{_KIND[r['type']]} {r.get('number') or r['id']}" for r in dependants)
        raise LocalAPIError(
            422,
            f"This {kind} cannot be canceled while {names} refers to it: cancel that first.",
            code="DOCUMENT_REFERENCED",
            name="ValidationError",
        )


async def _set_canceled(call: Call, canceled: bool) -> Response:
    document_id = call.params["id"]
    once = once_of(call, "cancel" if canceled else "uncancel", {})

    def run(conn: sa.Connection) -> None:
        d = tables.documents
        row = load_owned_tx(conn, d, document_id, call.account_id, _MODEL, "write")
        if previous_answer(conn, row.organization_id, once) is not None:
            return  # done under this key already: a repeat, even after an uncancel since, changes nothing
        remember(conn, row.organization_id, once, Success(success=True).to_wire())
        document = loads(row.data)
        if bool(document.get("canceled")) == canceled:
            return
        stamp = now()
        if canceled:
            _check_cancelable(conn, document)
            unlink_document(conn, document, stamp)
        elif document.get("_relatedDocuments"):
            # Back in force: a credit note counts again against what its invoice can still be credited.
            related = _related(conn, row.organization_id, [r["id"] for r in document["_relatedDocuments"]])
            with _as_422():
                _with_references(document, related)
        document.update(canceled=canceled, updatedAt=stamp)
        apply_payment_status(document, [p["amount"] for p in payments_of(conn, [document_id])[document_id]])
        conn.execute(sa.update(d).where(d.c.id == document_id).values(**document_row(document)))
        store_taxes(conn, document)  # their status
        if linked(document):
            link_document(conn, document, stamp)
        emit_tx(conn, row.organization_id, "document", "update", document)

    await call.db.run_write(run)
    return json_response(Success(success=True).to_wire())


async def cancel_document(call: Call) -> Response:
    return await _set_canceled(call, True)


async def uncancel_document(call: Call) -> Response:
    return await _set_canceled(call, False)


async def delete_document(call: Call) -> Response:
    document_id = call.params["id"]

    def run(conn: sa.Connection) -> None:
        d, p = tables.documents, tables.payments
        row = load_owned_tx(conn, d, document_id, call.account_id, _MODEL, "write")
        document = loads(row.data)
        if not document.get("draft") and document.get("number"):
            kind = _KIND.get(document["type"], document["type"])
            how = _CORRECT.get(document["type"], "cancel it instead (its number stays in the series)")
            raise LocalAPIError(
                422,
                f"An issued {kind} cannot be deleted: {how}.",
                code="INVOICE_NOT_DELETABLE" if document["type"] == "invoice" else "DOCUMENT_NOT_DELETABLE",
                name="ValidationError",
            )
        stamp = now()
        document.update(_isDeleted=True, deletedAt=stamp, updatedAt=stamp)
        # The idempotency key is freed: a create replayed with it makes a new document, not the deleted one.
        row_values = {**document_row(document), "unique_id": None}
        conn.execute(sa.update(d).where(d.c.id == document_id).values(**row_values))
        store_taxes(conn, document)  # flagged deleted too
        for payment in payments_of(conn, [document_id])[document_id]:
            payment.update(_isDeleted=True, deletedAt=stamp, updatedAt=stamp)
            values = payment_row(payment, document["currencyId"])
            conn.execute(sa.update(p).where(p.c.id == payment["id"]).values(**values))
        emit_tx(conn, row.organization_id, "document", "delete", document)

    await call.db.run_write(run)
    return json_response(Count(count=1).to_wire())


def routes() -> list[Route]:
    return [
        Route("POST", "/organizations/{id}/documents", create_document),
        Route("GET", "/organizations/{id}/documents", list_documents),
        Route("GET", "/organizations/{id}/documents/count", count_documents),
        Route("GET", "/organizations/{id}/search-documents", search_documents),
        Route("GET", "/documents/count", member_count_handler(DOCUMENTS)),
        Route("GET", "/documents/{id}", get_document),
        Route("PUT", "/documents/{id}", replace_document),
        Route("POST", "/documents/{id}/replace", replace_document),
        Route("PATCH", "/documents/{id}", patch_document),
        Route("POST", "/documents/{id}/mark-sent", mark_sent),
        Route("POST", "/documents/{id}/cancel", cancel_document),
        Route("POST", "/documents/{id}/uncancel", uncancel_document),
        Route("DELETE", "/documents/{id}", delete_document),
        *documents_out.routes(),
    ]
