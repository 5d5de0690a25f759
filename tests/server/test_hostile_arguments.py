"""Input the books cannot hold, given to the tools: an actionable tool error, nothing stored, never a crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from si_mcp.client import SpaceInvoices
from si_mcp.server import build_server

from .conftest import SEED_INVOICE, SEED_ORGANIZATION, make_settings, text_of

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"date": "9999-12-31"}, "between 1900-01-01 and 2999-12-31"),
        ({"client": "Rocket \ud800 man"}, "client: Input should be a valid string"),
        ({"items": [{"name": "Suit", "price": 999999999999999, "quantity": 999999999999999}]}, "less than"),
    ],
)
async def test_what_the_books_cannot_hold_is_a_tool_error_and_nothing_is_stored(
    tmp_path: Path, api: SpaceInvoices, change: dict[str, Any], says: str
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)
        refused = await c.call_tool("create_invoice", {**SEED_INVOICE, **change})
        listed = await c.call_tool("find_documents", {})

    assert refused.is_error and says in text_of(refused), text_of(refused)
    assert "no documents" in text_of(listed).lower() or (listed.structured_content or {}).get("documents") == []
