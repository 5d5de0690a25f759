"""Payments, end to end against the embedded API: recorded on documents and at organization level."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from si_mcp.client import NotFoundError
from si_mcp.models import DocumentCreate, Filter, PaymentCreate

pytestmark = pytest.mark.anyio


async def unpaid_invoice(books: Any, price: str = "100.00") -> Any:
    body = DocumentCreate.model_validate(
        {
            "_documentClient": {"name": "Rocket man"},
            "_documentItems": [{"name": "Fuel", "price": Decimal(price), "_documentItemTaxes": [{"rate": 21}]}],
        }
    )
    return await books.api.documents.create(books.organization.id, body=body)


async def test_payments_on_a_document_settle_it(books: Any) -> None:
    api = books.api
    invoice = await unpaid_invoice(books)
    assert invoice.total_due == Decimal(121)

    first = await api.payments.create(invoice.id, body=PaymentCreate(type="bank", amount=Decimal("21.01"), note="part"))
    assert (first.amount, first.type, first.document_id) == (Decimal("21.01"), "bank", invoice.id)
    assert (await api.documents.get(invoice.id)).total_due == Decimal("99.99")

    rest = await api.payments.create(invoice.id, body=PaymentCreate(type="cash"))
    assert rest.amount == Decimal("99.99")  # defaults to what is still due
    paid = await api.documents.get(invoice.id)
    assert (paid.total_paid, paid.total_due, paid.paid_in_full) == (Decimal(121), Decimal(0), True)
    assert {payment.id for payment in await api.payments.list(invoice.id)} == {first.id, rest.id}


async def test_get_update_and_delete_a_payment(books: Any) -> None:
    api = books.api
    invoice = await unpaid_invoice(books)
    payment = await api.payments.create(invoice.id, body=PaymentCreate(type="bank", amount=Decimal(50)))
    assert (await api.payments.get(payment.id)).amount == Decimal(50)

    when = datetime(2024, 3, 1, tzinfo=UTC)
    updated = await api.payments.update(payment.id, body=PaymentCreate(type="card", amount=Decimal("60.5"), date=when))
    assert (updated.id, updated.type, updated.amount, updated.date) == (payment.id, "card", Decimal("60.5"), when)
    assert (await api.documents.get(invoice.id)).total_paid == Decimal("60.5")

    assert await api.payments.delete(payment.id) == 1
    with pytest.raises(NotFoundError):
        await api.payments.get(payment.id)
    assert (await api.documents.get(invoice.id)).total_paid == Decimal(0)


async def test_payments_at_organization_level(books: Any) -> None:
    api, organization_id = books.api, books.organization.id
    first, second = await unpaid_invoice(books), await unpaid_invoice(books, price="10")
    made = await api.payments.create_for_organization(
        organization_id, body=PaymentCreate(type="paypal", amount=Decimal("12.10"), document_id=second.id)
    )
    assert made.document_id == second.id
    await api.payments.create(first.id, body=PaymentCreate(type="bank"))

    everything = await api.payments.list_for_organization(organization_id)
    assert len(everything) == 2
    paypal = await api.payments.list_for_organization(organization_id, filter=Filter(where={"type": "paypal"}))
    assert [payment.id for payment in paypal] == [made.id]
    assert (await api.documents.get(second.id)).paid_in_full is True
