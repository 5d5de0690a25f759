"""SMTP settings given to the MCP server reach the embedded API it builds for itself (no injected client)."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.types import ElicitRequestFormParams, ElicitResult

from si_mcp.server import build_server
from si_mcp.settings import Settings


async def _confirm(context: Any, params: ElicitRequestFormParams) -> ElicitResult:
    return ElicitResult(action="accept", content={"confirm": True})


@pytest.mark.anyio
async def test_invoice_created_with_send_through_the_mcp_tools_arrives_at_the_configured_smtp_server(
    tmp_path: Path, smtp_server: Any
) -> None:
    settings = Settings(
        SI_MCP_DATA_DIR=tmp_path / "data",
        SI_MCP_SMTP_HOST="127.0.0.1",
        SI_MCP_SMTP_PORT=smtp_server.port,
        SI_MCP_SMTP_SECURITY="none",
        SI_MCP_SMTP_FROM="billing@isa.example.com",
    )
    with anyio.fail_after(30):
        async with Client(build_server(settings), elicitation_callback=_confirm) as c:
            org = await c.call_tool("create_organization", {"name": "International Space Agency", "country": "Belgium"})
            assert not org.is_error
            invoice = await c.call_tool(
                "create_invoice",
                {
                    "client": "Rocket man",
                    "client_email": "rocket@example.com",
                    "items": [{"name": "Space suit", "quantity": 1, "price": 10000, "tax_rates": [21]}],
                    "send": True,
                },
            )

    assert not invoice.is_error and invoice.structured_content is not None
    sent = invoice.structured_content["email"]
    assert sent["status"] == "sent" and f"127.0.0.1:{smtp_server.port}" in sent["detail"]
    [envelope] = smtp_server.received.envelopes
    assert (envelope.mail_from, envelope.rcpt_tos) == ("billing@isa.example.com", ["rocket@example.com"])
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    number = invoice.structured_content["document"]["number"]
    assert number in str(message["Subject"])
    assert [part.get_filename() for part in message.iter_attachments()] == [f"{number}.pdf"]
    assert not (tmp_path / "data" / "outbox").exists()  # nothing fell back to .eml files
