"""Reports from the ledger: VAT and sales, aging and a client statement, to the cent, over REST and the client."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from .conftest import Tenant

pytestmark = pytest.mark.anyio

ALPHA = {"name": "Alpha", "email": "alpha@example.com", "country": "Belgium"}
BETA = {"name": "Beta", "email": "beta@example.com", "country": "Belgium"}


def line(price: Any, rate: int | None = None) -> dict[str, Any]:
    return {"name": "Work", "price": price, "_documentItemTaxes": [{"rate": rate}] if rate is not None else []}


async def month(tenant: Tenant) -> dict[str, Any]:
    """November 2026: two invoices (21 %, 6 %, an untaxed line), a credit note, a payment; an estimate, a draft and
    a canceled invoice that are not sales; an October invoice still due."""
    api = tenant.api
    october = await tenant.invoice(_documentClient=ALPHA, date="2026-10-01", _documentItems=[line(100, 21)])
    first = await tenant.invoice(
        _documentClient=ALPHA, date="2026-11-03", _documentItems=[line(1000, 21), line(500, 6), line(6000)]
    )
    await tenant.invoice(_documentClient=BETA, type="estimate", date="2026-11-10", _documentItems=[line(9999, 21)])
    await tenant.invoice(_documentClient=BETA, draft=True, date="2026-11-12", _documentItems=[line(8888, 21)])
    canceled = await tenant.invoice(_documentClient=BETA, date="2026-11-15", _documentItems=[line(7777, 21)])
    assert (await api.post(f"/documents/{canceled['id']}/cancel")).status_code == 200
    second = await tenant.invoice(_documentClient=BETA, date="2026-11-20", _documentItems=[line(200, 21)])
    credit = await tenant.invoice(
        _documentClient=ALPHA,
        type="credit-note",
        date="2026-11-25",
        documentIds=[first["id"]],
        _documentItems=[line(100, 21)],
    )
    payment = {"type": "bank", "amount": 1000, "date": "2026-11-28"}
    paid = await api.post(f"/documents/{first['id']}/payments", json=payment)
    assert paid.status_code == 200, paid.text
    return {"october": october, "first": first, "second": second, "credit": credit}


async def test_the_vat_report_counts_sales_minus_credit_notes_per_rate_and_category_and_nothing_else(
    tenant: Tenant,
) -> None:
    await month(tenant)

    response = await tenant.api.get(
        f"/organizations/{tenant.org_id}/reports/vat", params={"from": "2026-11-01", "to": "2026-11-30"}
    )

    assert response.status_code == 200, response.text
    report = response.json()
    [eur] = report["currencies"]
    assert [(g["category"], g["rate"], g["base"], g["tax"]) for g in eur["vat"]] == [
        ("", 0, 6000, 0),  # the untaxed line is in the report, not dropped
        ("S", 6, 500, 30),
        ("S", 21, 1100, 231),  # 1,000 + 200 − 100 credited
    ]
    assert (eur["net"], eur["tax"], eur["gross"]) == (7600, 261, 7861)
    assert [(t["type"], t["count"], t["gross"]) for t in eur["byType"]] == [
        ("credit-note", 1, -121),
        ("invoice", 2, 7982),
    ]
    assert report["excluded"] == {"estimates": 1, "drafts": 1, "canceled": 1}


async def test_aging_puts_what_is_due_in_buckets_of_days_past_due_per_client(tenant: Tenant) -> None:
    await month(tenant)

    response = await tenant.api.get(f"/organizations/{tenant.org_id}/reports/aging", params={"date": "2026-12-31"})

    assert response.status_code == 200, response.text
    [eur] = response.json()["currencies"]
    alpha, beta = eur["clients"]
    # Alpha: 7,740 − 121 credited − 1,000 paid, due 3 Dec (28 days); the October invoice, due 31 Oct (61 days).
    assert (alpha["client"], alpha["days1to30"], alpha["days61to90"], alpha["total"]) == ("Alpha", 6619, 121, 6740)
    assert (beta["client"], beta["days1to30"], beta["notDue"], beta["total"]) == ("Beta", 242, 0, 242)
    assert (eur["total"]["days1to30"], eur["total"]["total"], eur["total"]["documents"]) == (6861, 6982, 3)
    earlier = await tenant.api.get(f"/organizations/{tenant.org_id}/reports/aging", params={"date": "2026-12-01"})
    assert earlier.json()["currencies"][0]["total"]["notDue"] == 6861  # before the due dates: nothing overdue yet
    # On 19 November Beta's invoice of the 20th was not issued yet: it is not owed then.
    before = (
        await tenant.api.get(f"/organizations/{tenant.org_id}/reports/aging", params={"date": "2026-11-19"})
    ).json()
    assert [row["client"] for row in before["currencies"][0]["clients"]] == ["Alpha"]
    assert before["currencies"][0]["total"]["documents"] == 2


async def test_a_client_statement_runs_a_balance_from_what_was_owed_before_the_period(tenant: Tenant) -> None:
    made = await month(tenant)
    client_id = made["first"]["clientId"]

    response = await tenant.api.get(
        f"/organizations/{tenant.org_id}/reports/statement",
        params={"clientId": client_id, "from": "2026-11-01", "to": "2026-11-30"},
    )

    assert response.status_code == 200, response.text
    [eur] = response.json()["currencies"]
    assert eur["opening"] == 121
    assert [(x["date"], x["kind"], x["amount"], x["balance"]) for x in eur["lines"]] == [
        ("2026-11-03", "invoice", 7740, 7861),
        ("2026-11-25", "credit-note", -121, 7740),
        ("2026-11-28", "payment", -1000, 6740),
    ]
    assert eur["closing"] == 6740


async def test_reports_refuse_bad_periods_and_other_tenants(tenant: Tenant, new_tenant: Any, expect_error: Any) -> None:
    url = f"/organizations/{tenant.org_id}/reports"
    for params in ({"from": "2026-11-01"}, {"from": "2026-11-30", "to": "2026-11-01"}, {"from": "x", "to": "y"}):
        expect_error(await tenant.api.get(f"{url}/vat", params=params), 422)
    expect_error(await tenant.api.get(f"{url}/vat", params={"from": "0001-01-01", "to": "9999-12-31"}), 422)
    expect_error(await tenant.api.get(f"{url}/statement", params={"from": "2026-11-01", "to": "2026-11-30"}), 422)
    stranger = await new_tenant()
    expect_error(await stranger.api.get(f"{url}/aging"), 401)


async def test_the_client_reads_the_reports_as_models(app: Any, tenant: Tenant) -> None:
    import httpx

    from si_mcp.client import SpaceInvoices

    made = await month(tenant)
    transport = httpx.ASGITransport(app=app)
    async with SpaceInvoices(tenant.token, base_url="http://local/v1", transport=transport) as client:
        vat = await client.reports.vat(tenant.org_id, date(2026, 11, 1), date(2026, 11, 30))
        aging = await client.reports.aging(tenant.org_id, date(2026, 12, 31))
        statement = await client.reports.statement(
            tenant.org_id, made["first"]["clientId"], date(2026, 11, 1), date(2026, 11, 30)
        )

    assert vat.currencies[0].gross == Decimal("7861.00") and vat.excluded.canceled == 1
    assert aging.currencies[0].total.total == Decimal("6982.00")
    assert statement.currencies[0].closing == Decimal("6740.00")


async def test_an_instant_counts_on_its_local_day_and_a_credit_note_of_either_sign_counts_against_sales(
    tenant: Tenant,
) -> None:
    # Brussels: 23:30 UTC on 30 November is already 1 December there.
    await tenant.invoice(_documentClient=ALPHA, date="2026-11-30T22:30:00Z", _documentItems=[line(100, 21)])
    late = await tenant.invoice(_documentClient=ALPHA, date="2026-11-30T23:30:00Z", _documentItems=[line(1000, 21)])
    negative = {"name": "Back", "price": -50, "_documentItemTaxes": [{"rate": 21}]}
    await tenant.invoice(
        _documentClient=ALPHA,
        type="credit-note",
        date="2026-12-02",
        documentIds=[late["id"]],
        _documentItems=[negative],
    )
    await tenant.invoice(
        _documentClient=ALPHA,
        type="credit-note",
        date="2026-12-03",
        documentIds=[late["id"]],
        _documentItems=[line(50, 21)],
    )
    url = f"/organizations/{tenant.org_id}/reports/vat"

    november = (await tenant.api.get(url, params={"from": "2026-11-01", "to": "2026-11-30"})).json()
    december = (await tenant.api.get(url, params={"from": "2026-12-01", "to": "2026-12-31"})).json()

    assert november["currencies"][0]["gross"] == 121
    # 1,000 + 210 issued on 1 December, minus two credit notes of 50 + 10.50, one written with negative lines.
    assert (december["currencies"][0]["net"], december["currencies"][0]["tax"]) == (900, 189)


async def test_when_the_organization_moves_timezone_its_instants_move_to_the_days_of_the_new_zone(
    tenant: Tenant,
) -> None:
    # 23:30 UTC on 30 November: 1 December in Brussels, still 30 November in New York. A bare day never moves.
    await tenant.invoice(_documentClient=ALPHA, date="2026-11-30T23:30:00Z", _documentItems=[line(1000, 21)])
    await tenant.invoice(_documentClient=ALPHA, date="2026-12-01", _documentItems=[line(10, 21)])
    # Due at 23:30 UTC on 31 December: 1 January in Brussels (not late on the 1st), 31 December in New York.
    due = {"date": "2026-12-01T12:00:00Z", "dateDue": "2026-12-31T23:30:00Z"}
    await tenant.invoice(_documentClient=BETA, **due, _documentItems=[line(50)])
    url = f"/organizations/{tenant.org_id}/reports/vat"
    aging = f"/organizations/{tenant.org_id}/reports/aging"
    new_year = {"date": "2027-01-01"}
    december = {"from": "2026-12-01", "to": "2026-12-31"}
    stats = f"/organizations/{tenant.org_id}/document-total-stats"
    by_day = {"from": "2026-11-30", "to": "2026-12-01", "dist": "day"}

    before = (await tenant.api.get(url, params=december)).json()
    owed_before = (await tenant.api.get(aging, params=new_year)).json()["currencies"][0]["total"]
    moved = await tenant.api.patch(f"/organizations/{tenant.org_id}", json={"timezone": "America/New_York"})
    assert moved.status_code == 200, moved.text
    after = (await tenant.api.get(url, params=december)).json()
    owed_after = (await tenant.api.get(aging, params=new_year)).json()["currencies"][0]["total"]
    days = (await tenant.api.get(stats, params=by_day)).json()

    assert before["currencies"][0]["net"] == 1060
    assert after["currencies"][0]["net"] == 60
    assert (owed_before["days1to30"], owed_after["days1to30"]) == (1222.1, 1272.1)  # and Beta's 50, a day late now
    assert [(s["date"], s["count"], s["total"]) for s in days["stats"]] == [
        ("2026-11-30", 1, 1000),
        ("2026-12-01", 2, 60),
    ]


async def test_aging_buckets_turn_over_at_due_today_and_thirty_days_late(tenant: Tenant) -> None:
    for day in ("2026-12-31", "2026-12-01", "2026-11-30"):  # due on the day, 30 and 31 days before 31 December
        await tenant.invoice(_documentClient=ALPHA, date="2026-11-01", dateDue=day, _documentItems=[line(100)])

    response = await tenant.api.get(f"/organizations/{tenant.org_id}/reports/aging", params={"date": "2026-12-31"})

    total = response.json()["currencies"][0]["total"]
    assert (total["notDue"], total["days1to30"], total["days31to60"]) == (100, 100, 100)


async def test_money_paid_back_on_a_credit_note_raises_the_clients_balance(tenant: Tenant) -> None:
    invoice = await tenant.invoice(_documentClient=ALPHA, date="2026-11-02", _documentItems=[line(100, 21)])
    credit = await tenant.invoice(
        _documentClient=ALPHA, type="credit-note", date="2026-11-03", _documentItems=[line(100, 21)]
    )
    refund = {"type": "bank", "amount": 121, "date": "2026-11-04"}
    assert (await tenant.api.post(f"/documents/{credit['id']}/payments", json=refund)).status_code == 200

    response = await tenant.api.get(
        f"/organizations/{tenant.org_id}/reports/statement",
        params={"clientId": invoice["clientId"], "from": "2026-11-01", "to": "2026-11-30"},
    )

    [eur] = response.json()["currencies"]
    assert [(x["kind"], x["amount"], x["balance"]) for x in eur["lines"]] == [
        ("invoice", 121, 121),
        ("credit-note", -121, 0),
        ("payment", 121, 121),
    ]


async def test_the_v1_statistics_count_issued_documents_and_payments_per_period_and_currency(tenant: Tenant) -> None:
    await month(tenant)
    org = f"/organizations/{tenant.org_id}"
    autumn = {"from": "2026-10-01", "to": "2026-11-30"}

    invoices = (await tenant.api.get(f"{org}/document-total-stats", params={**autumn, "dist": "month"})).json()
    assert [(s["date"], s["currencyId"], s["count"], s["total"], s["totalWithTax"]) for s in invoices["stats"]] == [
        ("2026-10", "EUR", 1, 100, 121),
        ("2026-11", "EUR", 2, 7700, 7982),  # the estimate, the draft and the canceled invoice do not count
    ]
    assert [(t["currencyId"], t["count"], t["totalWithTax"]) for t in invoices["total"]] == [("EUR", 3, 8103)]
    credits = (await tenant.api.get(f"{org}/document-total-stats", params={**autumn, "type": "credit-note"})).json()
    assert [(t["count"], t["totalWithTax"]) for t in credits["total"]] == [(1, 121)]
    weeks = (await tenant.api.get(f"{org}/document-total-stats", params={**autumn, "dist": "week"})).json()
    assert [s["date"] for s in weeks["stats"]] == ["2026-W40", "2026-W45", "2026-W47"]
    payments = (await tenant.api.get(f"{org}/payment-total-stats", params={**autumn, "dist": "day"})).json()
    assert [(s["date"], s["count"], s["amount"]) for s in payments["stats"]] == [("2026-11-28", 1, 1000)]
    bad = await tenant.api.get(f"{org}/document-total-stats", params={**autumn, "dist": "hour"})
    assert bad.status_code == 422


async def test_the_client_reads_the_v1_statistics(tenant: Tenant) -> None:
    from si_mcp.client import SpaceInvoices

    await month(tenant)
    async with SpaceInvoices(tenant.token, base_url="http://local/v1", transport=tenant.api._transport) as api:
        totals = await api.reports.document_totals(tenant.org_id, date(2026, 11, 1), date(2026, 11, 30))
        received = await api.reports.payment_totals(tenant.org_id, date(2026, 11, 1), date(2026, 11, 30), dist="year")
    assert [(s.date, s.total_with_tax) for s in totals.stats] == [("2026-11", Decimal("7982.00"))]
    assert [(s.date, s.amount) for s in received.stats] == [("2026", Decimal("1000.00"))]


class WithoutReports:
    """The embedded API as the Space Invoices API answers: no /reports/ routes (404)."""

    def __init__(self, app: Any) -> None:
        import httpx

        self.inner = httpx.ASGITransport(app=app)
        self.reads = 0

    async def handle_async_request(self, request: Any) -> Any:
        import httpx

        if "/reports/" in request.url.path:
            body = {"error": {"statusCode": 404, "name": "Error", "message": "no such route", "code": "NOT_FOUND"}}
            return httpx.Response(404, json=body)
        if request.url.path.endswith("/documents"):
            self.reads += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_without_report_routes_the_client_computes_the_same_reports_from_documents(
    app: Any, tenant: Tenant
) -> None:
    import httpx

    from si_mcp.client import SpaceInvoices

    await month(tenant)
    # 1 December in Brussels, 30 November in UTC: read by the listing, left out by the organization's days.
    await tenant.invoice(_documentClient=BETA, date="2026-11-30T23:30:00Z", _documentItems=[line(50, 21)])
    period = (tenant.org_id, date(2026, 11, 1), date(2026, 11, 30))
    async with SpaceInvoices(tenant.token, base_url="http://local/v1", transport=httpx.ASGITransport(app=app)) as api:
        sql_vat, sql_aging = await api.reports.vat(*period), await api.reports.aging(tenant.org_id, date(2026, 12, 31))
    remote = WithoutReports(app)
    async with SpaceInvoices(tenant.token, base_url="http://local/v1", transport=remote) as api:
        listed_vat, listed_aging = (
            await api.reports.vat(*period),
            await api.reports.aging(tenant.org_id, date(2026, 12, 31)),
        )
    assert remote.reads >= 2
    assert listed_vat.to_wire() == sql_vat.to_wire()  # same figures, same order, to the cent
    assert listed_aging.to_wire() == sql_aging.to_wire()


async def test_a_report_from_documents_refuses_to_answer_from_part_of_the_books(
    app: Any, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from si_mcp.client import ReportTooLargeError, SpaceInvoices
    from si_mcp.client.resources import reports

    await month(tenant)
    monkeypatch.setattr(reports, "SCAN_LIMIT", 3)
    monkeypatch.setattr(reports, "_PAGE", 2)
    async with SpaceInvoices(tenant.token, base_url="http://local/v1", transport=WithoutReports(app)) as api:
        with pytest.raises(ReportTooLargeError, match="more than 3 documents; ask for a shorter period"):
            await api.reports.vat(tenant.org_id, date(2026, 11, 1), date(2026, 11, 30))


class CappedPages(WithoutReports):
    """Like the Space Invoices API, but pages are capped at 50 rows (the real API documents no maximum)."""

    async def handle_async_request(self, request: Any) -> Any:
        if request.url.path.endswith("/documents") and "filter" in request.url.params:
            flt = json.loads(request.url.params["filter"])
            flt["limit"] = min(int(flt.get("limit") or 50), 50)
            request = httpx.Request(
                request.method, request.url.copy_set_param("filter", json.dumps(flt)), headers=request.headers
            )
        return await super().handle_async_request(request)


async def test_a_report_from_documents_reads_every_page_of_an_api_that_caps_its_pages(app: Any, tenant: Tenant) -> None:
    from si_mcp.client import SpaceInvoices

    for day in range(60):  # 60 invoices of 10 EUR + 21 % in November
        await tenant.invoice(_documentClient=ALPHA, date=f"2026-11-{day // 2 + 1:02d}", _documentItems=[line(10, 21)])
    period = (tenant.org_id, date(2026, 11, 1), date(2026, 11, 30))
    async with SpaceInvoices(tenant.token, base_url="http://local/v1", transport=httpx.ASGITransport(app=app)) as api:
        sql = await api.reports.vat(*period)
    async with SpaceInvoices(tenant.token, base_url="http://local/v1", transport=CappedPages(app)) as api:
        listed = await api.reports.vat(*period)
    assert listed.to_wire() == sql.to_wire()  # not 50 of the 60 invoices, silently


async def test_aging_from_documents_names_the_client_as_the_sql_report(app: Any, tenant: Tenant) -> None:
    from si_mcp.client import SpaceInvoices

    first = await tenant.invoice(_documentClient=ALPHA, date="2026-11-03", _documentItems=[line(100, 21)])
    renamed = await tenant.api.patch(f"/clients/{first['clientId']}", json={"name": "Alpha Holdings"})
    assert renamed.status_code == 200, renamed.text
    async with SpaceInvoices(tenant.token, base_url="http://local/v1", transport=httpx.ASGITransport(app=app)) as api:
        sql = await api.reports.aging(tenant.org_id, date(2026, 12, 31))
    async with SpaceInvoices(tenant.token, base_url="http://local/v1", transport=WithoutReports(app)) as api:
        listed = await api.reports.aging(tenant.org_id, date(2026, 12, 31))
    assert [r.client for r in listed.currencies[0].clients] == [r.client for r in sql.currencies[0].clients]


async def test_money_paid_back_on_a_credit_note_is_not_money_received(tenant: Tenant) -> None:
    invoice = await tenant.invoice(_documentClient=ALPHA, date="2026-11-03", _documentItems=[line(100, 21)])
    paid = await tenant.api.post(
        f"/documents/{invoice['id']}/payments", json={"type": "bank", "amount": 121, "date": "2026-11-04"}
    )
    assert paid.status_code == 200, paid.text
    credit = await tenant.invoice(
        _documentClient=ALPHA, type="credit-note", date="2026-11-05", _documentItems=[line(100, 21)]
    )
    back = await tenant.api.post(
        f"/documents/{credit['id']}/payments", json={"type": "bank", "amount": 121, "date": "2026-11-06"}
    )
    assert back.status_code == 200, back.text
    org = f"/organizations/{tenant.org_id}"
    stats = (
        await tenant.api.get(f"{org}/payment-total-stats", params={"from": "2026-11-01", "to": "2026-11-30"})
    ).json()
    # 121 received, 121 paid back: net 0
    assert [(t["count"], t["amount"]) for t in stats["total"]] == [(2, 0)], stats


class DraftDuringScan(WithoutReports):
    """Someone saves a draft dated early in the period while the report pages through the documents."""

    def __init__(self, app: Any, tenant: Tenant) -> None:
        super().__init__(app)
        self.tenant = tenant

    async def handle_async_request(self, request: Any) -> Any:
        if request.url.path.endswith("/documents") and request.method == "GET" and self.reads == 1:
            await self.tenant.invoice(_documentClient=BETA, draft=True, date="2026-11-01", _documentItems=[line(5, 21)])
        return await super().handle_async_request(request)


async def test_a_document_saved_during_the_scan_does_not_count_another_twice(
    app: Any, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from si_mcp.client import SpaceInvoices
    from si_mcp.client.resources import reports

    monkeypatch.setattr(reports, "_PAGE", 2)
    for day in (2, 3, 4):
        await tenant.invoice(_documentClient=ALPHA, date=f"2026-11-{day:02d}", _documentItems=[line(100, 21)])
    async with SpaceInvoices(tenant.token, base_url="http://local/v1", transport=DraftDuringScan(app, tenant)) as api:
        listed = await api.reports.vat(tenant.org_id, date(2026, 11, 1), date(2026, 11, 30))
    [eur] = listed.currencies
    assert [(t.type, t.count, t.net) for t in eur.by_type] == [("invoice", 3, 300)]  # not 4 invoices, 400


async def test_the_stats_total_does_not_add_estimates_and_credit_notes_to_sales(tenant: Tenant) -> None:
    invoice = await tenant.invoice(_documentClient=ALPHA, date="2026-11-03", _documentItems=[line(100, 21)])
    await tenant.invoice(
        _documentClient=ALPHA,
        type="credit-note",
        date="2026-11-04",
        documentIds=[invoice["id"]],
        _documentItems=[line(100, 21)],
    )
    await tenant.invoice(_documentClient=ALPHA, type="estimate", date="2026-11-05", _documentItems=[line(5000, 21)])
    stats = (await tenant.api.get(f"/organizations/{tenant.org_id}/stats")).json()
    assert [(t["count"], t["totalWithTax"]) for t in stats["total"]] == [(2, 0)]


async def test_without_report_routes_the_client_computes_the_same_statement_from_documents_and_payments(
    app: Any, tenant: Tenant
) -> None:
    from si_mcp.client import SpaceInvoices

    made = await month(tenant)
    refund = await tenant.api.post(  # money paid back (a refund) raises what the client owes
        f"/documents/{made['first']['id']}/payments", json={"type": "bank", "amount": -20, "date": "2026-11-29"}
    )
    assert refund.status_code == 200, refund.text
    client = made["first"]["clientId"]
    for start, end in ((date(2026, 11, 1), date(2026, 11, 30)), (date(2026, 11, 10), date(2026, 12, 31))):
        period = (tenant.org_id, client, start, end)
        async with SpaceInvoices(
            tenant.token, base_url="http://local/v1", transport=httpx.ASGITransport(app=app)
        ) as api:
            sql = await api.reports.statement(*period)
        async with SpaceInvoices(tenant.token, base_url="http://local/v1", transport=WithoutReports(app)) as api:
            listed = await api.reports.statement(*period)
        assert listed.to_wire() == sql.to_wire()
        assert sql.currencies[0].lines  # not two empty answers


async def test_a_statement_orders_same_day_payments_by_their_instant_whichever_way_it_is_computed(
    app: Any, tenant: Tenant
) -> None:
    from si_mcp.client import SpaceInvoices

    invoice = await tenant.invoice(_documentClient=ALPHA, date="2026-11-03", _documentItems=[line(100)])
    for amount, when in ((10, "2026-11-20T15:00:00Z"), (30, "2026-11-20T09:00:00Z")):  # recorded in the other order
        paid = await tenant.api.post(
            f"/documents/{invoice['id']}/payments", json={"type": "bank", "amount": amount, "date": when}
        )
        assert paid.status_code == 200, paid.text
    period = (tenant.org_id, invoice["clientId"], date(2026, 11, 1), date(2026, 11, 30))
    async with SpaceInvoices(tenant.token, base_url="http://local/v1", transport=httpx.ASGITransport(app=app)) as api:
        sql = await api.reports.statement(*period)
    async with SpaceInvoices(tenant.token, base_url="http://local/v1", transport=WithoutReports(app)) as api:
        listed = await api.reports.statement(*period)
    assert [line.balance for line in sql.currencies[0].lines] == [100, 70, 60]  # 09:00 before 15:00
    assert listed.to_wire() == sql.to_wire()


async def test_a_client_of_another_organization_has_no_statement_here_whichever_way_it_is_computed(
    app: Any, tenant: Tenant
) -> None:
    from si_mcp.client import NotFoundError, SpaceInvoices

    other = await tenant.api.post(
        f"/accounts/{tenant.account_id}/organizations",
        json={"name": "Other", "address": "x 1", "city": "Brussels", "zip": "1000", "country": "Belgium"},
    )
    assert other.status_code == 200, other.text
    made = await tenant.api.post(
        f"/organizations/{other.json()['id']}/documents",
        json={"_documentClient": BETA, "date": "2026-11-03", "_documentItems": [line(100)]},
    )
    assert made.status_code == 200, made.text
    for transport in (httpx.ASGITransport(app=app), WithoutReports(app)):
        async with SpaceInvoices(tenant.token, base_url="http://local/v1", transport=transport) as api:
            with pytest.raises(NotFoundError):
                await api.reports.statement(
                    tenant.org_id, made.json()["clientId"], date(2026, 11, 1), date(2026, 11, 30)
                )
