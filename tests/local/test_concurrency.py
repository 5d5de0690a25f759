"""Numbering under concurrency: many writers, distinct and gapless numbers, independent series."""

from __future__ import annotations

from datetime import UTC, datetime

import anyio
import pytest

pytestmark = pytest.mark.anyio

WORKERS = 8
PER_WORKER = 50


async def test_400_concurrent_invoices_get_distinct_gapless_numbers(tenant, seed_invoice) -> None:
    year = datetime.now(UTC).year
    url = f"/organizations/{tenant.org_id}/documents"
    failures = []

    async def worker(index: int) -> None:
        for n in range(PER_WORKER):
            if n % 10 == index % 10:  # a failing create between the others must not burn a number
                bad = seed_invoice(_documentItems=[{"name": "x", "price": 1, "_documentItemTaxes": [{"rate": 3}]}])
                failures.append((await tenant.api.post(url, json=bad)).status_code)
            if n % 5 == 0:
                response = await tenant.api.post(url, json=seed_invoice(type="estimate"))
            else:
                response = await tenant.api.post(url, json=seed_invoice())
            assert response.status_code == 200, response.text

    with anyio.fail_after(120):
        async with anyio.create_task_group() as group:
            for index in range(WORKERS):
                group.start_soon(worker, index)

    assert set(failures) == {422}
    documents = (await tenant.api.get(url, params={"filter": '{"fields":["type","number"]}'})).json()
    invoices = sorted(d["number"] for d in documents if d["type"] == "invoice")
    estimates = sorted(d["number"] for d in documents if d["type"] == "estimate")
    assert invoices == [f"{year}-{i:05d}" for i in range(1, 321)]
    assert estimates == [f"{year}-{i:05d}" for i in range(1, 81)]


async def test_series_of_two_organizations_are_independent(new_tenant, seed_invoice) -> None:
    a, b = await new_tenant(), await new_tenant()
    numbers: dict[str, list[str]] = {a.org_id: [], b.org_id: []}

    async def create(tenant) -> None:
        for _ in range(20):
            numbers[tenant.org_id].append((await tenant.invoice())["number"])

    with anyio.fail_after(60):
        async with anyio.create_task_group() as group:
            for tenant in (a, b, a, b):
                group.start_soon(create, tenant)

    year = datetime.now(UTC).year
    for org_numbers in numbers.values():
        assert sorted(org_numbers) == [f"{year}-{i:05d}" for i in range(1, 41)]


async def test_concurrent_creates_with_one_unique_id_make_one_document(tenant, seed_invoice) -> None:
    url = f"/organizations/{tenant.org_id}/documents"
    body = seed_invoice(uniqueId="same-key")
    answers = []

    async def create() -> None:
        answers.append((await tenant.api.post(url, json=body)).json()["id"])

    with anyio.fail_after(30):
        async with anyio.create_task_group() as group:
            for _ in range(10):
                group.start_soon(create)

    assert len(set(answers)) == 1
    assert (await tenant.api.get(f"{url}/count")).json() == {"count": 1}
