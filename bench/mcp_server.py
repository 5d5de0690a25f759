"""Benchmark: the si-mcp server next to a one-tool MCPServer, both over stdio, measured in the same run.

    .venv/bin/python bench/mcp_server.py [--runs 9] [--calls 30]

Figures (each side by side with the one-tool server, with the ratio):

* start-up: spawn → the answer to ``initialize`` (raw JSON-RPC over stdio, no SDK client in the way);
  target ≤ 1.2× the one-tool server;
* a tool call over stdio, p50: si-mcp's ``create_invoice`` (seed invoice, paid by card) vs. ``echo``;
* bytes of the ``tools/list`` result: target ≤ 24 KiB (the budget tests/server/test_tool_list.py holds);
* bytes of a ``create_invoice`` result's text: target ≤ 800 bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ONE_TOOL_SERVER = '''
from mcp.server import MCPServer

server = MCPServer("one-tool")


@server.tool()
def echo(text: str) -> str:
    """Echo the text back."""
    return text


server.run()
'''

ORGANIZATION = {"name": "International Space Agency", "address": "Rocket street 1", "city": "Brussels",
                "zip": "10000", "country": "Belgium"}  # fmt: skip
INVOICE = {
    "client": "Rocket man",
    "client_country": "United Kingdom",
    "client_email": "rocket@example.com",
    "items": [{"name": "Space suit", "quantity": 1, "price": 10000, "tax_rates": [21]}],
    "payments": [{"type": "card"}],
}
INITIALIZE = {
    "protocolVersion": "2025-11-25",
    "capabilities": {},
    "clientInfo": {"name": "bench", "version": "1"},
}


class Stdio:
    """A server process spoken to with newline-delimited JSON-RPC."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True
        )
        self.next_id = 0

    def send(self, method: str, params: dict[str, Any] | None = None, *, notify: bool = False) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        if not notify:
            self.next_id += 1
            message["id"] = self.next_id
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def answer(self) -> tuple[dict[str, Any], int]:
        """The response to the last request, and its size in bytes."""
        assert self.process.stdout is not None
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("server closed stdout")
            message = json.loads(line)
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(message["error"])
                return message["result"], len(line.rstrip("\n").encode())

    def request(self, method: str, params: dict[str, Any] | None = None) -> tuple[dict[str, Any], int]:
        self.send(method, params)
        return self.answer()

    def initialize(self) -> float:
        """Seconds from spawn to the initialize answer."""
        self.request("initialize", INITIALIZE)
        elapsed = time.perf_counter() - self.started
        self.send("notifications/initialized", notify=True)
        return elapsed

    def call(self, tool: str, arguments: dict[str, Any]) -> tuple[dict[str, Any], float]:
        start = time.perf_counter()
        result, _ = self.request("tools/call", {"name": tool, "arguments": arguments})
        if result.get("isError"):
            raise RuntimeError(result)
        return result, time.perf_counter() - start

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def _env(data_dir: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", ""), "SI_MCP_DATA_DIR": str(data_dir)}


def measure(runs: int, calls: int) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        baseline_script = Path(tmp) / "one_tool_server.py"
        baseline_script.write_text(ONE_TOOL_SERVER)
        baseline = [sys.executable, str(baseline_script)]
        si_mcp = [sys.executable, "-m", "si_mcp", "serve"]
        env = _env(Path(tmp) / "data")

        starts: dict[str, list[float]] = {"baseline": [], "si-mcp": []}
        for _ in range(runs):  # interleaved, so machine noise hits both alike
            for name, command in (("baseline", baseline), ("si-mcp", si_mcp)):
                server = Stdio(command, env)
                starts[name].append(server.initialize())
                server.close()

        one = Stdio(baseline, env)
        one.initialize()
        _, one_list_bytes = one.request("tools/list")
        echo_latencies, echo_text = [], ""
        for _ in range(calls):
            result, seconds = one.call("echo", {"text": "hello"})
            echo_latencies.append(seconds)
            echo_text = result["content"][0]["text"]
        one.close()

        ours = Stdio(si_mcp, env)
        ours.initialize()
        _, list_bytes = ours.request("tools/list")
        ours.call("create_organization", ORGANIZATION)
        ours.call("create_invoice", {**INVOICE, "note": "warm-up"})  # opens the books (first call only)
        invoice_latencies, invoice_text = [], ""
        for number in range(calls):
            result, seconds = ours.call("create_invoice", {**INVOICE, "note": f"bench {number}"})
            invoice_latencies.append(seconds)
            invoice_text = result["content"][0]["text"]
        ours.close()

    return {
        "start-up to initialize answer, p50 (ms)": (
            statistics.median(starts["si-mcp"]) * 1000,
            statistics.median(starts["baseline"]) * 1000,
        ),
        "tool call over stdio, p50 (ms)": (
            statistics.median(invoice_latencies) * 1000,
            statistics.median(echo_latencies) * 1000,
        ),
        "tools/list result (bytes)": (float(list_bytes), float(one_list_bytes)),
        "tool result text (bytes)": (float(len(invoice_text.encode())), float(len(echo_text.encode()))),
    }


TARGETS = {
    "start-up to initialize answer, p50 (ms)": ("ratio", 1.2),
    "tools/list result (bytes)": ("value", 24 * 1024),
    "tool result text (bytes)": ("value", 800),
}


def report(figures: dict[str, tuple[float, float]]) -> str:
    lines = [
        f"{'figure':<42} {'si-mcp':>10} {'one-tool':>10} {'ratio':>7}  target",
        "-" * 84,
    ]
    for name, (ours, baseline) in figures.items():
        ratio = ours / baseline if baseline else float("inf")
        kind, limit = TARGETS.get(name, ("", 0.0))
        if kind == "ratio":
            target = f"≤ {limit}× {'ok' if ratio <= limit else 'MISSED'}"
        elif kind == "value":
            target = f"≤ {limit:,.0f} {'ok' if ours <= limit else 'MISSED'}"
        else:
            target = "(create_invoice vs echo)"
        lines.append(f"{name:<42} {ours:>10,.1f} {baseline:>10,.1f} {ratio:>6.2f}×  {target}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="start-ups measured per server")
    parser.add_argument("--calls", type=int, default=30, help="tool calls measured per server")
    args = parser.parse_args()
    print(report(measure(args.runs, args.calls)))


if __name__ == "__main__":
    main()
