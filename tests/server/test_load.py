"""Bounded load in CI: 50 concurrent MCP clients over HTTP on one ``si-mcp serve --http`` (bench/mcp_load.py's load),
each creating an invoice, recording its payment, finding it and getting its PDF: every call answers, none fails.
Times are reported by the bench script, not asserted here."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.anyio

CLIENTS = 50


def _bench() -> ModuleType:
    path = Path(__file__).parents[2] / "bench" / "mcp_load.py"
    spec = importlib.util.spec_from_file_location("mcp_load", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_fifty_concurrent_mcp_http_clients_doing_the_books_get_no_error(tmp_path: Path) -> None:
    bench = _bench()
    async with bench.serving(tmp_path) as url:
        await bench.set_up(url)
        timings, errors = await bench.run_load(url, CLIENTS, 1)

    assert errors == []
    assert {tool: len(calls) for tool, calls in timings.items()} == dict.fromkeys(bench.TOOLS, CLIENTS)
