"""find_documents, get_document, get_pdf, find_clients and the organization tools."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import EmbeddedResource, ResourceLink, TextContent

from si_mcp.client import SpaceInvoices
from si_mcp.server import build_server

from .conftest import SEED_INVOICE, SEED_ORGANIZATION, answering, make_settings, seed, structured, text_of

UNPAID = {**SEED_INVOICE, "payments": None}


async def _books(c: Client) -> dict[str, Any]:
    """Paid, unpaid, overdue, draft, canceled and an estimate, for two clients (numbered in date order)."""
    structured(await c.call_tool("create_organization", SEED_ORGANIZATION))
    made: dict[str, Any] = {}
    made["overdue"] = structured(
        await c.call_tool(
            "create_invoice",
            {
                **UNPAID,
                "client": "Moon base",
                "client_email": "base@moon.example",
                "date": "2026-01-10",
                "due_date": "2026-02-10",
            },
        )
    )
    made["paid"] = structured(await c.call_tool("create_invoice", SEED_INVOICE))
    made["unpaid"] = structured(await c.call_tool("create_invoice", {**UNPAID, "note": "fuel"}))
    made["draft"] = structured(await c.call_tool("create_invoice", {**UNPAID, "draft": True}))
    made["estimate"] = structured(await c.call_tool("create_invoice", {**UNPAID, "type": "estimate"}))
    made["canceled"] = structured(await c.call_tool("create_invoice", {**UNPAID, "note": "to cancel"}))
    await c.call_tool("cancel_document", {"document": made["canceled"]["document"]["id"]})
    return made


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"status": "paid"}, {"paid"}),
        ({"status": "unpaid"}, {"unpaid", "overdue"}),
        ({"status": "overdue"}, {"overdue"}),
        ({"status": "draft"}, {"draft"}),
        ({"status": "canceled"}, {"canceled"}),
        ({"status": "open"}, {"estimate"}),
        ({"type": "estimate"}, {"estimate"}),
        ({"client": "Moon base"}, {"overdue"}),
        ({"text": "FUEL"}, {"unpaid"}),
        ({"number": "-00001", "type": "invoice"}, {"overdue"}),
        ({"date_from": "2026-01-01", "date_to": "2026-01-31"}, {"overdue"}),
    ],
)
async def test_find_documents_filters(
    tmp_path: Path, api: SpaceInvoices, arguments: dict[str, Any], expected: set[str]
) -> None:
    async with Client(
        build_server(make_settings(tmp_path), api=api), elicitation_callback=answering("accept", {})
    ) as c:
        made = await _books(c)
        found = structured(await c.call_tool("find_documents", arguments))
    ids = {doc["id"] for doc in found["documents"]}
    assert ids == {made[name]["document"]["id"] for name in expected}
    assert found["total"] == len(expected)
    assert found["organization"] == "International Space Agency"


@pytest.mark.anyio
async def test_find_documents_pages_with_a_next_offset(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(
        build_server(make_settings(tmp_path), api=api), elicitation_callback=answering("accept", {})
    ) as c:
        await _books(c)
        first_result = await c.call_tool("find_documents", {"type": "invoice", "limit": 2})
        first = structured(first_result)
        second = structured(await c.call_tool("find_documents", {"type": "invoice", "limit": 2, "offset": 2}))
        last = await c.call_tool("find_documents", {"type": "invoice", "limit": 2, "offset": 4})

    assert first["total"] == 5 and len(first["documents"]) == 2 and first["next_offset"] == 2
    assert second["next_offset"] == 4
    assert "next_offset" not in structured(last) and len(structured(last)["documents"]) == 1
    assert "offset=2" in text_of(first_result)


@pytest.mark.anyio
async def test_many_matches_are_counted_up_to_a_bound_and_said_to_be_more(
    tmp_path: Path, api: SpaceInvoices, monkeypatch: pytest.MonkeyPatch
) -> None:
    from si_mcp.server.tools import documents

    monkeypatch.setattr(documents, "_COUNT_CAP", 3)  # stands for 100: counting past it would read every document
    async with Client(
        build_server(make_settings(tmp_path), api=api), elicitation_callback=answering("accept", {})
    ) as c:
        await _books(c)
        many = await c.call_tool("find_documents", {"limit": 2})
        last = structured(await c.call_tool("find_documents", {"limit": 2, "offset": 4}))

    assert structured(many)["total"] == 3 and structured(many)["total_is_lower_bound"] is True
    assert text_of(many).startswith("At least 3 documents match")
    assert (last["total"], "total_is_lower_bound" in last) == (6, False)  # the last page knows the exact count


@pytest.mark.anyio
async def test_get_document_by_number_needs_the_type_when_an_estimate_shares_it(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        invoice = await seed(c)
        await c.call_tool("create_invoice", {**UNPAID, "type": "estimate"})
        ambiguous = await c.call_tool("get_document", {"document": invoice["document"]["number"]})
        chosen = structured(
            await c.call_tool("get_document", {"document": invoice["document"]["number"], "type": "invoice"})
        )
        unknown = await c.call_tool("get_document", {"document": "2020-12345"})

    assert ambiguous.is_error and "type=" in text_of(ambiguous)
    assert chosen["document"]["id"] == invoice["document"]["id"]
    assert unknown.is_error and "find_documents" in text_of(unknown)


@pytest.mark.anyio
async def test_get_pdf_returns_a_resource_link_and_the_bytes_only_when_asked(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        invoice = await seed(c)
        linked = await c.call_tool("get_pdf", {"document": invoice["document"]["number"]})
        embedded = await c.call_tool(
            "get_pdf", {"document": invoice["document"]["number"], "embed": True, "language": "en"}
        )

    uri = f"si://documents/{invoice['document']['id']}/pdf"
    assert [type(block) for block in linked.content] == [TextContent, ResourceLink]
    assert linked.content[1].uri == uri  # type: ignore[union-attr]
    assert structured(linked)["embedded"] is False and structured(linked)["size_bytes"] > 1000
    assert len(text_of(linked)) < 200  # never base64 in the text
    blob = embedded.content[2]
    assert isinstance(blob, EmbeddedResource)
    assert base64.b64decode(blob.resource.blob).startswith(b"%PDF")  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_a_pdf_in_another_language_is_its_own_resource_and_reads_in_that_language(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    import io

    import pypdf

    def text(pdf: bytes) -> str:
        return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)

    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        invoice = await seed(c)  # Belgian organization: Dutch by default
        english = structured(await c.call_tool("get_pdf", {"document": invoice["document"]["id"], "language": "en"}))
        default = structured(await c.call_tool("get_pdf", {"document": invoice["document"]["id"]}))
        read_en = await c.read_resource(english["uri"])
        read_default = await c.read_resource(default["uri"])
        with pytest.raises(MCPError) as bad:
            await c.read_resource(f"si://documents/{invoice['document']['id']}/pdf?l=klingon")

    assert english["uri"] == f"si://documents/{invoice['document']['id']}/pdf?l=en" != default["uri"]
    en_pdf = base64.b64decode(read_en.contents[0].blob)  # type: ignore[union-attr]
    nl_pdf = base64.b64decode(read_default.contents[0].blob)  # type: ignore[union-attr]
    assert "Invoice" in text(en_pdf) and "Factuur" in text(nl_pdf) and "Factuur" not in text(en_pdf)
    assert bad.value.error.code == -32602 and "not a language code" in bad.value.error.message


@pytest.mark.anyio
async def test_find_clients_searches_and_pages(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await seed(c)
        await c.call_tool("create_invoice", {**UNPAID, "client": "Moon base", "client_email": "base@moon.example"})
        everyone = structured(await c.call_tool("find_clients", {"limit": 1}))
        moon = structured(await c.call_tool("find_clients", {"query": "moon"}))

    assert len(everyone["clients"]) == 1 and everyone["next_offset"] == 1
    assert [(c["name"], c["email"]) for c in moon["clients"]] == [("Moon base", "base@moon.example")]


@pytest.mark.anyio
async def test_organizations_are_listed_updated_and_chosen_by_name(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)
        duplicate = await c.call_tool(
            "create_organization", {**SEED_ORGANIZATION, "name": "international space agency"}
        )
        await c.call_tool("create_organization", {"name": "Lunar Logistics", "country": "SI"})
        listed = structured(await c.call_tool("list_organizations", {}))
        unnamed = await c.call_tool("find_documents", {})
        updated = structured(
            await c.call_tool(
                "update_organization", {"organization": "lunar logistics", "iban": "SI56 1910 0000 0123 438"}
            )
        )
        nothing = await c.call_tool("update_organization", {"organization": "Lunar Logistics"})

    assert duplicate.is_error and "already exists" in text_of(duplicate)
    assert [o["name"] for o in listed["organizations"]] == ["International Space Agency", "Lunar Logistics"]
    assert "default" not in listed
    assert (
        unnamed.is_error and "International Space Agency" in text_of(unnamed) and "Lunar Logistics" in text_of(unnamed)
    )
    assert updated["organization"]["iban"] == "SI56 1910 0000 0123 438"
    assert updated["organization"]["currency"] == "EUR" and updated["organization"]["locale"].startswith("sl")
    assert nothing.is_error


@pytest.mark.anyio
async def test_a_configured_default_organization_is_used_when_none_is_named(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await seed(c)
        await c.call_tool("create_organization", {"name": "Lunar Logistics", "country": "SI"})
    settings = make_settings(tmp_path, SPACEINVOICES_ORGANIZATION_ID="Lunar Logistics")
    async with Client(build_server(settings, api=api)) as c:
        found = structured(await c.call_tool("find_documents", {}))
    assert found["organization"] == "Lunar Logistics" and found["total"] == 0


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("create_organization", {"name": "X", "country": "Atlantis"}),
        ("create_organization", {"name": "", "country": "BE"}),
        ("update_organization", {"email": "x" * 400}),
        ("find_documents", {"status": "lost"}),
        ("find_documents", {"limit": 500}),
        ("get_document", {"document": ""}),
        ("get_pdf", {"document": "2026-00001", "language": "../etc"}),
        ("find_clients", {"offset": -1}),
        ("mark_paid", {"document": "2026-00001", "payment_type": "gold"}),
        ("send_invoice", {"document": "2026-00001", "recipients": ["not an email"]}),
        ("cancel_document", {"document": "x" * 101}),
        ("create_invoice", {"client": "Rocket man", "items": [{"name": "Suit", "price": "ten"}]}),
    ],
)
async def test_every_tool_answers_bad_input_with_a_tool_error(
    tmp_path: Path, api: SpaceInvoices, tool: str, arguments: dict[str, Any]
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await seed(c)
        result = await c.call_tool(tool, arguments)
    assert result.is_error
    assert text_of(result).startswith(f"Error executing tool {tool}")
    assert "errors.pydantic.dev" not in text_of(result) and "input_value" not in text_of(result)


@pytest.mark.anyio
async def test_texts_name_each_tax_rate_once_and_count_one_document_in_the_singular(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        created = await c.call_tool("create_organization", SEED_ORGANIZATION)
        await c.call_tool("create_invoice", SEED_INVOICE)
        found = await c.call_tool("find_documents", {})

    assert "taxes: BTW 21%, BTW 12%, BTW 6%." in text_of(created)
    assert text_of(found).startswith("1 document matches in International Space Agency")


@pytest.mark.anyio
async def test_get_document_shows_unit_prices_like_amounts_and_keeps_extra_decimals(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    items = [
        {"name": "Space suit", "quantity": 1, "price": 10000, "tax_rates": [21]},
        {"name": "Bolt", "quantity": 1000, "price": "0.1234", "tax_rates": [21]},
    ]
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)
        made = structured(await c.call_tool("create_invoice", {**SEED_INVOICE, "items": items, "payments": None}))
        shown = text_of(await c.call_tool("get_document", {"document": made["document"]["number"]}))

    assert "Space suit at 10,000.00 EUR" in shown
    assert "Bolt at 0.1234 EUR" in shown


@pytest.mark.anyio
async def test_an_organization_without_seeded_vat_gets_its_rates_through_update_organization(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    invoice = {
        "client": "Kupac",
        "client_country": "Serbia",
        "items": [{"name": "Servis", "quantity": 1, "price": 1000, "tax_rates": [20]}],
    }
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", {"name": "Beogradska radionica", "country": "Serbia"})
        refused = await c.call_tool("create_invoice", invoice)
        added = await c.call_tool("update_organization", {"vat_rates": [20, 10, 20]})
        again = await c.call_tool("update_organization", {"vat_rates": [20]})
        made = structured(await c.call_tool("create_invoice", invoice))

    assert refused.is_error and "call update_organization with vat_rates" in text_of(refused)
    assert "POST /" not in text_of(refused)
    taxes = structured(added)["organization"]["taxes"]
    assert sorted((t["abbreviation"], t["rate"]) for t in taxes) == [("VAT 10%", "10"), ("VAT 20%", "20")]
    assert "Updated nothing new" in text_of(again)
    assert made["document"]["gross"] == "1200.00" and made["vat"][0]["label"] == "VAT 20%"  # ISO 4217: RSD has 2


@pytest.mark.anyio
async def test_get_document_shows_round_quantities_and_discounts_without_exponents(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    items = [{"name": "Bolt", "quantity": 1000, "price": 1, "discount": 10, "tax_rates": [21]}]
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)
        made = structured(await c.call_tool("create_invoice", {**SEED_INVOICE, "items": items, "payments": None}))
        fetched = await c.call_tool("get_document", {"document": made["document"]["number"]})

    item = structured(fetched)["document"]["items"][0]
    assert (item["quantity"], item["discount"]) == ("1000", "10%")
    assert "- 1000 x Bolt at 1.00 EUR -10%" in text_of(fetched)


@pytest.mark.anyio
async def test_blank_text_searches_nothing_rather_than_failing(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)
        await c.call_tool(
            "create_invoice",
            {
                "client": "Alpha",
                "client_country": "BE",
                "date": "2026-11-03",
                "items": [{"name": "Work", "price": 10, "tax_rates": [21]}],
            },
        )
        found = await c.call_tool("find_documents", {"text": "   "})
    assert not found.is_error, text_of(found)
