"""The Peppol e-invoice through MCP: get_pdf(ubl=true) and the si://documents/{id}/ubl resource give the same checked
XML; what the books lack is a tool error that says what to add."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from mcp import Client
from mcp.types import EmbeddedResource, ResourceLink, TextResourceContents

from si_mcp.client import SpaceInvoices
from si_mcp.server import build_server

from .conftest import SEED_ORGANIZATION, make_settings, structured, text_of

pytestmark = pytest.mark.anyio

BELGIAN_BUSINESS = {
    "client": "Rocket man",
    "client_country": "Belgium",
    "client_tax_number": "BE0403170701",
    "items": [{"name": "Space suit", "quantity": 1, "price": 10000, "tax_rates": [21]}],
}


async def test_an_invoice_to_a_belgian_business_comes_as_a_checked_peppol_e_invoice(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", {**SEED_ORGANIZATION, "tax_number": "BE0477472701"})
        invoice = structured(await c.call_tool("create_invoice", BELGIAN_BUSINESS))
        got = await c.call_tool("get_pdf", {"document": invoice["document"]["number"], "ubl": True, "embed": True})
        uri = structured(got)["uri"]
        read = await c.read_resource(uri)

    assert not got.is_error, text_of(got)
    assert uri == f"si://documents/{invoice['document']['id']}/ubl"
    assert "checked against the EN 16931 rules" in text_of(got)
    [link] = [b for b in got.content if isinstance(b, ResourceLink)]
    [embedded] = [b for b in got.content if isinstance(b, EmbeddedResource)]
    assert link.mime_type == embedded.resource.mime_type == "application/xml"
    [contents] = read.contents
    xml = contents.text if isinstance(contents, TextResourceContents) else ""
    assert '<cbc:EndpointID schemeID="0208">0403170701</cbc:EndpointID>' in xml
    assert structured(got)["size_bytes"] == len(xml.encode())


async def test_the_factur_x_pdf_resource_embeds_the_checked_cii(tmp_path: Path, api: SpaceInvoices) -> None:
    from facturx import get_xml_from_pdf
    from mcp.types import BlobResourceContents

    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", {**SEED_ORGANIZATION, "tax_number": "BE0477472701"})
        invoice = structured(await c.call_tool("create_invoice", BELGIAN_BUSINESS))
        read = await c.read_resource(f"si://documents/{invoice['document']['id']}/factur-x.pdf")

    [contents] = read.contents
    assert isinstance(contents, BlobResourceContents) and contents.mime_type == "application/pdf"
    _, xml = get_xml_from_pdf(base64.b64decode(contents.blob), check_xsd=True)
    assert f"<ram:ID>{invoice['document']['number']}</ram:ID>".encode() in xml


async def test_an_organization_without_its_vat_number_is_told_what_to_add(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)
        invoice = structured(await c.call_tool("create_invoice", BELGIAN_BUSINESS))
        got = await c.call_tool("get_pdf", {"document": invoice["document"]["number"], "ubl": True})

    assert got.is_error
    assert "electronic address for your organization" in text_of(got) and "VAT number" in text_of(got)
