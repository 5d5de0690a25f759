"""Payments: on a document or at organization level; every change recomputes the document's paid status."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from si_mcp.models import Count, Payment, PaymentCreate, wirejson

from .. import tables
from ..access import load_owned, require_org
from ..engine.autofill import AutofillError, as_decimal, check_currency_amount
from ..errors import invalid
from ..http import Call, Route, json_response, raw_json_response
from ..ids import object_id
from ..ledger import payments_of, refresh_document
from ..resources import PAYMENTS, payment_row
from ..store import count_rows, list_json, loads, now

__all__ = ["routes"]

_MODEL = "Payment"


async def _payable(conn: AsyncConnection, organization_id: str, document_id: str, field: str) -> dict[str, Any]:
    """The live document a payment may go to, in the given organization."""
    d = tables.documents
    query = sa.select(d.c.data).where(
        d.c.id == document_id, d.c.organization_id == organization_id, d.c.is_deleted == sa.false()
    )
    data = (await conn.execute(query)).scalar()
    if data is None:
        raise invalid(_MODEL, field, "no document with this id in this organization")
    document = loads(data)
    if document["type"] == "estimate":
        raise invalid(_MODEL, field, "an estimate cannot be paid; convert it to an invoice first")
    return document


async def _amount(
    conn: AsyncConnection, body: PaymentCreate, document: dict[str, Any], except_id: str | None = None
) -> Decimal:
    """The amount given, or what is still due on the document (not counting the payment being replaced)."""
    if body.amount is not None:
        amount = body.amount
    else:
        paid = [p for p in (await payments_of(conn, [document["id"]]))[document["id"]] if p["id"] != except_id]
        amount = as_decimal(document["totalWithTax"]) - sum((as_decimal(p["amount"]) for p in paid), Decimal(0))
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
        custom=body.custom,
        created_at=previous["createdAt"] if previous else stamp,
        updated_at=stamp,
    )
    return payment.to_wire(exclude_none=True)


async def _create(call: Call, organization_id: str, document_id: str, field: str, body: PaymentCreate) -> Response:
    async with call.db.write() as conn:
        await require_org(conn, call.account_id, organization_id, "write")
        document = await _payable(conn, organization_id, document_id, field)
        amount = await _amount(conn, body, document)
        stamp = now()
        payment = _payment(body, document, amount, stamp, None)
        await conn.execute(tables.payments.insert().values(**payment_row(payment)))
        await refresh_document(conn, document_id, stamp)
    return json_response(payment)


async def create_on_document(call: Call) -> Response:
    document_id = call.params["id"]
    body = await call.body(PaymentCreate, _MODEL)
    if body.document_id is not None and body.document_id != document_id:
        raise invalid(_MODEL, "documentId", "differs from the document in the path")
    async with call.db.read() as conn:
        row = await load_owned(conn, tables.documents, document_id, call.account_id, "Document", "write")
    return await _create(call, row.organization_id, document_id, "documentId", body)


async def create_on_organization(call: Call) -> Response:
    body = await call.body(PaymentCreate, _MODEL)
    if body.document_id is None:
        raise invalid(_MODEL, "documentId", "is required when creating a payment at organization level")
    return await _create(call, call.params["id"], body.document_id, "documentId", body)


async def list_for_document(call: Call) -> Response:
    flt = call.filter()
    async with call.db.read() as conn:
        await load_owned(conn, tables.documents, call.params["id"], call.account_id, "Document")
        scope = tables.payments.c.document_id == call.params["id"]
        body = await list_json(conn, PAYMENTS, scope, flt)
    return raw_json_response(body)


async def count_for_document(call: Call) -> Response:
    where = call.where()
    async with call.db.read() as conn:
        await load_owned(conn, tables.documents, call.params["id"], call.account_id, "Document")
        count = await count_rows(conn, PAYMENTS, tables.payments.c.document_id == call.params["id"], where)
    return json_response(Count(count=count).to_wire())


async def list_for_organization(call: Call) -> Response:
    flt = call.filter()
    async with call.db.read() as conn:
        await require_org(conn, call.account_id, call.params["id"])
        body = await list_json(conn, PAYMENTS, tables.payments.c.organization_id == call.params["id"], flt)
    return raw_json_response(body)


async def count_for_organization(call: Call) -> Response:
    where = call.where()
    async with call.db.read() as conn:
        await require_org(conn, call.account_id, call.params["id"])
        count = await count_rows(conn, PAYMENTS, tables.payments.c.organization_id == call.params["id"], where)
    return json_response(Count(count=count).to_wire())


async def get_payment(call: Call) -> Response:
    async with call.db.read() as conn:
        row = await load_owned(conn, tables.payments, call.params["id"], call.account_id, _MODEL)
    return raw_json_response(str(row.data).encode())


async def replace_payment(call: Call) -> Response:
    payment_id = call.params["id"]
    body = await call.body(PaymentCreate, _MODEL)
    p = tables.payments
    async with call.db.write() as conn:
        row = await load_owned(conn, p, payment_id, call.account_id, _MODEL, "write")
        previous = loads(row.data)
        target = body.document_id or previous["documentId"]
        document = await _payable(conn, row.organization_id, target, "documentId")
        amount = await _amount(conn, body, document, except_id=payment_id)
        stamp = now()
        payment = _payment(body, document, amount, stamp, previous)
        await conn.execute(sa.update(p).where(p.c.id == payment_id).values(**payment_row(payment)))
        await refresh_document(conn, target, stamp)
        if target != previous["documentId"]:
            await refresh_document(conn, previous["documentId"], stamp)
    return json_response(payment)


async def delete_payment(call: Call) -> Response:
    payment_id = call.params["id"]
    p = tables.payments
    async with call.db.write() as conn:
        row = await load_owned(conn, p, payment_id, call.account_id, _MODEL, "write")
        payment = loads(row.data)
        stamp = now()
        payment.update(_isDeleted=True, deletedAt=stamp, updatedAt=stamp)
        await conn.execute(sa.update(p).where(p.c.id == payment_id).values(**payment_row(payment)))
        await refresh_document(conn, payment["documentId"], stamp)
    return json_response(Count(count=1).to_wire())


def routes() -> list[Route]:
    return [
        Route("POST", "/documents/{id}/payments", create_on_document),
        Route("GET", "/documents/{id}/payments", list_for_document),
        Route("GET", "/documents/{id}/payments/count", count_for_document),
        Route("POST", "/organizations/{id}/payments", create_on_organization),
        Route("GET", "/organizations/{id}/payments", list_for_organization),
        Route("GET", "/organizations/{id}/payments/count", count_for_organization),
        Route("GET", "/payments/{id}", get_payment),
        Route("PUT", "/payments/{id}", replace_payment),
        Route("DELETE", "/payments/{id}", delete_payment),
    ]
