"""The ledger columns (money in integer minor units, VAT groups in document_taxes) never disagree with the JSON."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from si_mcp.local import tables
from si_mcp.local.app import LocalAPI
from tests.conftest import as_everyone

from .conftest import Tenant, invoice_body

pytestmark = pytest.mark.anyio

# Minor units, written out here rather than taken from the code under test.
EXPONENT = {"EUR": 2, "JPY": 0, "BHD": 3}


def units(value: Any, currency: str) -> int:
    scaled = Decimal(str(value)).scaleb(EXPONENT[currency])
    assert scaled == scaled.to_integral_value(), (value, currency)
    return int(scaled)


async def _ledger(app: LocalAPI) -> tuple[list[Any], list[Any], list[Any]]:
    async with as_everyone(app.services.db.read()) as conn:
        documents = (await conn.execute(sa.select(tables.documents))).all()
        taxes = (await conn.execute(sa.select(tables.document_taxes))).all()
        payments = (await conn.execute(sa.select(tables.payments))).all()
    return documents, taxes, payments


def _check(documents: list[Any], taxes: list[Any], payments: list[Any]) -> None:
    currency_of = {}
    for row in documents:
        data = json.loads(row.data)
        currency = data["currencyId"]
        currency_of[row.id] = currency
        status = "canceled" if data.get("canceled") else "draft" if data.get("draft") else "issued"
        assert (row.status, row.currency) == (status, currency)
        assert row.date_is_day == data["date"].endswith("T00:00:00.000Z")
        assert row.total_minor == units(data["total"], currency)
        assert row.total_with_tax_minor == units(data["totalWithTax"], currency)
        assert row.total_paid_minor == units(data["totalPaid"], currency)
        assert row.total_credited_minor == units(data.get("totalCredited", 0), currency)
        assert row.total_due_minor == units(data["totalDue"], currency)
        groups = [t for t in taxes if t.document_id == row.id]
        sign = -1 if data["type"] == "credit-note" and data["totalWithTax"] >= 0 else 1
        for group in groups:  # the document's own columns, repeated for the VAT report's index
            copied = (group.type, group.status, group.is_deleted, group.date, group.date_is_day, group.currency)
            assert copied == (row.type, row.status, row.is_deleted, row.date, row.date_is_day, row.currency)
            assert group.sign == sign
        expected = [
            (Decimal(str(g["tax"])), g.get("category") or "S", reverse, units(g["base"], currency))
            for reverse, key in ((False, "_documentTaxes"), (True, "_documentReverseTaxes"))
            for g in data.get(key) or []
        ]
        stored = [(Decimal(t.rate_e4).scaleb(-4), t.category, t.reverse_charged, t.base_minor) for t in groups]
        assert stored[: len(expected)] == expected
        # The bases add up to the net total: lines without tax are their own group, not lost (a line with two taxes
        # is the base of both).
        twice = sum(units(i["total"], currency) for i in data["_documentItems"] if len(i["_documentItemTaxes"]) == 2)
        assert sum(t.base_minor for t in groups) == row.total_minor + twice
        assert sum(t.tax_minor for t in groups if not t.reverse_charged) == row.total_with_tax_minor - row.total_minor
    for row in payments:
        data = json.loads(row.data)
        assert row.amount_minor == units(data["amount"], currency_of[row.document_id])


async def _daily(app: LocalAPI) -> tuple[list[Any], list[Any]]:
    async with as_everyone(app.services.db.read()) as conn:
        sales = (await conn.execute(sa.select(tables.sales_days))).all()
        taxes = (await conn.execute(sa.select(tables.tax_days))).all()
    return sales, taxes


def _day(text: str, zone: str) -> date:
    """A wire date's calendar day: a bare day (midnight UTC) is itself, an instant is placed in ``zone``."""
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when.date() if text.endswith("T00:00:00.000Z") else when.astimezone(ZoneInfo(zone)).date()


