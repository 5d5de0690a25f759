"""Payments: on a document or at organization level; every change recomputes the document's paid status."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from starlette.responses import Response

from si_mcp.models import Count, Payment, PaymentCreate, wirejson

from .. import tables
from ..access import load_owned_tx, require_org_tx
from ..engine.autofill import AutofillError, as_decimal, check_currency_amount, credited_amount
from ..errors import invalid
from ..http import Call, Handler, Route, json_response, raw_json_response, validate
from ..ids import object_id
from ..ledger import currency_of, payments_of, refresh_document
from ..resources import PAYMENTS, payment_row
from ..store import count_rows_tx, list_json_tx, loads, now, request_digest
from ..webhooks import emit_tx
from ._crud import member_count_handler

__all__ = ["routes"]

_MODEL = "Payment"


def _payable(conn: sa.Connection, organization_id: str, document_id: str, field: str) -> dict[str, Any]:
    """The live document a payment may go to, in the given organization."""
    d = tables.documents
    query = sa.select(d.c.data).where(
        d.c.id == document_id, d.c.organization_id == organization_id, d.c.is_deleted == sa.false()
    )
    data = (conn.execute(query)).scalar()
    if data is None:
        raise invalid(_MODEL, field, "no document with this id in this organization")
    document = loads(data)
    if document["type"] == "estimate":
        raise invalid(_MODEL, field, "an estimate cannot be paid; convert it to an invoice first")
    if document["type"] == "delivery-note":
        raise invalid(_MODEL, field, "a delivery note cannot be paid; its invoice is")
    if document.get("canceled"):
        raise invalid(_MODEL, field, "a canceled document cannot be paid; uncancel it first")
    credited = [r for r in document.get("_relatedDocuments") or [] if r.get("amount")]
    if document["type"] == "credit-note" and credited:
        # Its amount already settles those invoices: a refund is money paid back on the invoice (one place).
        target = credited[0]
        raise invalid(
            _MODEL,
            field,
            f"this credit note is credited to {target['type']} {target.get('number') or target['id']}; record a "
            "refund there, as a negative payment",
        )
    return document


def _amount(
    conn: sa.Connection, body: PaymentCreate, document: dict[str, Any], except_id: str | None = None
) -> Decimal:
    """The amount given, or what is still due on the document after its credits (not counting the payment being
    replaced)."""
    if body.amount is not None:
        amount = body.amount
    else:
        paid = [p for p in (payments_of(conn, [document["id"]]))[document["id"]] if p["id"] != except_id]
        settled = credited_amount(document) + sum((as_decimal(p["amount"]) for p in paid), Decimal(0))
        amount = as_decimal(document["totalWithTax"]) - settled
        if amount <= 0:
            raise invalid(_MODEL, "amount", "nothing is due on this document; give the amount explicitly")
    try:
        check_currency_amount(amount, str(document["currencyId"]), "amount")
    except AutofillError as error:
        raise invalid(_MODEL, error.field, error.message) from None
    if amount == 0:
        raise invalid(_MODEL, "amount", "a payment cannot be zero")
    return amount


def _payment(
    body: PaymentCreate, document: dict[str, Any], amount: Decimal, stamp: datetime, previous: dict[str, Any] | None
) -> dict[str, Any]:
    payment = Payment(
        id=previous["id"] if previous else object_id(),
        document_id=document["id"],
        organization_id=document["organizationId"],
        type=body.type,
        date=body.date or stamp,
        amount=wirejson.normalize_number(amount),
        note=body.note if body.note is not None else body.description,
        tag=body.tag,
        transaction_id=body.transaction_id,
        unique_id=previous.get("uniqueId") if previous else body.unique_id,  # a key stays with what it made
        custom=body.custom,
        created_at=previous["createdAt"] if previous else stamp,
        updated_at=stamp,
    )
    return payment.to_wire(exclude_none=True)


def _create_tx(
    conn: sa.Connection, account_id: str, organization_id: str, document_id: str, body: PaymentCreate
) -> dict[str, Any]:
    require_org_tx(conn, account_id, organization_id, "write")
    digest = _fingerprint(document_id, body)
    if body.unique_id is not None:
        replay = _replay(conn, organization_id, body.unique_id, digest)
        if replay is not None:
            return replay
    document = _payable(conn, organization_id, document_id, "documentId")
    amount = _amount(conn, body, document)
    stamp = now()
    payment = _payment(body, document, amount, stamp, None)
    row = payment_row(payment, document["currencyId"])
    row["request_fingerprint"] = digest if body.unique_id is not None else None
    conn.execute(tables.payments.insert(), row)
    refresh_document(conn, document_id, stamp)
    emit_tx(conn, organization_id, "payment", "create", payment)
    return payment


def _fingerprint(document_id: str, body: PaymentCreate) -> str:
    request = {"documentId": document_id, **body.model_dump(mode="json", exclude_unset=True, exclude={"document_id"})}
    return request_digest(request)


def _replay(conn: sa.Connection, organization_id: str, unique_id: str, digest: str) -> dict[str, Any] | None:
    """The live payment made with ``unique_id`` when the same request made it; a 422 when another one did."""
    p = tables.payments
    row = conn.execute(
        sa.select(p.c.id, p.c.data, p.c.request_fingerprint).where(
            p.c.organization_id == organization_id, p.c.unique_id == unique_id
        )
    ).first()
    if row is None:
        return None
    if row.request_fingerprint != digest:
        raise invalid(
            _MODEL,
            "uniqueId",
            f"was already used for payment {row.id} with a different request; "
            "send the same request to get that payment back, or use a new uniqueId",
            code="uniqueness",
        )
    return loads(row.data)


async def create_on_document(call: Call) -> Response:
    document_id = call.params["id"]
    body = await call.body(PaymentCreate, _MODEL)
    if body.document_id is not None and body.document_id != document_id:
        raise invalid(_MODEL, "documentId", "differs from the document in the path")

    def run(conn: sa.Connection) -> dict[str, Any]:
        row = load_owned_tx(conn, tables.documents, document_id, call.account_id, "Document", "write")
        return _create_tx(conn, call.account_id, row.organization_id, document_id, body)

    return json_response(await call.db.run_write(run))


async def create_on_organization(call: Call) -> Response:
    body = await call.body(PaymentCreate, _MODEL)
    if body.document_id is None:
        raise invalid(_MODEL, "documentId", "is required when creating a payment at organization level")
    args = (call.account_id, call.params["id"], body.document_id, body)
    return json_response(await call.db.run_write(_create_tx, *args))


def _scoped(call: Call, by_document: bool) -> sa.ColumnElement[bool]:
    column = tables.payments.c.document_id if by_document else tables.payments.c.organization_id
    return column == call.params["id"]


def _check_parent(conn: sa.Connection, call: Call, by_document: bool) -> None:
    if by_document:
        load_owned_tx(conn, tables.documents, call.params["id"], call.account_id, "Document")
    else:
        require_org_tx(conn, call.account_id, call.params["id"])


def _lister(by_document: bool) -> Handler:
    async def handler(call: Call) -> Response:
        flt = call.filter()

        def run(conn: sa.Connection) -> bytes:
            _check_parent(conn, call, by_document)
            return list_json_tx(conn, PAYMENTS, _scoped(call, by_document), flt)

        return raw_json_response(await call.db.run_read(run))

    return handler


def _counter(by_document: bool) -> Handler:
    async def handler(call: Call) -> Response:
        where = call.where()

        def run(conn: sa.Connection) -> int:
            _check_parent(conn, call, by_document)
            return count_rows_tx(conn, PAYMENTS, _scoped(call, by_document), where)

        return json_response(Count(count=await call.db.run_read(run)).to_wire())

    return handler


async def get_payment(call: Call) -> Response:
    def run(conn: sa.Connection) -> str:
        return str(load_owned_tx(conn, tables.payments, call.params["id"], call.account_id, _MODEL).data)

    return raw_json_response((await call.db.run_read(run)).encode())


# What a PATCH keeps of the payment when it does not name it.
_KEPT = ("type", "date", "amount", "note", "tag", "transactionId", "documentId", "custom")


async def replace_payment(call: Call) -> Response:
    return await _change(call, await call.json(), partial=False)


async def patch_payment(call: Call) -> Response:
    """``PATCH /payments/{id}`` (v1's endpoint list): only what the body names changes; the rest is kept."""
    return await _change(call, await call.json(), partial=True)


async def _change(call: Call, raw: dict[str, Any], *, partial: bool) -> Response:
    payment_id = call.params["id"]
    given = None if partial else validate(PaymentCreate, raw, _MODEL)

    def run(conn: sa.Connection) -> dict[str, Any]:
        p = tables.payments
        row = load_owned_tx(conn, p, payment_id, call.account_id, _MODEL, "write")
        previous = loads(row.data)
        body = given if given is not None else _patched(previous, raw)
        target = body.document_id or previous["documentId"]
        document = _payable(conn, row.organization_id, target, "documentId")
        amount = _amount(conn, body, document, except_id=payment_id)
        stamp = now()
        payment = _payment(body, document, amount, stamp, previous)
        conn.execute(sa.update(p).where(p.c.id == payment_id).values(**payment_row(payment, document["currencyId"])))
        refresh_document(conn, target, stamp)
        if target != previous["documentId"]:
            refresh_document(conn, previous["documentId"], stamp)
        emit_tx(conn, row.organization_id, "payment", "update", payment)
        return payment

    return json_response(await call.db.run_write(run))


def _patched(previous: dict[str, Any], raw: dict[str, Any]) -> PaymentCreate:
    for key in ("type", "date", "amount", "documentId"):
        if key in raw and raw[key] is None:
            raise invalid(_MODEL, key, "cannot be null: leave it out to keep it")
    kept = {key: previous[key] for key in _KEPT if previous.get(key) is not None}
    merged = {**kept, **raw}
    if "description" in raw:  # the 2019 name of note
        merged.pop("note", None)
    return validate(PaymentCreate, merged, _MODEL)


async def delete_payment(call: Call) -> Response:
    payment_id = call.params["id"]

    def run(conn: sa.Connection) -> None:
        p = tables.payments
        row = load_owned_tx(conn, p, payment_id, call.account_id, _MODEL, "write")
        payment = loads(row.data)
        stamp = now()
        payment.update(_isDeleted=True, deletedAt=stamp, updatedAt=stamp)
        currency = currency_of(conn, payment["documentId"])
        conn.execute(sa.update(p).where(p.c.id == payment_id).values(**payment_row(payment, currency)))
        refresh_document(conn, payment["documentId"], stamp)
        emit_tx(conn, row.organization_id, "payment", "delete", payment)

    await call.db.run_write(run)
    return json_response(Count(count=1).to_wire())


def routes() -> list[Route]:
    return [
        Route("POST", "/documents/{id}/payments", create_on_document),
        Route("GET", "/documents/{id}/payments", _lister(by_document=True)),
        Route("GET", "/documents/{id}/payments/count", _counter(by_document=True)),
        Route("POST", "/organizations/{id}/payments", create_on_organization),
        Route("GET", "/organizations/{id}/payments", _lister(by_document=False)),
        Route("GET", "/organizations/{id}/payments/count", _counter(by_document=False)),
        Route("GET", "/payments/count", member_count_handler(PAYMENTS)),
        Route("GET", "/payments/{id}", get_payment),
        Route("PUT", "/payments/{id}", replace_payment),
        Route("PATCH", "/payments/{id}", patch_payment),
        Route("DELETE", "/payments/{id}", delete_payment),
    ]
