"""Plumbing for the MCP server tests: the embedded API in a temp folder, settings, elicitation answers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import CallToolResult, ElicitRequestFormParams, ElicitResult, TextContent

from si_mcp.client import SpaceInvoices
from si_mcp.settings import Settings

Elicitation = Callable[[Any, ElicitRequestFormParams], Awaitable[ElicitResult]]

SEED_ORGANIZATION = {
    "name": "International Space Agency",
    "address": "Rocket street 1",
    "city": "Brussels",
    "zip": "10000",
    "country": "Belgium",
}
SEED_INVOICE = {
    "client": "Rocket man",
    "client_country": "United Kingdom",
    "client_email": "rocket@example.com",
    "items": [{"name": "Space suit", "quantity": 1, "price": 10000, "tax_rates": [21]}],
    "payments": [{"type": "card"}],
}

# A raw JSON-RPC initialize over streamable HTTP (the HTTP and auth tests post it with and without tokens).
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
JSON_HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}


@pytest.fixture
async def api(tmp_path: Path, database_url: str) -> AsyncIterator[SpaceInvoices]:
    client = SpaceInvoices.local(database_url, data_dir=tmp_path / "data")
    yield client
    await client.aclose()


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(SI_MCP_DATA_DIR=tmp_path / "data", **overrides)


def text_of(result: CallToolResult) -> str:
    block = result.content[0]
    assert isinstance(block, TextContent)
    return block.text


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    return result.structured_content


def answering(action: str, content: dict[str, Any] | None = None, asked: list[str] | None = None) -> Elicitation:
    """An elicitation callback that always answers ``action`` (and records the questions)."""

    async def callback(context: Any, params: ElicitRequestFormParams) -> ElicitResult:
        if asked is not None:
            asked.append(params.message)
        return ElicitResult(action=action, content=content if action == "accept" else None)

    return callback


async def seed(client: Client, **invoice: Any) -> dict[str, Any]:
    """The seed organization plus one invoice (the seed's, or with ``invoice`` overrides); returns the invoice."""
    created = await client.call_tool("create_organization", SEED_ORGANIZATION)
    assert not created.is_error, text_of(created)
    result = await client.call_tool("create_invoice", {**SEED_INVOICE, **invoice})
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    return result.structured_content
