"""Clients, items, taxes, countries and currencies, end to end against the embedded API."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from si_mcp.client import NotFoundError, UnprocessableEntityError
from si_mcp.models import (
    ClientCreate,
    ClientUpdate,
    DocumentCreate,
    Filter,
    ItemCreate,
    TaxCreate,
    TaxRateCreate,
)

pytestmark = pytest.mark.anyio


async def test_clients_can_be_created_found_updated_and_deleted(books: Any) -> None:
    api, organization_id = books.api, books.organization.id
    rocket = await api.clients.create(
        organization_id, body=ClientCreate(name="Rocket Man Ltd", email="rocket@example.com", country="United Kingdom")
    )
    moon = await api.clients.create(
        organization_id, body=ClientCreate(name="Moon Base", iban="SI56 1910 0000 0123 438")
    )
    assert moon.iban == "SI56 1910 0000 0123 438"
    assert (await api.clients.get(rocket.id)).email == "rocket@example.com"

    assert {client.id for client in await api.clients.list(organization_id)} == {rocket.id, moon.id}
    listed = await api.clients.list(organization_id, filter=Filter(where={"name": "Moon Base"}))
    assert [client.id for client in listed] == [moon.id]
    assert [client.id for client in await api.clients.search(organization_id, term="rocket")] == [rocket.id]

    updated = await api.clients.update(rocket.id, body=ClientUpdate(city="London"))
    assert (updated.city, updated.name) == ("London", "Rocket Man Ltd")
    assert await api.clients.delete(rocket.id) == 1
    with pytest.raises(NotFoundError):
        await api.clients.get(rocket.id)


async def test_items_can_be_created_found_replaced_and_deleted(books: Any) -> None:
    api, organization_id = books.api, books.organization.id
    suit = await api.items.create(
        organization_id, body=ItemCreate(name="Space suit", price=Decimal("19.99"), sku="SUIT-1")
    )
    assert (suit.price, suit.sku) == (Decimal("19.99"), "SUIT-1")
    assert (await api.items.get(suit.id)).name == "Space suit"
    await api.items.create(organization_id, body=ItemCreate(name="Helmet", price=Decimal(5)))

    assert len(await api.items.list(organization_id)) == 2
    cheap = await api.items.list(organization_id, filter=Filter(where={"price": {"lt": 10}}))
    assert [item.name for item in cheap] == ["Helmet"]
    assert [item.id for item in await api.items.search(organization_id, term="suit")] == [suit.id]

    replaced = await api.items.replace(
        suit.id, body=ItemCreate(name="Space suit XL", price=Decimal("1234567890123.45"))
    )
    assert (replaced.id, replaced.name, replaced.price, replaced.sku) == (
        suit.id,
        "Space suit XL",
        Decimal("1234567890123.45"),
        None,
    )
    assert await api.items.delete(suit.id) == 1
    with pytest.raises(NotFoundError):
        await api.items.get(suit.id)


async def test_taxes_with_dated_rates(books: Any) -> None:
    api, organization_id = books.api, books.organization.id
    seeded = await api.taxes.list(organization_id)
    assert Decimal(21) in {rate.rate for tax in seeded for rate in tax.tax_rates}  # Belgium's standard VAT

    body = TaxCreate.model_validate(
        {"name": "Space tax", "abbreviation": "ST", "_taxRates": [{"rate": Decimal("9.5")}]}
    )
    tax = await api.taxes.create(organization_id, body=body)
    assert [rate.rate for rate in tax.tax_rates] == [Decimal("9.5")]
    assert (await api.taxes.get(tax.id)).name == "Space tax"

    later = datetime(2030, 1, 1, tzinfo=UTC)
    with_new_rate = await api.taxes.add_rate(tax.id, body=TaxRateCreate(rate=Decimal("12.5"), date_valid_from=later))
    assert [(rate.rate, rate.date_valid_from.year) for rate in with_new_rate.tax_rates][0] == (Decimal("12.5"), 2030)
    assert len(with_new_rate.tax_rates) == 2

    renamed = TaxCreate.model_validate({"name": "Orbit tax", "_taxRates": [{"rate": 7}]})
    replaced = await api.taxes.replace(tax.id, body=renamed)
    assert (replaced.name, [rate.rate for rate in replaced.tax_rates]) == ("Orbit tax", [Decimal(7)])
    listed = await api.taxes.list(organization_id, filter=Filter(where={"name": "Orbit tax"}))
    assert [found.id for found in listed] == [tax.id]

    assert await api.taxes.delete(tax.id) == 1
    with pytest.raises(NotFoundError):
        await api.taxes.get(tax.id)


async def test_a_tax_used_by_a_document_cannot_be_deleted(books: Any) -> None:
    api, organization_id = books.api, books.organization.id
    tax = await api.taxes.create(
        organization_id, body=TaxCreate.model_validate({"name": "T", "_taxRates": [{"rate": 5}]})
    )
    await api.documents.create(
        organization_id,
        body=DocumentCreate.model_validate(
            {
                "_documentClient": {"name": "A"},
                "_documentItems": [{"name": "x", "price": 1, "_documentItemTaxes": [{"taxId": tax.id}]}],
            }
        ),
    )
    with pytest.raises(UnprocessableEntityError) as caught:
        await api.taxes.delete(tax.id)
    assert caught.value.error.code == "TAX_IN_USE"


async def test_countries_and_currencies_need_no_token(local_api: Any) -> None:
    countries = await local_api.countries.list()
    belgium = next(country for country in countries if country.alpha2_code == "BE")
    assert belgium.name == "Belgium"
    currencies = {currency.id: currency for currency in await local_api.currencies.list()}
    assert currencies["EUR"].decimal_digits == 2
    assert currencies["JPY"].decimal_digits == 0