def _check_days(documents: list[Any], taxes: list[Any], daily: tuple[list[Any], list[Any]], zone: str) -> None:
    """The days of each document and the daily totals, recounted here from the JSON and the VAT groups."""
    sales: dict[tuple[Any, ...], list[int]] = {}
    groups: dict[tuple[Any, ...], list[int]] = {}
    for row in documents:
        data = json.loads(row.data)
        assert row.day == _day(data["date"], zone)
        assert row.due_day == (_day(data["dateDue"], zone) if data.get("dateDue") else None)
        if data.get("_isDeleted"):
            continue
        sign = -1 if data["type"] == "credit-note" and data["totalWithTax"] >= 0 else 1
        key = (row.organization_id, row.day, row.status, row.type, data["currencyId"])
        entry = sales.setdefault((*key, sign), [0, 0, 0])
        for i, value in enumerate((1, row.total_minor, row.total_with_tax_minor)):
            entry[i] += value
        for t in (t for t in taxes if t.document_id == row.id):
            group = groups.setdefault((*key, t.category, t.rate_e4, t.reverse_charged, t.sign), [0, 0])
            group[0] += t.base_minor
            group[1] += t.tax_minor
    stored_sales, stored_taxes = daily
    assert {tuple(r)[:6]: list(tuple(r)[6:]) for r in stored_sales} == sales
    assert {tuple(r)[:9]: list(tuple(r)[9:]) for r in stored_taxes} == groups


async def _books(tenant: Tenant) -> dict[str, Any]:
    """Documents of every kind, written through the API: taxes, currencies, gross prices, reverse charge, drafts,
    a credit note, payments made, changed and deleted, a canceled invoice. Returns the first invoice."""
    api, documents = tenant.api, f"/organizations/{tenant.org_id}/documents"
    mixed = [
        {"name": "Standard", "price": "100.10", "_documentItemTaxes": [{"rate": 21}]},
        {"name": "Reduced", "price": 50, "quantity": 3, "_documentItemTaxes": [{"rate": 6}]},
        {"name": "Untaxed", "price": 6000},
        {"name": "Two taxes", "price": 10, "_documentItemTaxes": [{"rate": 21}, {"rate": 6}]},
    ]
    invoice = await tenant.invoice(_documentItems=mixed, date="2026-11-30T23:30:00Z")  # 1 December in Brussels
    await tenant.invoice(_documentItems=mixed[:3], currencyId="JPY")
    await tenant.invoice(_documentItems=[{"name": "Fils", "price": "1.005", "quantity": 3}], currencyId="BHD")
    gross = [{"name": "Coffee", "priceGross": "11.90", "_documentItemTaxes": [{"rate": 21}]}]
    latest = await tenant.invoice(_documentItems=gross)
    reverse = [{"name": "Consulting", "price": 1000, "_documentItemTaxes": [{"category": "AE"}]}]
    french = {"name": "Dupont SA", "country": "France", "taxNumber": "FR61954506077"}
    await tenant.invoice(_documentClient=french, _documentItems=reverse)
    await tenant.invoice(type="estimate", date="2026-11-30")
    draft = await tenant.invoice(draft=True, date="2026-10-01")  # issued later, today: it leaves 1 October
    issued = await api.put(f"/documents/{draft['id']}", json=invoice_body(draft=False, date=latest["date"]))
    assert issued.status_code == 200, issued.text
    doomed = await tenant.invoice(draft=True)
    assert (await api.delete(f"/documents/{doomed['id']}")).status_code == 200
    credit = invoice_body(type="credit-note", documentIds=[invoice["id"]], _documentItems=mixed[:1])
    assert (await api.post(documents, json=credit)).status_code == 200
    paid = await api.post(f"/documents/{invoice['id']}/payments", json={"type": "bank", "amount": "100.01"})
    assert paid.status_code == 200, paid.text
    more = await api.post(f"/documents/{invoice['id']}/payments", json={"type": "cash", "amount": 5})
    changed = await api.put(f"/payments/{more.json()['id']}", json={"type": "cash", "amount": "7.5"})
    assert changed.status_code == 200, changed.text
    assert (await api.delete(f"/payments/{paid.json()['id']}")).status_code == 200
    other = await tenant.invoice()
    assert (await api.post(f"/documents/{other['id']}/cancel")).status_code == 200
    await tenant.invoice(payments=[{"type": "card"}])
    return invoice


async def test_every_kind_of_write_keeps_the_ledger_columns_equal_to_the_json(app: LocalAPI, tenant: Tenant) -> None:
    invoice = await _books(tenant)

    documents_, taxes, payments = await _ledger(app)

    assert len(documents_) == 11 and len(payments) == 3
    _check(documents_, taxes, payments)
    _check_days(documents_, taxes, await _daily(app), "Europe/Brussels")
    statuses = sorted(row.status for row in documents_)
    assert statuses.count("canceled") == 1 and statuses.count("draft") == 1  # the deleted draft (is_deleted too)
    untaxed = [t for t in taxes if t.document_id == invoice["id"] and t.category == ""]
    assert [t.base_minor for t in untaxed] == [600000]  # 6,000.00 EUR without tax is in the ledger


