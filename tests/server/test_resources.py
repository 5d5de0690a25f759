"""Resources, resource templates and completions, read through the in-memory client."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import BlobResourceContents, PromptReference, ResourceTemplateReference, TextResourceContents

from si_mcp.client import SpaceInvoices
from si_mcp.server import build_server

from .conftest import SEED_INVOICE, make_settings, seed

TEMPLATES = {
    "si://organizations/{organization}",
    "si://organizations/{organization}/documents",
    "si://documents/{document_id}",
    "si://documents/{document_id}/pdf",
    "si://documents/{document_id}/pdf{?l}",
    "si://documents/{document_id}/ubl",
    "si://documents/{document_id}/factur-x.pdf",
    "si://documents/{organization}/{type}/{number}",
}


async def _json(client: Client, uri: str) -> Any:
    contents = (await client.read_resource(uri)).contents
    assert len(contents) == 1 and isinstance(contents[0], TextResourceContents)
    assert contents[0].mime_type == "application/json"
    return json.loads(contents[0].text)


@pytest.mark.anyio
async def test_the_resources_and_templates_are_listed(tmp_path: Path) -> None:
    async with Client(build_server(make_settings(tmp_path))) as client:
        resources = (await client.list_resources()).resources
        templates = (await client.list_resource_templates()).resource_templates
    assert sorted(r.uri for r in resources) == ["si://organizations", "ui://si-mcp/document.html"]
    assert {t.uri_template for t in templates} == TEMPLATES
    assert next(t for t in templates if t.uri_template.endswith("/pdf")).mime_type == "application/pdf"


@pytest.mark.anyio
async def test_every_resource_reads_the_books(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as client:
        invoice = await seed(client)
        doc_id, number = invoice["document"]["id"], invoice["document"]["number"]
        organizations = await _json(client, "si://organizations")
        by_name = await _json(client, "si://organizations/international%20space%20agency")
        recent = await _json(client, "si://organizations/International%20Space%20Agency/documents")
        by_id = await _json(client, f"si://documents/{doc_id}")
        by_number = await _json(client, f"si://documents/{number}")
        pdf = (await client.read_resource(f"si://documents/{doc_id}/pdf")).contents[0]

    assert organizations["default"] == "International Space Agency"
    assert [(o["id"], o["name"], o["country_code"]) for o in organizations["organizations"]] == [
        (by_name["id"], "International Space Agency", "BE")
    ]
    assert by_name["currency"] == "EUR" and by_name["taxes"]
    # The list holds no currency/taxes fields at all rather than empty ones that read as "none".
    assert {key for o in organizations["organizations"] for key in o} == {"id", "name", "country_code"}
    assert [d["number"] for d in recent["documents"]] == [number]
    assert by_id == by_number
    assert by_id["document"]["gross"] == "12100.00" and by_id["document"]["items"][0]["name"] == "Space suit"
    assert isinstance(pdf, BlobResourceContents) and pdf.mime_type == "application/pdf"
    assert base64.b64decode(pdf.blob).startswith(b"%PDF")


@pytest.mark.anyio
@pytest.mark.parametrize(
    "uri",
    [
        "si://documents/nope",
        "si://documents/nope/pdf",
        "si://organizations/Unknown",
        "si://organizations/x/documents",
        "si://documents/International%20Space%20Agency/receipt/2026-00001",
    ],
)
async def test_a_missing_object_is_a_resource_not_found_error(tmp_path: Path, api: SpaceInvoices, uri: str) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as client:
        await seed(client)
        with pytest.raises(MCPError) as error:
            await client.read_resource(uri)
    assert error.value.error.code == -32602


@pytest.mark.anyio
async def test_a_number_shared_by_two_types_is_named_by_type_and_the_error_lists_the_organization_once(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as client:
        invoice = await seed(client)
        await client.call_tool("create_invoice", {**SEED_INVOICE, "type": "estimate", "payments": None})
        number = invoice["document"]["number"]
        with pytest.raises(MCPError) as ambiguous:
            await client.read_resource(f"si://documents/{number}")
        org = "International%20Space%20Agency"
        as_invoice = await _json(client, f"si://documents/{org}/invoice/{number}")
        as_estimate = await _json(client, f"si://documents/{org}/estimate/{number}")

    message = ambiguous.value.error.message
    assert message.count("International Space Agency") == 1 and "estimate, invoice" in message
    assert "si://documents/{organization}/{type}/{number}" in message
    assert (as_invoice["document"]["type"], as_estimate["document"]["type"]) == ("invoice", "estimate")
    assert as_invoice["document"]["id"] == invoice["document"]["id"]


@pytest.mark.anyio
async def test_completions_offer_organization_client_names_and_document_numbers(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as client:
        invoice = await seed(client)
        await client.call_tool("create_organization", {"name": "Lunar Logistics", "country": "Slovenia"})
        await client.call_tool(
            "create_invoice",
            {
                **SEED_INVOICE,
                "organization": "International Space Agency",
                "client": "Rocket girl",
                "client_email": "girl@example.com",
            },
        )
        orgs = await client.complete(
            ResourceTemplateReference(uri="si://organizations/{organization}"), {"name": "organization", "value": "lun"}
        )
        clients = await client.complete(
            PromptReference(name="invoice_client"),
            {"name": "client", "value": "rocket"},
            context_arguments={"organization": "International Space Agency"},
        )
        numbers = await client.complete(
            ResourceTemplateReference(uri="si://documents/{document_id}"),
            {"name": "document_id", "value": invoice["document"]["number"][:5]},
        )
        record = await client.complete(
            PromptReference(name="record_payment"),
            {"name": "document", "value": ""},
            context_arguments={"organization": "International Space Agency"},
        )
        unknown = await client.complete(PromptReference(name="month_summary"), {"name": "month", "value": "20"})

    assert orgs.completion.values == ["Lunar Logistics"]
    assert sorted(clients.completion.values) == ["Rocket girl", "Rocket man"]
    assert invoice["document"]["number"] in numbers.completion.values
    assert len(record.completion.values) == 2
    assert unknown.completion.values == []
