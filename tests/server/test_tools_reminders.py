"""send_invoice(reminder=true): a payment reminder for an overdue invoice, asked first, shown afterwards by
find_documents and the aging report."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client

from si_mcp.client import SpaceInvoices
from si_mcp.server import build_server

from .conftest import answering, make_settings, seed, structured, text_of

pytestmark = pytest.mark.anyio

YES = {"confirm": True}


async def test_a_reminder_is_asked_for_sent_and_then_shown_in_lists_and_aging(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    asked: list[str] = []
    server = build_server(make_settings(tmp_path), api=api)
    async with Client(server, elicitation_callback=answering("accept", YES, asked)) as c:
        number = (await seed(c, payments=[], date="2026-10-01", due_date="2026-10-15"))["document"]["number"]
        reminded = await c.call_tool("send_invoice", {"document": number, "reminder": True})
        assert structured(reminded)["status"] == "saved"  # no SMTP server here: an .eml file
        assert text_of(reminded).startswith(f"Payment reminder for invoice {number}")
        listed = text_of(await c.call_tool("find_documents", {}))
        aging = text_of(await c.call_tool("report", {"kind": "aging"}))
    [question] = asked
    assert question.startswith(f"Email a payment reminder for Invoice {number}")
    assert "reminded 1x" in listed
    assert "reminded 1x" in aging


async def test_a_paid_invoice_is_not_reminded(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        number = (await seed(c, date="2026-10-01", due_date="2026-10-15"))["document"]["number"]
        refused = await c.call_tool("send_invoice", {"document": number, "reminder": True})
    assert refused.is_error and "Nothing is due" in text_of(refused)
