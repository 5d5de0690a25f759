"""Contract: the seed's real response bodies and exact amounts survive a trip through the client."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from si_mcp.models import Document, Organization, PaymentCreate, wirejson

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).parent.parent / "fixtures"


def as_literals(text: str | bytes) -> Any:
    """The JSON with every number kept as the literal it was written as, so ``19.90`` and ``19.9`` differ."""
    return json.loads(text, parse_float=str, parse_int=str)


def serve_file(name: str) -> Any:
    content = (FIXTURES / name).read_bytes()
    return lambda request: httpx.Response(200, content=content, headers={"content-type": "application/json"})


async def test_the_seed_organization_parses_and_serializes_back_without_loss(mock_client: Any) -> None:
    raw = wirejson.loads((FIXTURES / "seed_organization.json").read_bytes())
    async with mock_client(serve_file("seed_organization.json")) as api:
        organization = await api.organizations.get("644c214c6ee48100249d5d7d")
    assert isinstance(organization, Organization)
    assert organization.country_alpha2_code == "BE"
    assert wirejson.loads(wirejson.dumps(organization.to_wire(exclude_unset=True))) == raw
    fixture = (FIXTURES / "seed_organization.json").read_bytes()
    assert as_literals(wirejson.dumps(organization.to_wire(exclude_unset=True))) == as_literals(fixture)


async def test_the_seed_document_parses_and_serializes_back_without_loss(mock_client: Any) -> None:
    raw = wirejson.loads((FIXTURES / "seed_document.json").read_bytes())
    async with mock_client(serve_file("seed_document.json")) as api:
        document = await api.documents.get("644e072bf09b31001c381561")
    assert isinstance(document, Document)
    assert document.total_with_tax == Decimal(12100)
    assert document.document_items[0].document_item_taxes[0].rate == Decimal(21)
    round_tripped = wirejson.loads(wirejson.dumps(document.to_wire(exclude_unset=True)))
    assert round_tripped == raw
    fixture = (FIXTURES / "seed_document.json").read_bytes()
    assert as_literals(wirejson.dumps(document.to_wire(exclude_unset=True))) == as_literals(fixture)
    # unknown fields of the live API (e.g. trackInventory, incoming) are kept, not dropped
    assert round_tripped["incoming"] is False
    assert round_tripped["_documentItems"][0]["trackInventory"] is False


@pytest.mark.parametrize("literal", ["0.1", "19.99", "1234567890123.45"])
async def test_amounts_round_trip_through_the_client_exactly(literal: str, mock_client: Any) -> None:
    sent: list[bytes] = []

    def echo(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        amount = json.loads(request.content, parse_float=str)["amount"]
        body = f'{{"id":"p1","type":"bank","date":"2024-01-01T00:00:00.000Z","amount":{amount}}}'
        return httpx.Response(200, content=body.encode())

    async with mock_client(echo) as api:
        payment = await api.payments.create("d1", body=PaymentCreate(type="bank", amount=Decimal(literal)))
    assert f'"amount":{literal}'.encode() in sent[0]
    assert payment.amount == Decimal(literal)
    assert str(payment.amount) == literal
    assert isinstance(payment.amount, Decimal)
