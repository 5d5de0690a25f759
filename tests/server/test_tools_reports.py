"""The report tool: sales, VAT, aging and a statement, as compact tables per currency, from the ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from si_mcp.client import SpaceInvoices
from si_mcp.server import build_server

from .conftest import SEED_ORGANIZATION, make_settings, structured, text_of

pytestmark = pytest.mark.anyio

ALPHA = {"client": "Alpha", "client_email": "alpha@example.com", "client_country": "Belgium"}


def item(price: Any, *rates: int) -> dict[str, Any]:
    return {"name": "Work", "price": price, "tax_rates": list(rates)}


async def _month(c: Client) -> dict[str, Any]:
    await c.call_tool("create_organization", SEED_ORGANIZATION)
    first = structured(
        await c.call_tool(
            "create_invoice",
            {**ALPHA, "date": "2026-11-03", "items": [item(1000, 21), item(500, 6), item(6000)]},
        )
    )
    await c.call_tool("create_invoice", {**ALPHA, "type": "estimate", "date": "2026-11-10", "items": [item(9, 21)]})
    await c.call_tool(
        "create_invoice", {"client": "Beta", "client_country": "BE", "date": "2026-11-20", "items": [item(200, 21)]}
    )
    await c.call_tool(
        "create_invoice",
        {
            "type": "credit-note",
            "related_document": first["document"]["number"],
            "date": "2026-11-25",
            "items": [item(100, 21)],
        },
    )
    return first


async def test_sales_and_vat_subtract_credit_notes_keep_untaxed_lines_and_leave_out_estimates(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await _month(c)
        period = {"date_from": "2026-11-01", "date_to": "2026-11-30"}
        sales = await c.call_tool("report", {"kind": "sales", **period})
        vat = await c.call_tool("report", {"kind": "vat", **period})

    [table] = structured(sales)["tables"]
    assert table["currency"] == "EUR" and table["rows"][-1] == {
        "label": "Total",
        "amounts": ["7600.00", "261.00", "7861.00"],
    }
    assert "| Total | 7,600.00 | 261.00 | 7,861.00 |" in text_of(sales)
    assert "Not counted: 1 estimate(s), 0 draft(s), 0 canceled" in text_of(sales)
    rows = {row["label"]: row["amounts"] for row in structured(vat)["tables"][0]["rows"]}
    assert rows == {
        "No VAT 0%": ["6000.00", "0.00"],
        "Standard 6%": ["500.00", "30.00"],
        "Standard 21%": ["1100.00", "231.00"],
        "Total (net sales, VAT charged)": ["7600.00", "261.00"],
    }


async def test_aging_and_a_statement_say_who_owes_what(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await _month(c)
        aging = await c.call_tool("report", {"kind": "aging", "date_to": "2026-12-31"})
        statement = await c.call_tool(
            "report", {"kind": "statement", "client": "Alpha", "date_from": "2026-11-01", "date_to": "2026-11-30"}
        )
        missing = await c.call_tool("report", {"kind": "statement"})

    rows = {row["label"]: row["amounts"] for row in structured(aging)["tables"][0]["rows"]}
    # Alpha: 7,740 − 121 credited, due 3 Dec: 28 days late on 31 Dec; Beta: 242, due 20 Dec.
    assert rows["Alpha (1)"] == ["0.00", "7619.00", "0.00", "0.00", "0.00", "7619.00"]
    assert rows["Total"][-1] == "7861.00"
    lines = [row["label"] for row in structured(statement)["tables"][0]["rows"]]
    assert lines[0] == "Owed on 2026-11-01" and lines[-1] == "Owed on 2026-11-30"
    assert structured(statement)["tables"][0]["rows"][-1]["amounts"] == ["", "7619.00"]
    assert missing.is_error and "pass client" in text_of(missing)


async def test_on_an_api_without_report_routes_the_report_tool_computes_from_documents(tmp_path: Path) -> None:
    """The Space Invoices API answers 404 for /reports/: the client sums the listed documents by the same rules."""
    import httpx

    from si_mcp.local import create_app

    app = create_app(database_url=f"sqlite+aiosqlite:///{tmp_path}/remote.db", data_dir=tmp_path / "remote")

    class SpaceInvoicesLike(httpx.AsyncBaseTransport):
        inner = httpx.ASGITransport(app=app)

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if "/reports/" in request.url.path:
                return httpx.Response(404, json={"error": {"statusCode": 404, "name": "Error", "message": "no route"}})
            response = await self.inner.handle_async_request(request)
            del response.headers["SI-MCP-Books"]  # Space Invoices does not say it keeps idempotency keys
            return response

    async with SpaceInvoices(None, base_url="http://local/v1", transport=SpaceInvoicesLike()) as api:
        await api.accounts.signup(email="ada@example.com", password="Rocket-launch-2024!")
        token = await api.accounts.login(email="ada@example.com", password="Rocket-launch-2024!")
        api.set_access_token(token.id)
        assert not api.is_local
        settings = make_settings(tmp_path, SPACEINVOICES_ACCESS_TOKEN=token.id)
        async with Client(build_server(settings, api=api)) as c:
            await _month(c)
            vat = await c.call_tool("report", {"kind": "vat", "date_from": "2026-11-01", "date_to": "2026-11-30"})
            statement = await c.call_tool("report", {"kind": "statement", "client": "Alpha"})
    await app.aclose()
    [table] = structured(vat)["tables"]
    assert table["rows"][-1]["amounts"] == ["7600.00", "261.00"]  # as the embedded books sum it
    assert structured(statement)["tables"][0]["rows"], text_of(statement)  # from documents and payments too
