"""The real thing: `python -m si_mcp serve` as a subprocess, spoken to over stdio."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from si_mcp.server.backend import CREDENTIALS_FILE

from .conftest import SEED_INVOICE, SEED_ORGANIZATION, structured


def _params(data_dir: Path) -> StdioServerParameters:
    env = {"SI_MCP_DATA_DIR": str(data_dir), "PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "")}
    return StdioServerParameters(command=sys.executable, args=["-m", "si_mcp", "serve"], env=env)


@pytest.mark.anyio
async def test_the_stdio_server_invoices_and_keeps_its_books_for_the_next_start(tmp_path: Path) -> None:
    with anyio.fail_after(60):
        async with Client(_params(tmp_path)) as client:
            assert len((await client.list_tools()).tools) >= 10
            structured(await client.call_tool("create_organization", SEED_ORGANIZATION))
            invoice = structured(await client.call_tool("create_invoice", SEED_INVOICE))
        async with Client(_params(tmp_path)) as client:  # a second start opens the same books
            found = structured(await client.call_tool("find_documents", {}))

    assert invoice["document"]["gross"] == "12100.00"
    assert [doc["number"] for doc in found["documents"]] == [invoice["document"]["number"]]
    credentials = tmp_path / CREDENTIALS_FILE
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
