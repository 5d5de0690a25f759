"""Ledger benchmark: the report routes at growing sizes, next to listing the 50 newest documents.

    .venv/bin/python bench/ledger.py [--sizes 1000,10000,100000] [--rounds 30]

One organization per size holds that many documents, spread over two years (2025-2026): invoices with two VAT
rates and an untaxed line, credit notes and estimates, cloned from documents made through the API and
bulk-inserted with the rows the API writes (``document_row`` and ``tax_rows``, the days and daily totals as
``ledger.store_taxes`` keeps them), 100 clients; invoices older than 60 days are paid but one in fifty
(``--all-unpaid``: none is, aging's worst case, which reads every open invoice). Timed through
``httpx.ASGITransport`` (no sockets), p50 of ``--rounds`` requests each:

* baseline: ``GET /organizations/{id}/documents`` with the 50 newest (the API's cheapest useful answer);
* VAT report of one month and of one year; aging as of the last day;
* a full ``documents/count`` (what ``find_documents`` ran on every call before) and the 100-id probe it runs now;
* one client's documents (50 newest);
* text search, 50 newest matches: a term with hits (one client of 100) and one without, through the search index
  (``{"_search": …}``), and the same miss as ``find_documents`` searched before (``like`` on number, reference and
  note in the JSON).

Each figure is printed as milliseconds and as a ratio to the baseline of the same size, then the growth of each
query from one size to the next against the growth of the data (1.0 = linear, ~0 = flat). Targets (issue 11):
VAT report for a year at 300k <= 100 ms, aging <= 100 ms, text search <= 20 ms.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import anyio
import httpx
import sqlalchemy as sa

from si_mcp.local import create_app
from si_mcp.local.ids import object_id
from si_mcp.local.ledger import recount_days
from si_mcp.local.resources import document_row, search_body, tax_rows
from si_mcp.local.tables import document_counters, document_search, document_taxes, documents
from si_mcp.models import wirejson

ITEMS = [
    {"name": "Consulting", "price": 1000, "_documentItemTaxes": [{"rate": 21}]},
    {"name": "Books", "price": 40, "quantity": 3, "_documentItemTaxes": [{"rate": 6}]},
    {"name": "Disbursement", "price": 60},
]
CLIENT = {"name": "Client", "country": "Belgium"}
START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=730)


async def _organization(api: httpx.AsyncClient, email: str) -> tuple[str, list[dict[str, Any]]]:
    """A tenant and three template documents (invoice, credit note, estimate) made through the API."""
    account = (await api.post("/accounts", json={"email": email, "password": "bench-password"})).json()
    token = (await api.post("/accounts/login", json={"email": email, "password": "bench-password"})).json()
    api.headers["Authorization"] = token["id"]
    org = (await api.post(f"/accounts/{account['id']}/organizations", json={"name": "B", "country": "BE"})).json()
    url = f"/organizations/{org['id']}/documents"
    made = []
    for extra in ({}, {"type": "credit-note", "_documentItems": ITEMS[:1]}, {"type": "estimate"}):
        body = {"_documentClient": CLIENT, "_documentItems": ITEMS, "date": "2024-12-31", **extra}
        response = await api.post(url, json=body)
        assert response.status_code == 200, response.text
        made.append(response.json())
    return str(org["id"]), made


def _bulk(database: Path, templates: list[dict[str, Any]], count: int, all_unpaid: bool) -> str:
    """``count`` clones of the templates (8 invoices : 1 credit note : 1 estimate), dated in sequence, for 100
    clients ("Client 0" … "Client 99"); returns the first client's id."""
    engine = sa.create_engine(f"sqlite:///{database}")
    clients = [object_id() for _ in range(100)]
    step = SPAN / count

    def paid(stamp: datetime, n: int) -> bool:
        """Books as a business keeps them: invoices of the last 60 days open, and one in fifty older ones."""
        return not all_unpaid and stamp < START + SPAN - timedelta(days=60) and n % 50 != 7

    rows: list[dict[str, Any]] = []
    taxes: list[dict[str, Any]] = []
    searched: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for n in range(count):
            template = templates[1 if n % 10 == 8 else 2 if n % 10 == 9 else 0]
            stamp = START + step * n
            wire = stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            due = (stamp + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            clone = dict(template, id=object_id(), date=wire, dateDue=due, createdAt=wire, updatedAt=wire)
            client = {**template["_documentClient"], "name": f"Client {n % len(clients)}"}
            clone.update(number=f"B-{n:07d}", dateYear=stamp.year, clientId=clients[n % len(clients)], uniqueId=None)
            clone["_documentClient"] = client
            if paid(stamp, n) and template["type"] == "invoice":
                clone.update(totalPaid=clone["totalWithTax"], totalDue=0, paidInFull=True)
            clone = wirejson.loads(wirejson.dumps(clone))
            # Placed as ledger.store_taxes places them (the organization is in Brussels; an instant's local day).
            zone = ZoneInfo("Europe/Brussels")
            rows.append({**document_row(clone), "day": stamp.astimezone(zone).date()})
            rows[-1]["due_day"] = (stamp + timedelta(days=30)).astimezone(zone).date()
            taxes += tax_rows(clone)
            searched.append(
                {"document_id": clone["id"], "organization_id": clone["organizationId"], "body": search_body(clone)}
            )
            if len(rows) == 5000:
                conn.execute(documents.insert(), rows)
                conn.execute(document_taxes.insert(), taxes)
                conn.execute(document_search.insert(), searched)
                rows, taxes, searched = [], [], []
        if rows:
            conn.execute(documents.insert(), rows)
            conn.execute(document_taxes.insert(), taxes)
            conn.execute(document_search.insert(), searched)
        conn.execute(sa.delete(document_counters))
        recount_days(conn, templates[0]["organizationId"])  # the daily totals, as the API keeps them
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return clients[0]


def _newest(where: dict[str, Any]) -> dict[str, str]:
    return {"filter": json.dumps({"where": where, "order": "date DESC", "limit": 50})}


async def _p50(api: httpx.AsyncClient, url: str, params: dict[str, str], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = await api.get(url, params=params)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.text
    return statistics.median(times) * 1000


async def _measure(size: int, rounds: int, all_unpaid: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "ledger.db"
        app = create_app(database_url=f"sqlite+aiosqlite:///{database}")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://local/v1") as api:
            org, templates = await _organization(api, "bench@example.com")
            client = _bulk(database, templates, size, all_unpaid)
            base = f"/organizations/{org}"
            figures = {
                "baseline": await _p50(
                    api, f"{base}/documents", {"filter": '{"order":"date DESC","limit":50}'}, rounds
                ),
                "vat month": await _p50(api, f"{base}/reports/vat", {"from": "2026-06-01", "to": "2026-06-30"}, rounds),
                "vat year": await _p50(api, f"{base}/reports/vat", {"from": "2026-01-01", "to": "2026-12-31"}, rounds),
                "aging": await _p50(api, f"{base}/reports/aging", {"date": "2026-12-31"}, rounds),
                # What find_documents used to run on every call, and the bounded count it runs now.
                "full count": await _p50(api, f"{base}/documents/count", {}, rounds),
                "100-id probe": await _p50(
                    api, f"{base}/documents", {"filter": '{"fields":["id","organizationId"],"limit":100}'}, rounds
                ),
                "one client": await _p50(api, f"{base}/documents", _newest({"clientId": client}), rounds),
                "search hit": await _p50(api, f"{base}/documents", _newest({"_search": "Client 42"}), rounds),
                "search miss": await _p50(api, f"{base}/documents", _newest({"_search": "zebra"}), rounds),
                "old like miss": await _p50(
                    api,
                    f"{base}/documents",
                    _newest({"or": [{k: {"like": "zebra", "options": "i"}} for k in ("number", "reference", "note")]}),
                    min(rounds, 5),
                ),
            }
            hits = (await api.get(f"{base}/documents", params=_newest({"_search": "Client 42"}))).json()
            assert hits and all(d["_documentClient"]["name"] == "Client 42" for d in hits)
            year = (await api.get(f"{base}/reports/vat", params={"from": "2026-01-01", "to": "2026-12-31"})).json()
            counted = sum(t["count"] for t in year["currencies"][0]["byType"]) + year["excluded"]["estimates"]
            assert abs(counted - size / 2) <= size * 0.01 + 2, (counted, size)  # half the documents are in 2026
        await app.aclose()
    return figures


async def main(sizes: list[int], rounds: int, all_unpaid: bool) -> None:
    results = {size: await _measure(size, rounds, all_unpaid) for size in sizes}
    names = [
        "baseline",
        "vat month",
        "vat year",
        "aging",
        "full count",
        "100-id probe",
        "one client",
        "search hit",
        "search miss",
        "old like miss",
    ]
    print(f"{'documents':>10} | " + " | ".join(f"{name:>20}" for name in names))
    for size, figures in results.items():
        cells = [f"{figures['baseline']:8.2f} ms" + " " * 11]
        cells += [f"{figures[n]:8.2f} ms ({figures[n] / figures['baseline']:5.1f}x)" for n in names[1:]]
        print(f"{size:>10,} | " + " | ".join(f"{cell:>20}" for cell in cells))
    print("\ngrowth exponent between sizes (time ratio as a power of the size ratio; 1 = O(n), 0 = flat):")
    for small, large in zip(sizes, sizes[1:], strict=False):
        scale = math.log(large / small)
        growth = {n: math.log(results[large][n] / results[small][n]) / scale for n in names}
        print(f"  {small:,} -> {large:,}: " + ", ".join(f"{n} {g:.2f}" for n, g in growth.items()))
    largest = results[sizes[-1]]
    for name, target in (("vat year", 100), ("aging", 100), ("search hit", 20), ("search miss", 20)):
        verdict = "met" if largest[name] <= target else "NOT met"
        print(f"{name} at {sizes[-1]:,}: {largest[name]:.1f} ms (target <= {target} ms at 300k: {verdict})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated document counts")
    parser.add_argument("--rounds", type=int, default=30, help="timed requests per figure")
    parser.add_argument("--all-unpaid", action="store_true", help="no invoice paid: aging's worst case")
    args = parser.parse_args()
    anyio.run(main, [int(size) for size in args.sizes.split(",")], args.rounds, args.all_unpaid)
