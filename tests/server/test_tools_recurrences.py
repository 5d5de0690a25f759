"""The recurring_invoice tool: set up (asking before anything is emailed automatically), list, pause, resume, stop."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from mcp import Client

from si_mcp.client import SpaceInvoices
from si_mcp.server import build_server

from .conftest import SEED_ORGANIZATION, answering, make_settings, seed, structured, text_of

pytestmark = pytest.mark.anyio

YES = {"confirm": True}
LATER = (date.today() + timedelta(days=40)).isoformat()


async def test_a_monthly_invoice_is_set_up_listed_paused_resumed_and_stopped(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        invoice = (await seed(c))["document"]["number"]
        made = await c.call_tool(
            "recurring_invoice", {"action": "set_up", "document": invoice, "first_date": LATER, "times": 12}
        )
        [row] = structured(made)["recurrences"]
        assert row["invoice"] == invoice and row["next_date"] == LATER and row["times"] == 12
        assert row["auto_send"] is False and row["issued"] == []
        assert text_of(made).startswith(f"Set up: - invoice {invoice} every month (12 in all), next {LATER}")

        listed = structured(await c.call_tool("recurring_invoice", {"action": "list"}))
        assert [r["invoice"] for r in listed["recurrences"]] == [invoice]
        paused = await c.call_tool("recurring_invoice", {"action": "pause", "document": invoice})
        assert structured(paused)["recurrences"][0]["paused"] is True and "paused" in text_of(paused)
        resumed = structured(await c.call_tool("recurring_invoice", {"action": "resume", "document": invoice}))
        assert resumed["recurrences"][0]["paused"] is False
        stopped = await c.call_tool("recurring_invoice", {"action": "stop", "document": invoice})
        assert text_of(stopped).startswith("Stopped")
        empty = await c.call_tool("recurring_invoice", {"action": "list"})
        assert structured(empty)["recurrences"] == [] and "no recurring invoice" in text_of(empty)


async def test_automatic_emails_are_set_up_only_after_the_user_agreed(tmp_path: Path, api: SpaceInvoices) -> None:
    asked: list[str] = []
    server = build_server(make_settings(tmp_path), api=api)
    async with Client(server, elicitation_callback=answering("decline", asked=asked)) as c:
        invoice = (await seed(c))["document"]["number"]
        args = {"action": "set_up", "document": invoice, "first_date": LATER, "auto_send": True}
        declined = await c.call_tool("recurring_invoice", args)
        assert structured(declined)["status"] == "declined"
        assert structured(await c.call_tool("recurring_invoice", {"action": "list"}))["recurrences"] == []
    [question] = asked
    assert "email each one automatically" in question and "rocket@example.com" in question
    async with Client(server, elicitation_callback=answering("accept", YES)) as c:
        agreed = structured(await c.call_tool("recurring_invoice", args))
    assert agreed["status"] == "done" and agreed["recurrences"][0]["auto_send"] is True


async def test_a_second_recurrence_or_a_missing_one_is_a_tool_error_that_says_what_to_do(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        invoice = (await seed(c))["document"]["number"]
        missing = await c.call_tool("recurring_invoice", {"action": "pause", "document": invoice})
        assert (
            missing.is_error
            and 'does not recur. To repeat it, call recurring_invoice with action="set_up"' in text_of(missing)
        )
        await c.call_tool("recurring_invoice", {"action": "set_up", "document": invoice, "first_date": LATER})
        twice = await c.call_tool("recurring_invoice", {"action": "set_up", "document": invoice})
        assert twice.is_error and "already recurs" in text_of(twice)
        stopped = await c.call_tool("recurring_invoice", {"action": "stop", "document": invoice})
        assert not stopped.is_error
        before = await c.call_tool(
            "recurring_invoice", {"action": "set_up", "document": invoice, "first_date": "2020-01-01"}
        )
        assert before.is_error and "before today" in text_of(before)


async def test_automatic_emails_to_a_client_without_email_are_refused_before_asking(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    asked: list[str] = []
    async with Client(
        build_server(make_settings(tmp_path), api=api), elicitation_callback=answering("accept", YES, asked)
    ) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)
        made = await c.call_tool(
            "create_invoice",
            {"client": "Silent Ltd", "client_country": "Belgium", "items": [{"name": "Work", "price": 10}]},
        )
        invoice = structured(made)["document"]["number"]
        refused = await c.call_tool("recurring_invoice", {"action": "set_up", "document": invoice, "auto_send": True})
    assert refused.is_error and "has no email" in text_of(refused)
    assert asked == []
