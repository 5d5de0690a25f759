"""Documents, end to end against the embedded API: the seed flow, paging, replace, cancel, delete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from si_mcp.client import NotFoundError, UnprocessableEntityError
from si_mcp.models import DocumentCreate, Filter

pytestmark = pytest.mark.anyio


def seed_invoice(**extra: Any) -> DocumentCreate:
    """The seed's quick-start invoice (without ``send``), paid by card."""
    return DocumentCreate.model_validate(
        {
            "type": "invoice",
            "_documentClient": {"name": "Rocket man", "country": "United Kingdom", "email": "rocket@example.com"},
            "_documentItems": [
                {"name": "Space suit", "quantity": 1, "price": Decimal(10000), "_documentItemTaxes": [{"rate": 21}]}
            ],
            "payments": [{"type": "card"}],
            **extra,
        }
    )


def estimate(name: str = "Moon trip", price: str = "19.99") -> DocumentCreate:
    return DocumentCreate.model_validate(
        {
            "type": "estimate",
            "_documentClient": {"name": "Rocket man"},
            "_documentItems": [{"name": name, "price": Decimal(price)}],
        }
    )


async def test_the_seed_invoice_comes_back_numbered_taxed_and_paid(books: Any) -> None:
    document = await books.api.documents.create(books.organization.id, body=seed_invoice())
    assert document.number is not None and document.number.endswith("-00001")
    assert (document.total, document.total_with_tax) == (Decimal(10000), Decimal(12100))
    assert [(tax.tax, tax.base, tax.total_tax) for tax in document.document_taxes] == [
        (Decimal(21), Decimal(10000), Decimal(2100))
    ]
    assert (document.total_paid, document.total_due, document.paid_in_full) == (Decimal(12100), Decimal(0), True)
    assert document.signature == "International Space Agency"

    fetched = await books.api.documents.get(document.id, include_payments=True)
    assert fetched.payments is not None
    assert [(payment.type, payment.amount) for payment in fetched.payments] == [("card", Decimal(12100))]
    assert (await books.api.documents.get(document.id)).payments is None


@pytest.mark.parametrize("literal", ["0.1", "19.99", "1234567890123.45"])
async def test_amounts_survive_the_embedded_api_exactly(literal: str, books: Any) -> None:
    document = await books.api.documents.create(books.organization.id, body=estimate(price=literal))
    assert document.total == Decimal(literal)
    assert str((await books.api.documents.get(document.id)).document_items[0].price) == literal


async def test_a_create_with_the_same_unique_id_returns_the_same_document(books: Any) -> None:
    first = await books.api.documents.create(books.organization.id, body=seed_invoice(uniqueId="order-42"))
    again = await books.api.documents.create(books.organization.id, body=seed_invoice(uniqueId="order-42"))
    assert again.id == first.id
    assert await books.api.documents.count(books.organization.id) == 1


async def test_list_count_and_iterate_over_all_documents(books: Any) -> None:
    api, organization_id = books.api, books.organization.id
    for index in range(7):
        await api.documents.create(organization_id, body=estimate(name=f"Trip {index}"))
    await api.documents.create(organization_id, body=seed_invoice())

    assert await api.documents.count(organization_id) == 8
    assert await api.documents.count(organization_id, where={"type": "estimate"}) == 7
    newest = await api.documents.list(
        organization_id, filter=Filter(where={"type": "estimate"}, order="number DESC", limit=2)
    )
    assert [(document.number or "")[-6:] for document in newest] == ["-00007", "-00006"]

    paged = [
        document.number
        async for document in api.documents.iterate(
            organization_id, filter=Filter(where={"type": "estimate"}, order="number ASC"), page_size=3
        )
    ]
    assert paged == sorted(paged)
    assert len(paged) == len(set(paged)) == 7


async def test_a_where_with_operators_on_decimal_and_datetime_values_selects_exactly(books: Any) -> None:
    api, organization_id = books.api, books.organization.id
    for price in ("100.00", "100.01", "250.50", "250.51"):
        await api.documents.create(organization_id, body=estimate(price=price))
    since = datetime.now(UTC) - timedelta(days=2)
    where = {"total": {"between": [Decimal("100.01"), Decimal("250.50")]}, "date": {"gte": since}}

    selected = await api.documents.list(organization_id, filter=Filter(where=where, order="total ASC"))

    assert [document.total for document in selected] == [Decimal("100.01"), Decimal("250.5")]
    assert await api.documents.count(organization_id, where=where) == 2
    later = {"date": {"gt": datetime.now(UTC) + timedelta(days=2)}}
    assert await api.documents.list(organization_id, filter=Filter(where=later)) == []


async def test_replace_changes_a_draft_and_keeps_its_number(books: Any) -> None:
    api = books.api
    draft = await api.documents.create(books.organization.id, body=estimate())
    replaced = await api.documents.replace(draft.id, body=estimate(name="Mars trip", price="250.50"))
    assert replaced.id == draft.id
    assert replaced.number == draft.number
    assert [item.name for item in replaced.document_items] == ["Mars trip"]
    assert replaced.total == Decimal("250.50")


async def test_an_issued_invoice_cannot_be_replaced_or_deleted_but_can_be_cancelled(books: Any) -> None:
    api = books.api
    invoice = await api.documents.create(books.organization.id, body=seed_invoice(payments=None))
    with pytest.raises(UnprocessableEntityError):
        await api.documents.replace(invoice.id, body=seed_invoice(payments=None))
    with pytest.raises(UnprocessableEntityError) as caught:
        await api.documents.delete(invoice.id)
    assert caught.value.error.code == "INVOICE_NOT_DELETABLE"

    assert await api.documents.cancel(invoice.id) is None
    assert (await api.documents.get(invoice.id)).canceled is True
    assert await api.documents.uncancel(invoice.id) is None
    assert (await api.documents.get(invoice.id)).canceled is False


async def test_deleting_a_draft_hides_it(books: Any) -> None:
    api = books.api
    document = await api.documents.create(books.organization.id, body=seed_invoice(payments=None, draft=True))
    assert await api.documents.delete(document.id) == 1
    with pytest.raises(NotFoundError):
        await api.documents.get(document.id)
    assert await api.documents.count(books.organization.id) == 0
