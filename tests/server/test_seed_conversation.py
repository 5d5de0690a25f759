"""The seed conversation end to end: set up International Space Agency, invoice Rocket man, paid by card, emailed."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from mcp import Client
from mcp.types import ResourceLink

from si_mcp.client import SpaceInvoices
from si_mcp.server import build_server

from .conftest import SEED_INVOICE, SEED_ORGANIZATION, answering, make_settings, structured, text_of


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_seed_conversation_creates_a_paid_emailed_invoice_in_two_calls(
    tmp_path: Path, api: SpaceInvoices, mode: str
) -> None:
    asked: list[str] = []
    server = build_server(make_settings(tmp_path), api=api)
    with anyio.fail_after(30):
        async with Client(server, mode=mode, elicitation_callback=answering("accept", {"confirm": True}, asked)) as c:
            org = await c.call_tool("create_organization", SEED_ORGANIZATION)
            invoice = await c.call_tool("create_invoice", {**SEED_INVOICE, "send": True})

    assert not org.is_error and org.structured_content is not None
    organization = org.structured_content["organization"]
    assert organization["country_code"] == "BE"
    assert organization["locale"] == "nl-BE"
    assert organization["currency"] == "EUR"
    assert {"abbreviation": "BTW 21%", "rate": "21"}.items() <= organization["taxes"][0].items()

    assert not invoice.is_error, text_of(invoice)
    data = invoice.structured_content
    assert data is not None
    assert data["organization"] == "International Space Agency"
    assert data["document"]["number"].endswith("-00001")
    assert data["document"]["status"] == "paid"
    assert data["document"]["gross"] == "12100.00"
    assert data["document"]["amount_due"] == "0.00"
    assert data["vat"] == [{"rate": "21", "label": "BTW 21%", "base": "10000.00", "tax": "2100.00"}]
    assert data["replayed"] is False
    assert (data["email"]["status"], data["email"]["recipients"]) == ("saved", ["rocket@example.com"])
    assert ".eml" in data["email"]["detail"]  # no SMTP server configured: the message went to the outbox folder
    # The user was asked once, with organization, number, amount and recipient.
    assert len(asked) == 1
    for fact in ("International Space Agency", data["document"]["number"], "12,100.00 EUR", "rocket@example.com"):
        assert fact in asked[0]

    text = text_of(invoice)
    assert len(text.encode()) <= 800
    for fact in ("International Space Agency", "Rocket man", "12,100.00 EUR", "paid in full", "rocket@example.com"):
        assert fact in text
    links = [block for block in invoice.content if isinstance(block, ResourceLink)]
    assert [link.uri for link in links] == [f"si://documents/{data['document']['id']}/pdf"]


@pytest.mark.anyio
async def test_the_seed_invoice_reads_back_with_its_card_payment(tmp_path: Path, api: SpaceInvoices) -> None:
    server = build_server(make_settings(tmp_path), api=api)
    async with Client(server) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)
        created = await c.call_tool("create_invoice", SEED_INVOICE)
        number = structured(created)["document"]["number"]
        fetched = await c.call_tool("get_document", {"document": number})

    document = structured(fetched)["document"]
    assert document["client"] == "Rocket man"
    assert document["client_email"] == "rocket@example.com"
    assert (document["net"], document["tax"], document["gross"]) == ("10000.00", "2100.00", "12100.00")
    assert document["payments"][0]["type"] == "card"
    assert document["payments"][0]["amount"] == "12100.00"
    assert document["items"] == [
        {
            "name": "Space suit",
            "quantity": "1",
            "price": "10000",
            "discount": "0%",
            "tax_rates": ["21"],
            "net": "10000.00",
        }
    ]
