"""Scale-out benchmark: invoice creates per second and their latency through real ``si-mcp api`` processes over HTTP,
for SQLite with one process (the baseline), and PostgreSQL with one and with two processes, in the same run under
the same load. Needs a PostgreSQL server's URL in SI_MCP_TEST_POSTGRES; ``scripts/with-postgres`` starts one:

    scripts/with-postgres .venv/bin/python bench/scale_out.py [--creates 800] [--concurrency 16] [--tenants 8]
        [--drivers asyncpg,psycopg]

The load: ``--tenants`` organizations (each its own account), ``--concurrency`` callers creating invoices (two lines,
a new client each time) round-robin over the processes and tenants, after a warm-up of 20 creates per process.
Reported per setup: creates/s, p50 and p99 latency, and creates/s as a ratio to the SQLite baseline. ``psycopg``
(psycopg 3) is measured when importable; it is not in the lock (asyncpg is the ``postgres`` extra's driver), so
install it into a scratch folder and put it on PYTHONPATH to compare. The throwaway cluster of
``scripts/with-postgres`` runs with fsync off (SQLite here runs with synchronous=NORMAL): compare shapes, not disks.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import anyio
import httpx

PASSWORD = "bench-password-0123"
WARM_UP = 20


def _invoice(n: int) -> dict[str, Any]:
    return {
        "_documentClient": {"name": f"Client {n}", "country": "Belgium", "email": f"client{n}@example.com"},
        "_documentItems": [
            {"name": "Consulting", "quantity": 3, "price": 120, "_documentItemTaxes": [{"rate": 21}]},
            {"name": "Travel", "quantity": 1, "price": 80.5, "_documentItemTaxes": [{"rate": 6}]},
        ],
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _api_process(database_url: str, data_dir: Path) -> Iterator[str]:
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SI_MCP_", "SPACEINVOICES_"))}
    env.update(SI_MCP_DATABASE_URL=database_url, SI_MCP_DATA_DIR=str(data_dir), SI_MCP_LOG_LEVEL="WARNING")
    command = [sys.executable, "-m", "si_mcp", "api", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def _postgres_database(server: str, driver: str) -> Iterator[str]:
    name = "bench_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", "-X", "-q", server, "-c", f"CREATE DATABASE {name}"], check=True)
    try:
        url = urlsplit(server)
        yield urlunsplit(url._replace(scheme=f"postgresql+{driver}", path=f"/{name}"))
    finally:
        subprocess.run(["psql", "-X", "-q", server, "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True)


async def _up(http: httpx.AsyncClient, url: str) -> None:
    with anyio.fail_after(60):
        while True:
            try:
                await http.get(f"{url}/countries")
                return
            except httpx.TransportError:
                await anyio.sleep(0.05)


async def _tenant(http: httpx.AsyncClient, url: str, n: int) -> tuple[str, str]:
    email = f"bench{n}-{uuid.uuid4().hex[:6]}@example.com"
    account = (await http.post(f"{url}/accounts", json={"email": email, "password": PASSWORD})).json()
    token = (await http.post(f"{url}/accounts/login", json={"email": email, "password": PASSWORD})).json()["id"]
    org = await http.post(
        f"{url}/accounts/{account['id']}/organizations",
        json={"name": f"Bench {n}", "country": "Belgium"},
        headers={"Authorization": token},
    )
    return token, str(org.json()["id"])


async def _load(urls: list[str], tenants: int, creates: int, concurrency: int) -> tuple[float, list[float]]:
    """(seconds for ``creates`` creates, each one's latency)."""
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        for url in urls:
            await _up(http, url)
        orgs = [await _tenant(http, urls[0], n) for n in range(tenants)]
        latencies: list[float] = []

        async def create(n: int) -> None:
            token, org = orgs[n % tenants]
            url = urls[n % len(urls)]
            start = time.perf_counter()
            response = await http.post(
                f"{url}/organizations/{org}/documents", json=_invoice(n), headers={"Authorization": token}
            )
            if response.status_code != 200:
                raise RuntimeError(f"create {n} on {url}: {response.status_code} {response.text[:300]}")
            if n >= 0:
                latencies.append(time.perf_counter() - start)

        for n in range(-WARM_UP * len(urls), 0):  # warm-up: imports, caches, connection pools
            await create(n)
        todo = iter(range(creates))

        async def worker() -> None:
            for n in todo:
                await create(n)

        start = time.perf_counter()
        async with anyio.create_task_group() as group:
            for _ in range(concurrency):
                group.start_soon(worker)
        return time.perf_counter() - start, latencies


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--creates", type=int, default=800)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--tenants", type=int, default=8)
    parser.add_argument("--drivers", default="asyncpg,psycopg", help="PostgreSQL drivers to measure, when importable")
    args = parser.parse_args()
    server = os.environ.get("SI_MCP_TEST_POSTGRES")
    if not server:
        sys.exit("bench/scale_out.py needs SI_MCP_TEST_POSTGRES: run it under scripts/with-postgres")
    drivers = [d for d in args.drivers.split(",") if importlib.util.find_spec(d) is not None]
    skipped = sorted(set(args.drivers.split(",")) - set(drivers))
    if skipped:
        print(f"not importable, not measured: {', '.join(skipped)}")

    setups: list[tuple[str, str, int]] = [("SQLite, 1 process", "sqlite", 1)]
    for driver in drivers:
        setups += [(f"PostgreSQL ({driver}), 1 process", driver, 1), (f"PostgreSQL ({driver}), 2 processes", driver, 2)]
    print(
        f"{args.creates} invoice creates, {args.concurrency} concurrent callers, {args.tenants} organizations, "
        f"over HTTP on loopback ({os.cpu_count()} cores)"
    )
    print(f"{'setup':<36} {'creates/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'vs SQLite':>10}")
    baseline = None
    with tempfile.TemporaryDirectory() as tmp:
        for label, backend, processes in setups:
            with ExitStack() as stack:
                if backend == "sqlite":
                    url = f"sqlite+aiosqlite:///{tmp}/{uuid.uuid4().hex}.db"
                else:
                    url = stack.enter_context(_postgres_database(server, backend))
                urls = [
                    stack.enter_context(_api_process(url, Path(tmp) / f"{label}-{i}".replace(" ", "_")))
                    for i in range(processes)
                ]
                seconds, latencies = anyio.run(_load, urls, args.tenants, args.creates, args.concurrency)
            rate = args.creates / seconds
            baseline = baseline or rate
            p50, p99 = statistics.median(latencies) * 1000, _percentile(latencies, 0.99) * 1000
            print(f"{label:<36} {rate:>10.1f} {p50:>8.1f} {p99:>8.1f} {rate / baseline:>9.2f}x")


if __name__ == "__main__":
    main()
