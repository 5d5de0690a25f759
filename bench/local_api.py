"""Local API benchmark: invoice creates per second, and listing the 50 newest of 100,000 documents.

    .venv/bin/python bench/local_api.py [--creates 600] [--documents 100000] [--rounds 200]

Everything goes through ``httpx.ASGITransport`` into the app (no sockets), on a SQLite file in a temp
folder. Each figure is reported next to a baseline measured in the same run through the same transport:
an authenticated ``GET /accounts/authorized`` (token check plus one small query), so the ratios say how
much the real work costs over a trivial round trip. The 100,000 documents are cloned from one created
through the API and bulk-inserted with SQLAlchemy Core (100k HTTP calls would only measure the creates).
Targets on the 2-core reference machine: >= 300 creates/s; list p50 <= 20 ms.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import sqlalchemy as sa

from si_mcp.local import create_app
from si_mcp.local.ids import object_id
from si_mcp.local.resources import document_row
from si_mcp.local.tables import document_counters, documents
from si_mcp.models import wirejson

CREATES_TARGET = 300.0
LIST_TARGET_MS = 20.0

INVOICE = {
    "_documentClient": {"name": "Rocket man", "country": "United Kingdom", "email": "rocket@example.com"},
    "_documentItems": [{"name": "Space suit", "quantity": 1, "price": 10000, "_documentItemTaxes": [{"rate": 21}]}],
    "payments": [{"type": "card"}],
}


async def _tenant(api: httpx.AsyncClient, email: str) -> str:
    account = (await api.post("/accounts", json={"email": email, "password": "bench-password"})).json()
    token = (await api.post("/accounts/login", json={"email": email, "password": "bench-password"})).json()
    api.headers["Authorization"] = token["id"]
    org = await api.post(f"/accounts/{account['id']}/organizations", json={"name": "Bench", "country": "Belgium"})
    return str(org.json()["id"])


async def _timed(api: httpx.AsyncClient, method: str, url: str, rounds: int, **kwargs: Any) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = await api.request(method, url, **kwargs)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.text
    return times


async def _creates_per_second(api: httpx.AsyncClient, org: str, count: int, workers: int) -> float:
    url = f"/organizations/{org}/documents"
    per_worker = count // workers

    async def worker() -> None:
        for _ in range(per_worker):
            response = await api.post(url, json=INVOICE)
            assert response.status_code == 200, response.text

    start = time.perf_counter()
    async with anyio.create_task_group() as group:
        for _ in range(workers):
            group.start_soon(worker)
    return per_worker * workers / (time.perf_counter() - start)


def _bulk_documents(database: Path, template: dict[str, Any], count: int) -> None:
    """Clone ``template`` into ``count`` documents of its organization, numbered and dated in sequence."""
    engine = sa.create_engine(f"sqlite:///{database}")
    start = datetime(2020, 1, 1, tzinfo=UTC)
    batch: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for n in range(1, count + 1):
            stamp = start + timedelta(minutes=20 * n)
            wire = stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            clone = dict(template, id=object_id(), number=f"BULK-{n:06d}", date=wire, createdAt=wire, updatedAt=wire)
            clone["dateYear"] = stamp.year
            batch.append(document_row(wirejson.loads(wirejson.dumps(clone))))
            if len(batch) == 5000:
                conn.execute(documents.insert(), batch)
                batch = []
        if batch:
            conn.execute(documents.insert(), batch)
        conn.execute(sa.delete(document_counters))
    engine.dispose()


def _ms(seconds: float) -> float:
    return seconds * 1000


async def main(creates: int, bulk: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.db"
        app = create_app(database_url=f"sqlite+aiosqlite:///{database}")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://local/v1") as api:
            org = await _tenant(api, "bench@example.com")
            await _timed(api, "POST", f"/organizations/{org}/documents", 20, json=INVOICE)  # warm-up
            baseline = await _timed(api, "GET", "/accounts/authorized", rounds)
            base_p50 = statistics.median(baseline)
            base_rate = 1 / base_p50

            sequential = await _creates_per_second(api, org, creates, 1)
            concurrent = await _creates_per_second(api, org, creates, 8)

            template = (await api.get(f"/organizations/{org}/documents", params={"filter": '{"limit":1}'})).json()[0]
            big_org = await _tenant(api, "big@example.com")
            template["organizationId"] = big_org
            _bulk_documents(database, template, bulk)
            newest = {"filter": '{"order":"date DESC","limit":50}'}
            listing = await _timed(api, "GET", f"/organizations/{big_org}/documents", rounds, params=newest)
            invoices = {"filter": '{"where":{"type":"invoice","draft":false},"order":"date DESC","limit":50}'}
            filtered = await _timed(api, "GET", f"/organizations/{big_org}/documents", rounds, params=invoices)
            first = (await api.get(f"/organizations/{big_org}/documents", params=newest)).json()
            assert len(first) == 50 and first[0]["number"] == f"BULK-{bulk:06d}"
            count = (await api.get(f"/organizations/{big_org}/documents/count")).json()["count"]
        await app.aclose()

    list_p50 = statistics.median(listing)
    list_p95 = statistics.quantiles(listing, n=20)[18]
    print(f"baseline GET /accounts/authorized: p50 {_ms(base_p50):.2f} ms ({base_rate:.0f} round trips/s)")
    print(
        f"invoice creates, 1 client:   {sequential:6.0f}/s  = {sequential / base_rate:.3f} x baseline rate"
        f"  (target >= {CREATES_TARGET:.0f}/s: {'met' if sequential >= CREATES_TARGET else 'NOT met'})"
    )
    print(
        f"invoice creates, 8 clients:  {concurrent:6.0f}/s  = {concurrent / base_rate:.3f} x baseline rate"
        f"  (target >= {CREATES_TARGET:.0f}/s: {'met' if concurrent >= CREATES_TARGET else 'NOT met'})"
    )
    print(
        f"list 50 newest of {count:,} documents: p50 {_ms(list_p50):.2f} ms, p95 {_ms(list_p95):.2f} ms"
        f"  = {list_p50 / base_p50:.1f} x baseline p50"
        f"  (target p50 <= {LIST_TARGET_MS:.0f} ms: {'met' if _ms(list_p50) <= LIST_TARGET_MS else 'NOT met'})"
    )
    filtered_p50 = statistics.median(filtered)
    print(
        f"  same, where type=invoice and draft=false: p50 {_ms(filtered_p50):.2f} ms"
        f"  = {filtered_p50 / base_p50:.1f} x baseline p50"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--creates", type=int, default=600, help="invoices to create per measurement")
    parser.add_argument("--documents", type=int, default=100_000, help="documents in the listed organization")
    parser.add_argument("--rounds", type=int, default=200, help="timed list / baseline requests")
    args = parser.parse_args()
    anyio.run(main, args.creates, args.documents, args.rounds)
