"""send_invoice(reminder=true) through the MCP tools: asked first, checked before asking, delivered by SMTP, then
shown by find_documents and the aging report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.types import ElicitRequestFormParams, ElicitResult

from si_mcp.server import build_server
from si_mcp.settings import Settings

pytestmark = pytest.mark.anyio

ORGANIZATION = {"name": "International Space Agency", "country": "Belgium"}
INVOICE = {
    "client": "Rocket man",
    "client_email": "rocket@example.com",
    "items": [{"name": "Space suit", "price": 10000, "tax_rates": [21]}],
}


def _settings(tmp_path: Path, port: int) -> Settings:
    return Settings(
        SI_MCP_DATA_DIR=tmp_path / "data",
        SI_MCP_SMTP_HOST="127.0.0.1",
        SI_MCP_SMTP_PORT=port,
        SI_MCP_SMTP_SECURITY="none",
        SI_MCP_SMTP_FROM="billing@isa.example.com",
    )


def _text(result: Any) -> str:
    return str(result.content[0].text)


async def test_a_reminder_is_asked_for_delivered_and_then_shown_in_lists_and_aging(
    tmp_path: Path, smtp_server: Any
) -> None:
    asked: list[str] = []

    async def confirm(context: Any, params: ElicitRequestFormParams) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})

    with anyio.fail_after(30):
        async with Client(build_server(_settings(tmp_path, smtp_server.port)), elicitation_callback=confirm) as c:
            assert not (await c.call_tool("create_organization", ORGANIZATION)).is_error
            made = await c.call_tool("create_invoice", {**INVOICE, "date": "2026-10-01", "due_date": "2026-10-15"})
            number = made.structured_content["document"]["number"]
            reminded = await c.call_tool("send_invoice", {"document": number, "reminder": True})
            listed = _text(await c.call_tool("find_documents", {}))
            aging = _text(await c.call_tool("report", {"kind": "aging"}))
    assert reminded.structured_content["status"] == "sent", _text(reminded)
    assert _text(reminded).startswith(f"Payment reminder for invoice {number}")
    [question] = asked
    assert question.startswith(f"Email a payment reminder for Invoice {number}")
    assert "reminded 1x" in listed and "reminded 1x" in aging
    assert len(smtp_server.received.envelopes) == 1


async def test_what_cannot_be_reminded_is_refused_before_the_user_is_asked(tmp_path: Path, smtp_server: Any) -> None:
    asked: list[str] = []

    async def confirm(context: Any, params: ElicitRequestFormParams) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})

    async with Client(build_server(_settings(tmp_path, smtp_server.port)), elicitation_callback=confirm) as c:
        await c.call_tool("create_organization", ORGANIZATION)
        paid = await c.call_tool(
            "create_invoice",
            {**INVOICE, "date": "2026-10-01", "due_date": "2026-10-15", "payments": [{"type": "bank"}]},
        )
        later = await c.call_tool("create_invoice", {**INVOICE, "due_date": "2099-01-01"})
        refusals = [
            await c.call_tool(
                "send_invoice", {"document": made.structured_content["document"]["number"], "reminder": True}
            )
            for made in (paid, later)
        ]
    assert [r.is_error for r in refusals] == [True, True]
    assert "Nothing is due" in _text(refusals[0]) and "is not overdue" in _text(refusals[1])
    assert asked == [] and smtp_server.received.envelopes == []