async def test_the_days_follow_the_organization_to_another_timezone(app: LocalAPI, tenant: Tenant) -> None:
    await _books(tenant)

    moved = await tenant.api.patch(f"/organizations/{tenant.org_id}", json={"timezone": "Pacific/Kiritimati"})

    assert moved.status_code == 200, moved.text
    documents_, taxes, _ = await _ledger(app)
    _check_days(documents_, taxes, await _daily(app), "Pacific/Kiritimati")


async def test_a_document_that_would_total_beyond_what_the_ledger_can_sum_is_refused(
    tenant: Tenant, expect_error: Any
) -> None:
    huge = [{"name": "Everything", "price": "999999999999999", "quantity": 2}]
    response = await tenant.api.post(
        f"/organizations/{tenant.org_id}/documents", json=invoice_body(_documentItems=huge)
    )

    error = expect_error(response, 422)
    assert "must total less than 1,000,000,000,000,000 EUR" in error["message"]


@pytest.mark.sqlite_only
async def test_the_upgrade_fills_the_ledger_of_books_written_before_it_as_the_api_writes_it(
    app: LocalAPI, tenant: Tenant, tmp_path: Any
) -> None:
    from si_mcp.local.db import migrate

    from .test_migrations import downgrade

    await _books(tenant)
    before = await _ledger(app)
    daily = await _daily(app)
    await app.aclose()
    downgrade(tmp_path / "t.db", "0005")  # the previous release's schema: no ledger columns, no document_taxes
    engine = sa.create_engine(f"sqlite:///{tmp_path / 't.db'}")
    with engine.begin() as conn:
        assert "document_taxes" not in sa.inspect(conn).get_table_names()
        migrate(conn)
    with engine.connect() as conn:
        after = tuple(
            conn.execute(sa.select(table)).all() for table in (tables.documents, tables.document_taxes, tables.payments)
        )
        daily_after = tuple(conn.execute(sa.select(table)).all() for table in (tables.sales_days, tables.tax_days))
    engine.dispose()

    _check(*after)
    assert [sorted(map(tuple, rows)) for rows in after] == [sorted(map(tuple, rows)) for rows in before]
    assert [sorted(map(tuple, rows)) for rows in daily_after] == [sorted(map(tuple, rows)) for rows in daily]


@pytest.mark.sqlite_only
async def test_books_that_grew_without_planner_statistics_get_them_when_opened(
    app: LocalAPI, tenant: Tenant, tmp_path: Any
) -> None:
    import httpx

    from si_mcp.local import create_app
    from si_mcp.local.ids import object_id
    from si_mcp.local.resources import document_row

    template = await tenant.invoice()
    await app.aclose()
    engine = sa.create_engine(f"sqlite:///{tmp_path / 't.db'}")
    with engine.begin() as conn:  # 1,500 documents written without the API (an import), no statistics yet
        rows = [document_row({**template, "id": object_id(), "number": f"I-{n}"}) for n in range(1500)]
        conn.execute(tables.documents.insert(), rows)
        assert conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is None

    reopened = create_app(database_url=f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=reopened), base_url="http://local/v1") as api:
        assert (await api.get("/countries")).status_code == 200  # the first request opens the books
    await reopened.aclose()

    with engine.connect() as conn:
        stat = conn.exec_driver_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'documents' LIMIT 1").scalar()
    engine.dispose()
    assert stat is not None and int(stat.split()[0]) == 1501


@pytest.mark.sqlite_only
async def test_books_keep_planner_statistics_as_they_grow_between_starts(
    tenant: Tenant, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlalchemy as sa

    from si_mcp.local import db

    monkeypatch.setattr(db, "OPTIMIZE_EVERY", 5)
    for day in range(1, 13):  # more writes than OPTIMIZE_EVERY: PRAGMA optimize ran (ANALYZE of what was queried)
        await tenant.invoice(date=f"2026-11-{day:02d}")
    async with as_everyone(app.services.db.read()) as conn:
        analyzed = {row[0] for row in await conn.execute(sa.text("SELECT tbl FROM sqlite_stat1"))}
    assert "documents" in analyzed
