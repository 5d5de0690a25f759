"""The Peppol e-invoice through MCP: get_pdf(ubl=true) and the si://documents/{id}/ubl resource give the same checked
XML; what the books lack is a tool error that says what to add."""

from __future__ import annotations

import base64
import email
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from mcp import Client
from mcp.types import EmbeddedResource, ResourceLink, TextResourceContents

from si_mcp.client import SpaceInvoices
from si_mcp.server import build_server

from .conftest import SEED_INVOICE, SEED_ORGANIZATION, answering, make_settings, seed, structured, text_of

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


def _emails(tmp_path: Path) -> list[EmailMessage]:
    """The emails written as .eml files (no SMTP server in these tests), oldest first."""
    files = sorted(tmp_path.rglob("*.eml"), key=lambda path: path.stat().st_mtime_ns)
    return [email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in files]  # type: ignore[misc]


def _attached(message: EmailMessage) -> list[str]:
    return sorted(part.get_filename() or "" for part in message.iter_attachments())


async def test_send_invoice_attaches_the_ubl_when_asked_and_keeps_that_as_the_clients_choice(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    asked: list[str] = []
    server = build_server(make_settings(tmp_path), api=api)
    async with Client(server, elicitation_callback=answering("accept", {"confirm": True}, asked)) as c:
        await c.call_tool("create_organization", {**SEED_ORGANIZATION, "tax_number": "BE0477472701"})
        client = {**BELGIAN_BUSINESS, "client_email": "ap@rocket.example"}
        first = structured(await c.call_tool("create_invoice", client))["document"]
        second = structured(await c.call_tool("create_invoice", {**client, "note": "Second"}))["document"]
        with_ubl = await c.call_tool("send_invoice", {"document": first["number"], "ubl": True})
        by_choice = await c.call_tool("send_invoice", {"document": second["number"]})

    assert "Attached: the PDF and the Peppol UBL e-invoice (kept as this client's choice)" in asked[0]
    assert "Attached: the PDF and the Peppol UBL e-invoice\n" in asked[1] + "\n"  # the client's choice now
    assert "with the PDF and the Peppol UBL e-invoice" in text_of(with_ubl), text_of(with_ubl)
    assert "From now on, emails to Rocket man carry the Peppol UBL too" in text_of(with_ubl)
    assert "with the PDF and the Peppol UBL e-invoice" in text_of(by_choice)
    assert [_attached(m) for m in _emails(tmp_path)] == [
        ["2026-00001.pdf", "2026-00001.xml"],
        ["2026-00002.pdf", "2026-00002.xml"],
    ]
    client_id = (await api.documents.get(first["id"])).client_id
    assert client_id is not None and (await api.clients.get(client_id)).attach_ubl is True


async def test_a_ubl_the_books_cannot_make_is_a_tool_error_and_nothing_is_sent(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    server = build_server(make_settings(tmp_path), api=api)
    async with Client(server, elicitation_callback=answering("accept", {"confirm": True})) as c:
        invoice = await seed(c)  # a British consumer: no VAT number, no Peppol address
        refused = await c.call_tool("send_invoice", {"document": invoice["document"]["number"], "ubl": True})

    assert refused.is_error and "Or send it without the UBL: ubl=false." in text_of(refused), text_of(refused)
    assert "electronic address" in text_of(refused)
    assert (await api.documents.get(invoice["document"]["id"])).sent_at is None
    assert _emails(tmp_path) == []


async def test_an_organization_made_a_factur_x_sender_serves_its_invoices_as_factur_x_pdfs(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    from facturx import get_xml_from_pdf
    from mcp.types import BlobResourceContents

    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        invoice = await seed(c)
        changed = await c.call_tool("update_organization", {"einvoice": "factur-x", "tax_number": "BE0477472701"})
        later = structured(await c.call_tool("create_invoice", {**SEED_INVOICE, "note": "After the switch"}))
        before = await c.read_resource(f"si://documents/{invoice['document']['id']}/pdf")  # issued as it was
        after = await c.read_resource(f"si://documents/{later['document']['id']}/pdf")

    assert "e-invoices (factur-x)" in text_of(changed), text_of(changed)
    pdfs = [
        base64.b64decode(r.contents[0].blob) for r in (before, after) if isinstance(r.contents[0], BlobResourceContents)
    ]
    assert get_xml_from_pdf(pdfs[0], check_xsd=False) == (False, False)
    name, xml = get_xml_from_pdf(pdfs[1], check_xsd=True)
    assert name == "factur-x.xml" and b"CrossIndustryInvoice" in xml


async def test_a_confirmation_for_an_email_without_the_ubl_does_not_send_one_with_it(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", {**SEED_ORGANIZATION, "tax_number": "BE0477472701"})
        invoice = structured(await c.call_tool("create_invoice", {**BELGIAN_BUSINESS, "client_email": "a@b.example"}))
        args = {"document": invoice["document"]["number"], "ubl": False}
        token = structured(await c.call_tool("send_invoice", args))["confirmation_token"]
        swapped = await c.call_tool("send_invoice", {**args, "ubl": True, "confirmation_token": token})

    assert swapped.is_error and "does not allow this" in text_of(swapped)
    assert (await api.documents.get(invoice["document"]["id"])).sent_at is None
