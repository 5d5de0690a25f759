"""Sending limits: an organization sends at most SI_MCP_EMAILS_PER_MINUTE and SI_MCP_EMAILS_PER_DAY emails (sends,
reminders and recurring copies alike); past them a send is a 429 that says when to try again, and nothing is
queued. Time is an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from si_mcp.models import wirejson
from si_mcp.server import build_server
from si_mcp.settings import Settings

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_past_the_limit_a_minute_a_send_is_a_429_saying_when_and_nothing_is_queued(
    open_shop: Any, smtp_server: Any
) -> None:
    clock = Clock()
    shop = await open_shop(smtp_port=smtp_server.port, clock=clock, settings={"SI_MCP_EMAILS_PER_MINUTE": 2})
    invoices = [await shop.invoice(note=f"Invoice {n}") for n in range(3)]

    sent = [await shop.api.post(f"/documents/{invoice['id']}/send", json={}) for invoice in invoices]
    clock.now += timedelta(seconds=30)
    still = await shop.api.post(f"/documents/{invoices[2]['id']}/send", json={})
    clock.now += timedelta(seconds=31)  # the first email is more than a minute old
    later = await shop.api.post(f"/documents/{invoices[2]['id']}/send", json={})

    assert [r.status_code for r in sent] == [200, 200, 429]
    error = wirejson.loads(sent[2].text)["error"]
    assert error["code"] == "TOO_MANY_EMAILS" and "SI_MCP_EMAILS_PER_MINUTE" in error["message"]
    assert sent[2].headers["Retry-After"] == "60"
    assert still.status_code == 429 and still.headers["Retry-After"] == "30"
    assert later.status_code == 200, later.text
    assert len(smtp_server.received.envelopes) == 3  # two, then the third once a minute had passed
    assert len(await shop.outbox()) == 3


async def test_the_daily_limit_counts_reminders_too(open_shop: Any, smtp_server: Any) -> None:
    clock = Clock()
    limits = {"SI_MCP_EMAILS_PER_MINUTE": 0, "SI_MCP_EMAILS_PER_DAY": 2}
    shop = await open_shop(smtp_port=smtp_server.port, clock=clock, settings=limits)
    overdue = await shop.invoice(date="2026-01-05", dateDue="2026-01-20")

    first = await shop.api.post(f"/documents/{overdue['id']}/send", json={})
    reminder = await shop.api.post(f"/documents/{overdue['id']}/send-reminder", json={})
    refused = await shop.api.post(f"/documents/{overdue['id']}/send-reminder", json={})
    clock.now += timedelta(hours=23)
    next_day = await shop.api.post(f"/documents/{overdue['id']}/send-reminder", json={})

    assert [first.status_code, reminder.status_code, refused.status_code] == [200, 200, 429]
    assert "day" in refused.json()["error"]["message"] and int(refused.headers["Retry-After"]) == 24 * 3600
    assert next_day.status_code == 429 and int(next_day.headers["Retry-After"]) == 3600
    assert len(smtp_server.received.envelopes) == 2


async def test_a_recurring_copy_past_the_limit_is_issued_and_not_emailed(open_shop: Any, smtp_server: Any) -> None:
    clock = Clock()
    clock.now = datetime(2027, 1, 10, 9, tzinfo=UTC)
    shop = await open_shop(smtp_port=smtp_server.port, clock=clock, settings={"SI_MCP_EMAILS_PER_DAY": 1})
    source = await shop.invoice(date="2027-01-10")
    made = await shop.api.post(f"/documents/{source['id']}/recurrence", json={"name": "Hosting", "autoSend": True})
    assert made.status_code == 200, made.text
    clock.now = datetime(2027, 2, 9, 22, tzinfo=UTC)  # 23:00 in Brussels: the copy is not due yet
    other = await shop.invoice(date="2027-02-09", note="Another")
    assert (await shop.api.post(f"/documents/{other['id']}/send", json={})).status_code == 200  # the day's one
    clock.now = datetime(2027, 2, 10, 9, tzinfo=UTC)  # the copy is due, less than a day after that email

    await shop.app.scheduler.run_due()

    recurrence = (await shop.api.get(f"/recurrences/{made.json()['id']}")).json()
    assert [d["sent"] for d in recurrence["_recurrenceDates"]] == [False]  # issued (it was due), not emailed
    assert "issued but not emailed" in recurrence["lastError"] and "SI_MCP_EMAILS_PER_DAY" in recurrence["lastError"]
    assert len(smtp_server.received.envelopes) == 1 and len(await shop.outbox()) == 1


async def test_send_invoice_reports_the_limit_as_a_tool_error_that_says_when(tmp_path: Path, smtp_server: Any) -> None:
    settings = Settings(
        SI_MCP_DATA_DIR=tmp_path,
        SI_MCP_SMTP_HOST="127.0.0.1",
        SI_MCP_SMTP_PORT=smtp_server.port,
        SI_MCP_SMTP_SECURITY="none",
        SI_MCP_EMAILS_PER_MINUTE=1,
        SI_MCP_CONFIRM=False,
    )
    async with Client(build_server(settings)) as c:
        await c.call_tool("create_organization", {"name": "ISA", "country": "Belgium", "email": "isa@example.com"})
        numbers = []
        for n in range(2):
            made = await c.call_tool(
                "create_invoice",
                {"client": "Rocket man", "client_email": "rocket@example.com", "client_country": "BE",
                 "items": [{"name": f"Suit {n}", "price": 100, "tax_rates": [21]}]},
            )  # fmt: skip
            numbers.append((made.structured_content or {})["document"]["number"])
        first = await c.call_tool("send_invoice", {"document": numbers[0]})
        second = await c.call_tool("send_invoice", {"document": numbers[1]})

    assert not first.is_error
    assert second.is_error
    text = second.content[0].text  # type: ignore[union-attr]
    assert "SI_MCP_EMAILS_PER_MINUTE" in text and "Tell the user" in text and "call again after" in text
    assert len(smtp_server.received.envelopes) == 1
