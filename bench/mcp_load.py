"""MCP over HTTP under load: ``--clients`` concurrent MCP clients on one ``si-mcp serve --http`` (embedded SQLite
books), each doing ``--rounds`` times what a bookkeeping assistant does: create an invoice, record its payment, find
documents, get the PDF. Reported per tool: p50 and p99 latency with that many clients, next to the same figures with
one client in the same run (the baseline), and the errors (there must be none: the exit code says so).

    .venv/bin/python bench/mcp_load.py [--clients 50] [--rounds 2]

``tests/server/test_load.py`` runs the load part (50 clients, one round) in CI and asserts zero errors, not times.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

TOOLS = ("create_invoice", "mark_paid", "find_documents", "get_pdf")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving(data_dir: Path) -> AsyncIterator[str]:
    """``si-mcp serve --http`` on a loopback port (no consent questions: the load is the user's own), its /mcp URL."""
    port = _free_port()
    env = {
        **os.environ,
        "SI_MCP_DATA_DIR": str(data_dir),
        "SI_MCP_CONFIRM": "false",
        "SI_MCP_EMAILS_PER_MINUTE": "0",
        "SI_MCP_LOG_LEVEL": "WARNING",
    }
    env.pop("SPACEINVOICES_ACCESS_TOKEN", None)
    command = [sys.executable, "-m", "si_mcp", "serve", "--http", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        with anyio.fail_after(60):
            while True:  # until it listens
                assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    await anyio.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=15)
        if process.stderr is not None:
            process.stderr.close()


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[Client]:
    async with httpx2.AsyncClient(timeout=120) as http:
        async with Client(streamable_http_client(url, http_client=http), mode="legacy") as client:
            yield client


async def set_up(url: str) -> None:
    async with connected(url) as client:
        made = await client.call_tool(
            "create_organization", {"name": "Load Test", "country": "Belgium", "email": "billing@load.example"}
        )
        assert not made.is_error, made.content


async def run_load(url: str, clients: int, rounds: int, tag: str = "") -> tuple[dict[str, list[float]], list[str]]:
    """(seconds per call of each tool, the errors) of ``clients`` concurrent clients doing ``rounds`` rounds; ``tag``
    names this run's clients (an identical create repeats the same invoice: each run invoices its own)."""
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []

    async def call(client: Client, tool: str, arguments: dict[str, Any]) -> Any:
        started = time.perf_counter()
        try:
            result = await client.call_tool(tool, arguments)
        except Exception as error:  # a protocol or transport failure is an error of the run, counted, not raised
            errors.append(f"{tool}: {type(error).__name__}: {error}")
            return None
        timings[tool].append(time.perf_counter() - started)
        if result.is_error:
            errors.append(f"{tool}: {result.content[0]}")
            return None
        return result.structured_content

    async def one(n: int) -> None:
        async with connected(url) as client:
            for r in range(rounds):
                made = await call(
                    client,
                    "create_invoice",
                    {
                        "client": f"Client {tag}{n}-{r}",
                        "client_country": "BE",
                        "items": [{"name": f"Work {tag}{n}-{r}", "price": 100 + n, "tax_rates": [21]}],
                    },
                )
                if made is None:
                    continue
                number = made["document"]["number"]
                await call(client, "mark_paid", {"document": number})
                await call(client, "find_documents", {"client": f"Client {tag}{n}-{r}"})
                await call(client, "get_pdf", {"document": number})

    async with anyio.create_task_group() as group:
        for n in range(clients):
            group.start_soon(one, n)
    return timings, errors


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def main(clients: int, rounds: int) -> int:
    with tempfile.TemporaryDirectory(prefix="si-mcp-load-") as folder:
        async with serving(Path(folder)) as url:
            await set_up(url)
            await run_load(url, 1, 1, "warm-up ")  # first PDF render, compiled templates
            baseline, base_errors = await run_load(url, 1, rounds * 5, "alone ")
            started = time.perf_counter()
            loaded, errors = await run_load(url, clients, rounds, "loaded ")
            elapsed = time.perf_counter() - started
    calls = sum(len(v) for v in loaded.values())
    print(f"{clients} concurrent MCP HTTP clients x {rounds} round(s): {calls} calls in {elapsed:.1f} s")
    print(f"{'tool':16} {'1 client p50':>13} {'p50':>9} {'p99':>9} {'p50 vs 1 client':>16}")
    for tool in TOOLS:
        one_p50 = statistics.median(baseline[tool]) if baseline[tool] else float("nan")
        p50, p99 = _percentile(loaded[tool], 0.5), _percentile(loaded[tool], 0.99)
        print(f"{tool:16} {one_p50 * 1000:11.1f}ms {p50 * 1000:7.1f}ms {p99 * 1000:7.1f}ms {p50 / one_p50:15.1f}x")
    for error in (base_errors + errors)[:10]:
        print("error:", error)
    print(f"errors: {len(base_errors) + len(errors)}")
    return 1 if base_errors or errors else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    sys.exit(anyio.run(main, options.clients, options.rounds))
