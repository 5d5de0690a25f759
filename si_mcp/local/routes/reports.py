"""Reports as SQL aggregates over the ledger columns (embedded API extension; v1 has no such routes).

``GET /organizations/{id}/reports/vat?from=&to=``        sales and VAT per currency, category and rate
``GET /organizations/{id}/reports/aging?date=``          amounts due by days past due, per client
``GET /organizations/{id}/reports/statement?clientId=&from=&to=``   a client's documents and payments, running balance

Periods are the organization's calendar days: a document dated by day (midnight UTC, a date without a time) is on
that day, one dated by an instant on its day in the organization's timezone (as the VAT rate and the number's year).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from starlette.responses import Response

from si_mcp.models.ledger import StatementEntry, build_statement, organization_today, rate_from_e4
from si_mcp.models.money import from_minor
from si_mcp.models.report import (
    AgingReport,
    AgingRow,
    CurrencyAging,
    CurrencySales,
    Excluded,
    SalesByType,
    Statement,
    TotalStat,
    TotalStats,
    VatGroup,
    VatReport,
)

from .. import tables
from ..access import require_org_tx
from ..engine.autofill import local_day
from ..errors import invalid, not_found
from ..http import Call, Route, json_response
from ..ledger import SALES_SIGN
from ..store import loads, now

__all__ = ["routes"]

_MODEL = "Report"
_D = tables.documents
_SD = tables.sales_days
_TD = tables.tax_days
_P = tables.payments
_C = tables.clients
_SALES = ("invoice", "advance", "credit-note")
# Days a report may span, and the calendar it may name: enough for any books, small enough for date arithmetic.
_MAX_DAYS = 366 * 20
_FIRST, _LAST = date(1900, 1, 1), date(2999, 12, 31)


def _day(call: Call, name: str, default: date | None = None) -> date:
    text = call.query(name)
    if text is None or not text.strip():
        if default is None:
            raise invalid(_MODEL, name, "is required: a date like 2026-12-01")
        return default
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise invalid(_MODEL, name, "must be a date like 2026-12-01") from None
    if not _FIRST <= value <= _LAST:
        raise invalid(_MODEL, name, f"must be between {_FIRST} and {_LAST}")
    return value


def _period(call: Call, organization: dict[str, Any]) -> tuple[date, date]:
    """``from`` and ``to``; without either, this month up to today (the organization's days)."""
    if call.query("from") is None and call.query("to") is None:
        today = organization_today(organization.get("timezone"), now())
        return today.replace(day=1), today
    start, end = _day(call, "from"), _day(call, "to")
    if end < start:
        raise invalid(_MODEL, "to", "is before from")
    if (end - start).days > _MAX_DAYS:
        raise invalid(_MODEL, "to", f"a report spans at most {_MAX_DAYS} days")
    return start, end


def _live(organization_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(_D.c.organization_id == organization_id, _D.c.is_deleted == sa.false())


async def _run(call: Call, work: Callable[[sa.Connection, dict[str, Any]], Any]) -> Response:
    organization_id = call.params["id"]

    def run(conn: sa.Connection) -> Any:
        require_org_tx(conn, call.account_id, organization_id, "read")
        o = tables.organizations
        organization = loads(conn.execute(sa.select(o.c.data).where(o.c.id == organization_id)).scalar_one())
        return work(conn, organization)

    async with call.db.read() as conn:
        report = await conn.run_sync(run)
    return json_response(report.to_wire())


# ---------------------------------------------------------------- VAT and sales


def _vat(conn: sa.Connection, organization: dict[str, Any], start: date, end: date) -> VatReport:
    organization_id = organization["id"]
    in_period = (_TD.c.organization_id == organization_id, _TD.c.day >= start, _TD.c.day <= end)
    groups = conn.execute(  # the daily totals: a year is some thousand rows at any size of the books
        sa.select(
            _TD.c.currency,
            _TD.c.category,
            _TD.c.rate_e4,
            _TD.c.reverse_charged,
            sa.func.sum(_TD.c.sign * _TD.c.base_minor),
            sa.func.sum(_TD.c.sign * _TD.c.tax_minor),
        )
        .where(*in_period, _TD.c.status == "issued", _TD.c.type.in_(_SALES))
        .group_by(_TD.c.currency, _TD.c.category, _TD.c.rate_e4, _TD.c.reverse_charged)
        .order_by(_TD.c.currency, _TD.c.category, _TD.c.rate_e4, _TD.c.reverse_charged)
    ).all()
    kinds = conn.execute(  # sales per type, and what is not a sale
        sa.select(
            _SD.c.status,
            _SD.c.type,
            _SD.c.currency,
            sa.func.sum(_SD.c.documents),
            sa.func.sum(_SD.c.sign * _SD.c.total_minor),
            sa.func.sum(_SD.c.sign * _SD.c.total_with_tax_minor),
        )
        .where(_SD.c.organization_id == organization_id, _SD.c.day >= start, _SD.c.day <= end)
        .group_by(_SD.c.status, _SD.c.type, _SD.c.currency)
        .order_by(_SD.c.currency, _SD.c.type)
    ).all()
    by_currency: dict[str, CurrencySales] = {}
    excluded = Excluded()
    for status, doc_type, currency, summed, net, gross in kinds:
        count = int(summed)
        if status == "draft":
            excluded.drafts += count
        elif status == "canceled":
            excluded.canceled += count
        elif doc_type == "estimate":
            excluded.estimates += count
        if status != "issued" or doc_type not in _SALES:
            continue
        entry = _sales_of(by_currency, currency)
        net_amount, gross_amount = from_minor(int(net), currency), from_minor(int(gross), currency)
        entry.by_type.append(
            SalesByType(type=doc_type, count=count, net=net_amount, tax=gross_amount - net_amount, gross=gross_amount)
        )
        entry.net, entry.gross = entry.net + net_amount, entry.gross + gross_amount
        entry.tax = entry.gross - entry.net
    for currency, category, rate_e4, reverse, base, tax in groups:
        # setdefault: on PostgreSQL a document committed between the two statements may bring its currency here only
        _sales_of(by_currency, currency).vat.append(
            VatGroup(
                category=category,
                rate=rate_from_e4(int(rate_e4)),
                reverse_charged=bool(reverse),
                base=from_minor(int(base), currency),
                tax=from_minor(int(tax), currency),
            )
        )
    return VatReport(
        organization_id=organization_id,
        date_from=start,
        date_to=end,
        currencies=list(by_currency.values()),
        excluded=excluded,
    )


def _sales_of(by_currency: dict[str, CurrencySales], currency: str) -> CurrencySales:
    return by_currency.setdefault(currency, CurrencySales(currency=currency, net=0, tax=0, gross=0, by_type=[], vat=[]))


async def vat_report(call: Call) -> Response:
    def work(conn: sa.Connection, organization: dict[str, Any]) -> VatReport:
        return _vat(conn, organization, *_period(call, organization))

    return await _run(call, work)


# ---------------------------------------------------------------- aging


def _aging(conn: sa.Connection, organization: dict[str, Any], as_of: date) -> AgingReport:
    due, amount = _D.c.due_day, _D.c.total_due_minor

    def summed(condition: sa.ColumnElement[bool]) -> Any:
        return sa.func.sum(sa.case((condition, amount), else_=0))

    late = [due < as_of - timedelta(days=days) for days in (0, 30, 60, 90)]  # due on a day before that
    sums = (
        sa.select(
            _D.c.currency,
            _D.c.client_id,
            sa.func.count().label("documents"),
            summed(sa.or_(due.is_(None), sa.not_(late[0]))).label("b0"),
            summed(sa.and_(late[0], sa.not_(late[1]))).label("b1"),
            summed(sa.and_(late[1], sa.not_(late[2]))).label("b2"),
            summed(sa.and_(late[2], sa.not_(late[3]))).label("b3"),
            summed(late[3]).label("b4"),
            sa.func.sum(amount).label("b5"),
            sa.func.sum(_D.c.reminder_count).label("reminders"),
            sa.func.max(_D.c.reminded_at).label("reminded_at"),
        )
        .where(
            _D.c.organization_id == organization["id"],
            _D.c.status == "issued",
            amount > 0,
            _D.c.type.in_(("invoice", "advance")),
            _D.c.is_deleted == sa.false(),
            _D.c.day <= as_of,  # documents issued after the day: not yet
        )
        .group_by(_D.c.currency, _D.c.client_id)
        .subquery()
    )
    rows = conn.execute(  # names joined to the groups, not to every document
        sa.select(
            sums.c.currency,
            sums.c.client_id,
            _C.c.name,
            sums.c.documents,
            sums.c.reminders,
            sums.c.reminded_at,
            *(sums.c[f"b{i}"] for i in range(6)),
        ).select_from(sums.outerjoin(_C, _C.c.id == sums.c.client_id))
    ).all()
    by_currency: dict[str, list[AgingRow]] = {}
    for currency, client_id, name, count, reminders, reminded_at, *buckets in rows:
        amounts = [from_minor(int(value or 0), currency) for value in buckets]
        row = _aging_row(client_id, name or "(no name)", count, amounts)
        row.reminders, row.last_reminded_at = int(reminders or 0), reminded_at
        by_currency.setdefault(currency, []).append(row)
    currencies = []
    for currency, clients in sorted(by_currency.items()):
        clients.sort(key=lambda row: (-row.total, row.client))
        totals = [sum((getattr(row, key) for row in clients), Decimal(0)) for key in _BUCKETS]
        total = _aging_row(None, "all clients", sum(row.documents for row in clients), totals)
        total.reminders = sum(row.reminders for row in clients)
        total.last_reminded_at = max((r.last_reminded_at for r in clients if r.last_reminded_at), default=None)
        currencies.append(CurrencyAging(currency=currency, clients=clients, total=total))
    return AgingReport(organization_id=organization["id"], as_of=as_of, currencies=currencies)


_BUCKETS = ("not_due", "days_1_30", "days_31_60", "days_61_90", "over_90", "total")


def _aging_row(client_id: str | None, name: str, count: int, amounts: list[Decimal]) -> AgingRow:
    return AgingRow(client_id=client_id, client=name, documents=count, **dict(zip(_BUCKETS, amounts, strict=True)))


async def aging_report(call: Call) -> Response:
    def work(conn: sa.Connection, organization: dict[str, Any]) -> AgingReport:
        today = organization_today(organization.get("timezone"), now())
        return _aging(conn, organization, _day(call, "date", today))

    return await _run(call, work)


# ---------------------------------------------------------------- client statement


def _statement(conn: sa.Connection, organization: dict[str, Any], client_id: str, start: date, end: date) -> Statement:
    organization_id, timezone = organization["id"], organization.get("timezone")
    client = conn.execute(
        sa.select(_C.c.name).where(
            _C.c.organization_id == organization_id, _C.c.id == client_id, _C.c.is_deleted == sa.false()
        )
    ).scalar()
    if client is None:
        raise not_found("Client", client_id)
    documents = conn.execute(
        sa.select(
            _D.c.id,
            _D.c.type,
            _D.c.number,
            _D.c.date,
            _D.c.currency,
            SALES_SIGN.label("sign"),
            (SALES_SIGN * _D.c.total_with_tax_minor).label("amount"),
        ).where(
            _live(organization_id),
            _D.c.client_id == client_id,
            _D.c.status == "issued",
            _D.c.type.in_(_SALES),
            _D.c.date < datetime(end.year, end.month, end.day) + timedelta(days=2),  # a day's last instant, any zone
        )
    ).all()
    currency_of = {row.id: (row.currency, row.number, int(row.sign)) for row in documents}
    payments = (
        conn.execute(
            sa.select(_P.c.id, _P.c.document_id, _P.c.date, _P.c.amount_minor).where(
                _P.c.document_id.in_(list(currency_of)), _P.c.is_deleted == sa.false()
            )
        ).all()
        if currency_of
        else []
    )
    rank = {"invoice": 0, "advance": 0, "credit-note": 1}
    entries = [
        StatementEntry(
            local_day(r.date, timezone), rank[r.type], r.type, r.number, r.id, r.currency, int(r.amount), r.date, r.id
        )
        for r in documents
    ]
    for payment in payments:
        currency, number, sign = currency_of[payment.document_id]
        # Money received lowers what the client owes; a payment on a credit note is money paid back: it raises it.
        paid = -sign * int(payment.amount_minor or 0)
        day = local_day(payment.date, timezone)
        entries.append(
            StatementEntry(day, 2, "payment", number, payment.document_id, currency, paid, payment.date, payment.id)
        )
    return build_statement(entries, organization_id, client_id, client, start, end)


async def statement_report(call: Call) -> Response:
    def work(conn: sa.Connection, organization: dict[str, Any]) -> Statement:
        client_id = call.query("clientId")
        if not client_id or len(client_id) > 64:
            raise invalid(_MODEL, "clientId", "is required: the id of the client")
        return _statement(conn, organization, client_id, *_period(call, organization))

    return await _run(call, work)


# ---------------------------------------------------------------- v1 statistics

_DISTS = ("day", "week", "month", "year")


def _bucket(day: date, dist: str) -> str:
    if dist == "day":
        return day.isoformat()
    if dist == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}" if dist == "month" else str(day.year)


def _dist(call: Call) -> str:
    dist = (call.query("dist") or "month").strip().lower()
    if dist not in _DISTS:
        raise invalid(_MODEL, "dist", f"must be one of {', '.join(_DISTS)}")
    return dist


def _stats(rows: dict[tuple[str, str, str], list[int]], fields: tuple[str, ...]) -> TotalStats:
    """Buckets (period, type, currency) → [count, *minor amounts] as the v1 shape, with a total per currency."""
    stats: list[TotalStat] = []
    totals: dict[str, list[int]] = {}
    for (period, kind, currency), (count, *amounts) in sorted(rows.items()):
        values = {name: from_minor(value, currency) for name, value in zip(fields, amounts, strict=True)}
        stats.append(TotalStat(date=period or None, type=kind or None, currency_id=currency, count=count, **values))
        summed = totals.setdefault(currency, [0] * (len(amounts) + 1))
        for i, value in enumerate((count, *amounts)):
            summed[i] += value
    total = [
        TotalStat(
            currency_id=currency,
            count=count,
            **{name: from_minor(value, currency) for name, value in zip(fields, amounts, strict=True)},
        )
        for currency, (count, *amounts) in sorted(totals.items())
    ]
    return TotalStats(stats=stats, total=total)


def _document_stats(
    conn: sa.Connection, organization: dict[str, Any], types: tuple[str, ...], start: date, end: date, dist: str | None
) -> TotalStats:
    """Issued documents of ``types`` dated in the period (drafts, canceled and deleted ones do not count), per
    period of ``dist`` and currency, with a total per currency; with ``dist`` None per type, the total then being
    sales (invoices and advances minus credit notes, no estimates). From the covering index of sales."""
    query = sa.select(
        _SD.c.day,
        _SD.c.type,
        _SD.c.currency,
        _SD.c.sign,
        _SD.c.documents,
        _SD.c.total_minor,
        _SD.c.total_with_tax_minor,
    ).where(
        _SD.c.organization_id == organization["id"],
        _SD.c.status == "issued",
        _SD.c.type.in_(types),
        _SD.c.day >= start,
        _SD.c.day <= end,
    )
    rows: dict[tuple[str, str, str], list[int]] = {}
    sales: dict[tuple[str, str, str], list[int]] = {}  # per type: the total is sales (credit notes against them)
    for day, kind, currency, sign, count, total, gross in conn.execute(query):
        key = (_bucket(day, dist), "", currency) if dist else ("", kind, currency)
        entry = rows.setdefault(key, [0, 0, 0])
        entry[0] += count
        entry[1] += int(total)
        entry[2] += int(gross)
        if dist is None and kind != "estimate":
            summed = sales.setdefault(("", "", currency), [0, 0, 0])
            summed[0] += count
            summed[1] += sign * int(total)
            summed[2] += sign * int(gross)
    stats = _stats(rows, ("total", "total_with_tax"))
    if dist is None:  # per type: a total that adds estimates to invoices would mean nothing
        stats.total = _stats(sales, ("total", "total_with_tax")).stats
    return stats


def _types(call: Call) -> tuple[str, ...]:
    kind = (call.query("type") or "invoice").strip()
    if kind not in ("invoice", "advance", "credit-note", "estimate"):
        raise invalid(_MODEL, "type", "must be invoice, advance, credit-note or estimate")
    return (kind,)


async def document_total_stats(call: Call) -> Response:
    def work(conn: sa.Connection, organization: dict[str, Any]) -> TotalStats:
        start, end = _period(call, organization)
        return _document_stats(conn, organization, _types(call), start, end, _dist(call))

    return await _run(call, work)


async def payment_total_stats(call: Call) -> Response:
    def work(conn: sa.Connection, organization: dict[str, Any]) -> TotalStats:
        start, end = _period(call, organization)
        dist = _dist(call)
        zone = organization.get("timezone")
        # A payment's day is found in Python (payments have no day flag): the range is widened by a day each side.
        # Money paid back on a credit note counts against what was received (the sign of the credit note).
        low, high = datetime.combine(start, datetime.min.time()), datetime.combine(end, datetime.min.time())
        query = (
            sa.select(_P.c.date, _D.c.currency, SALES_SIGN * _P.c.amount_minor)
            .join(_D, _D.c.id == _P.c.document_id)
            .where(
                _P.c.organization_id == organization["id"],
                _P.c.is_deleted == sa.false(),
                _D.c.is_deleted == sa.false(),
                _P.c.date >= low - timedelta(days=1),
                _P.c.date < high + timedelta(days=2),
            )
        )
        rows: dict[tuple[str, str, str], list[int]] = {}
        for when, currency, amount in conn.execute(query):
            day = local_day(when, zone)
            if not start <= day <= end:
                continue
            entry = rows.setdefault((_bucket(day, dist), "", currency), [0, 0])
            entry[0] += 1
            entry[1] += int(amount or 0)
        return _stats(rows, ("amount",))

    return await _run(call, work)


async def organization_stats(call: Call) -> Response:
    """This year so far (the organization's days), per document type and currency; the total is sales."""

    def work(conn: sa.Connection, organization: dict[str, Any]) -> TotalStats:
        today = organization_today(organization.get("timezone"), now())
        types = ("invoice", "advance", "credit-note", "estimate")
        return _document_stats(conn, organization, types, today.replace(month=1, day=1), today, None)

    return await _run(call, work)


def routes() -> list[Route]:
    return [
        Route("GET", "/organizations/{id}/stats", organization_stats),
        Route("GET", "/organizations/{id}/document-total-stats", document_total_stats),
        Route("GET", "/organizations/{id}/payment-total-stats", payment_total_stats),
        Route("GET", "/organizations/{id}/reports/vat", vat_report),
        Route("GET", "/organizations/{id}/reports/aging", aging_report),
        Route("GET", "/organizations/{id}/reports/statement", statement_report),
    ]
