"""What the books count, as pure functions over wire-shaped documents (no I/O).

The embedded API stores the results in SQL columns and sums them there; the client applies the same functions
to documents it listed when the Space Invoices API has no report routes. One definition, two places.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .money import from_minor, to_minor
from .report import (
    AgingReport,
    AgingRow,
    CurrencyAging,
    CurrencySales,
    CurrencyStatement,
    Excluded,
    SalesByType,
    Statement,
    StatementLine,
    VatGroup,
    VatReport,
)

__all__ = [
    "SALES",
    "TaxGroup",
    "StatementEntry",
    "aging_from_documents",
    "build_statement",
    "document_status",
    "local_day",
    "organization_today",
    "rate_from_e4",
    "sales_sign",
    "statement_from_documents",
    "tax_groups",
    "vat_from_documents",
]

SALES = ("invoice", "advance", "credit-note")
AGING_BUCKETS = ("not_due", "days_1_30", "days_31_60", "days_61_90", "over_90", "total")


class TaxGroup(NamedTuple):
    """One VAT group of a document (or the net of its lines without tax: category "") in minor units."""

    rate_e4: int
    category: str
    reverse_charged: bool
    base_minor: int
    tax_minor: int


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


def local_day(value: datetime, timezone: str | None) -> date:
    """The calendar day ``value`` falls on where the organization is (UTC when unknown; naive means UTC).

    Midnight UTC exactly is how a date without a time arrives ("2025-01-01", and the MCP tools' dates): it names
    that calendar day, wherever the organization is.
    """
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    utc = aware.astimezone(UTC)
    if (utc.hour, utc.minute, utc.second, utc.microsecond) == (0, 0, 0, 0):
        return utc.date()
    return organization_today(timezone, aware)


def organization_today(timezone: str | None, clock: datetime) -> date:
    """The organization's calendar day at the instant ``clock`` (UTC when its timezone is unknown). Unlike
    :func:`local_day`, midnight UTC is an instant here: the clock never names a bare day."""
    aware = clock if clock.tzinfo is not None else clock.replace(tzinfo=UTC)
    try:
        zone: Any = ZoneInfo(timezone) if timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return aware.astimezone(zone).date()


def document_status(obj: Mapping[str, Any]) -> str:
    """draft, issued or canceled: what the ledger counts (issued only) and what it reports apart."""
    return "canceled" if obj.get("canceled") else "draft" if obj.get("draft") else "issued"


def sales_sign(obj: Mapping[str, Any]) -> int:
    """-1 for a credit note (money given back, whichever sign its lines carry), else 1."""
    currency = str(obj.get("currencyId") or "EUR")
    return -1 if obj.get("type") == "credit-note" and to_minor(_decimal(obj.get("totalWithTax")), currency) >= 0 else 1


def tax_groups(obj: Mapping[str, Any]) -> list[TaxGroup]:
    """A document's VAT groups (its _documentTaxes and _documentReverseTaxes), plus one for the net of its lines
    without tax, so that the bases add up to the net total (a 6,000 EUR untaxed line does not vanish)."""
    currency = str(obj.get("currencyId") or "EUR")
    groups: list[TaxGroup] = []
    for reverse, key in ((False, "_documentTaxes"), (True, "_documentReverseTaxes")):
        for group in obj.get(key) or []:
            groups.append(
                TaxGroup(
                    int(_decimal(group.get("tax")).scaleb(4)),
                    str(group.get("category") or "S"),
                    reverse,
                    to_minor(_decimal(group.get("base")), currency),
                    to_minor(_decimal(group.get("totalTax")), currency),
                )
            )
    items = [item for item in obj.get("_documentItems") or [] if not item.get("isSeparator")]
    if all(len(item.get("_documentItemTaxes") or []) <= 1 for item in items):
        untaxed = to_minor(_decimal(obj.get("total")), currency) - sum(group.base_minor for group in groups)
    else:  # a line with two taxes is in two groups: count the untaxed lines themselves
        nets = (_decimal(item.get("total")) for item in items if not item.get("_documentItemTaxes"))
        untaxed = to_minor(sum(nets, Decimal(0)), currency)
    if untaxed:
        groups.append(TaxGroup(0, "", False, untaxed, 0))
    return groups


def rate_from_e4(rate_e4: int) -> Decimal:
    """A stored rate (1/10,000 %) as the percent it names: 210000 → 21, 99750 → 9.975."""
    value = Decimal(rate_e4).scaleb(-4).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _when(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def vat_from_documents(
    documents: Iterable[Mapping[str, Any]], organization_id: str, start: date, end: date, timezone: str | None
) -> VatReport:
    """The VAT report of the period from wire documents, exactly as the embedded API sums its ledger: invoices and
    advances, minus credit notes; estimates, drafts and canceled documents only counted apart."""
    sales: dict[tuple[str, str], list[Any]] = {}
    vat: dict[tuple[str, str, int, bool], list[int]] = {}
    excluded = Excluded()
    for obj in documents:
        when = _when(obj.get("date"))
        if obj.get("_isDeleted") or when is None or not start <= local_day(when, timezone) <= end:
            continue
        status, kind = document_status(obj), str(obj.get("type") or "invoice")
        if status == "draft":
            excluded.drafts += 1
        elif status == "canceled":
            excluded.canceled += 1
        elif kind == "estimate":
            excluded.estimates += 1
        if status != "issued" or kind not in SALES:
            continue
        currency, sign = str(obj.get("currencyId") or "EUR"), sales_sign(obj)
        entry = sales.setdefault((currency, kind), [0, 0, 0])
        entry[0] += 1
        entry[1] += sign * to_minor(_decimal(obj.get("total")), currency)
        entry[2] += sign * to_minor(_decimal(obj.get("totalWithTax")), currency)
        for group in tax_groups(obj):
            summed = vat.setdefault((currency, group.category, group.rate_e4, group.reverse_charged), [0, 0])
            summed[0] += sign * group.base_minor
            summed[1] += sign * group.tax_minor
    by_currency: dict[str, CurrencySales] = {}
    for (currency, kind), (count, net, gross) in sorted(sales.items()):
        entry_ = by_currency.setdefault(
            currency, CurrencySales(currency=currency, net=0, tax=0, gross=0, by_type=[], vat=[])
        )
        net_amount, gross_amount = from_minor(net, currency), from_minor(gross, currency)
        entry_.by_type.append(
            SalesByType(type=kind, count=count, net=net_amount, tax=gross_amount - net_amount, gross=gross_amount)
        )
        entry_.net, entry_.gross = entry_.net + net_amount, entry_.gross + gross_amount
        entry_.tax = entry_.gross - entry_.net
    for (currency, category, rate_e4, reverse), (base, tax) in sorted(vat.items()):
        by_currency[currency].vat.append(
            VatGroup(
                category=category,
                rate=rate_from_e4(rate_e4),
                reverse_charged=reverse,
                base=from_minor(base, currency),
                tax=from_minor(tax, currency),
            )
        )
    return VatReport(
        organization_id=organization_id,
        date_from=start,
        date_to=end,
        currencies=list(by_currency.values()),
        excluded=excluded,
    )


def aging_from_documents(
    documents: Iterable[Mapping[str, Any]],
    organization_id: str,
    as_of: date,
    timezone: str | None,
    names: Mapping[str, str] | None = None,
) -> AgingReport:
    """Receivables aging from wire documents, as the embedded API computes it: issued invoices and advances with
    something due, dated by ``as_of``, per client and days past due; ``names`` are the clients' current names (a
    document's copy of its client is the fallback)."""
    rows: dict[tuple[str, str | None], AgingRow] = {}
    for obj in documents:
        when, due = _when(obj.get("date")), _when(obj.get("dateDue"))
        if obj.get("_isDeleted") or document_status(obj) != "issued" or obj.get("type") not in ("invoice", "advance"):
            continue
        currency = str(obj.get("currencyId") or "EUR")
        amount = to_minor(_decimal(obj.get("totalDue")), currency)
        if amount <= 0 or when is None or local_day(when, timezone) > as_of:
            continue
        late = (as_of - local_day(due, timezone)).days if due is not None else 0
        bucket = 0 if late <= 0 else 1 if late <= 30 else 2 if late <= 60 else 3 if late <= 90 else 4
        client = obj.get("_documentClient") or {}
        key = (currency, obj.get("clientId"))
        row = rows.setdefault(
            key,
            AgingRow(
                client_id=obj.get("clientId"),
                client=(names or {}).get(str(obj.get("clientId")), "") or str(client.get("name") or "(no name)"),
                documents=0,
                not_due=0,
                days_1_30=0,
                days_31_60=0,
                days_61_90=0,
                over_90=0,
                total=0,
            ),
        )
        value = from_minor(amount, currency)
        row.documents += 1
        setattr(row, AGING_BUCKETS[bucket], getattr(row, AGING_BUCKETS[bucket]) + value)
        row.total += value
        row.reminders += int(obj.get("reminders") or 0)
        reminded = _when(obj.get("remindedAt"))
        if reminded is not None and (row.last_reminded_at is None or reminded > row.last_reminded_at):
            row.last_reminded_at = reminded
    currencies = []
    for currency in sorted({currency for currency, _ in rows}):
        clients = sorted((r for (c, _), r in rows.items() if c == currency), key=lambda r: (-r.total, r.client))
        totals = {key: sum((getattr(r, key) for r in clients), Decimal(0)) for key in AGING_BUCKETS}
        total = AgingRow(client="all clients", documents=sum(r.documents for r in clients), **totals)
        total.reminders = sum(r.reminders for r in clients)
        total.last_reminded_at = max((r.last_reminded_at for r in clients if r.last_reminded_at), default=None)
        currencies.append(CurrencyAging(currency=currency, clients=clients, total=total))
    return AgingReport(organization_id=organization_id, as_of=as_of, currencies=currencies)


class StatementEntry(NamedTuple):
    """One line of a client statement before its running balance, in minor units (+ owed, - credited or paid)."""

    day: date
    rank: int  # on one day: invoices, then credit notes, then payments
    kind: str
    number: str | None
    document_id: str
    currency: str
    units: int
    at: datetime  # the instant, then the id: same-day lines in one order whatever the source
    entry_id: str


_RANK = {"invoice": 0, "advance": 0, "credit-note": 1}


def build_statement(
    entries: Iterable[StatementEntry],
    organization_id: str,
    client_id: str,
    client: str,
    start: date,
    end: date,
) -> Statement:
    """A client's statement: what came before ``start`` as the opening balance, then each line of the period with
    the running balance, per currency."""
    by_currency: dict[str, CurrencyStatement] = {}

    def order(e: StatementEntry) -> tuple[Any, ...]:
        at = e.at if e.at.tzinfo is not None else e.at.replace(tzinfo=UTC)
        return (e.day, e.rank, e.number or "", e.document_id, at, e.entry_id)

    for entry in sorted(entries, key=order):
        if entry.day > end:
            continue
        statement = by_currency.setdefault(
            entry.currency, CurrencyStatement(currency=entry.currency, opening=0, lines=[], closing=0)
        )
        amount = from_minor(entry.units, entry.currency)
        if entry.day < start:
            statement.opening += amount
            statement.closing = statement.opening
            continue
        statement.closing += amount
        statement.lines.append(
            StatementLine(
                date=entry.day,
                kind=entry.kind,
                number=entry.number,
                document_id=entry.document_id,
                amount=amount,
                balance=statement.closing,
            )
        )
    return Statement(
        organization_id=organization_id,
        client_id=client_id,
        client=client,
        date_from=start,
        date_to=end,
        currencies=sorted(by_currency.values(), key=lambda e: e.currency),
    )


def statement_from_documents(
    documents: Iterable[Mapping[str, Any]],
    payments: Iterable[Mapping[str, Any]],
    organization_id: str,
    client_id: str,
    client: str,
    start: date,
    end: date,
    timezone: str | None,
) -> Statement:
    """The statement from wire documents of the client and their payments, as the embedded API computes it: issued
    invoices, advances and credit notes (against), money received (against), money paid back on a credit note."""
    entries: list[StatementEntry] = []
    signs: dict[str, tuple[str, str | None, int]] = {}
    for obj in documents:
        when, kind = _when(obj.get("date")), str(obj.get("type") or "invoice")
        if obj.get("_isDeleted") or document_status(obj) != "issued" or kind not in SALES or when is None:
            continue
        if obj.get("clientId") != client_id:
            continue
        currency, sign = str(obj.get("currencyId") or "EUR"), sales_sign(obj)
        document_id, number = str(obj["id"]), obj.get("number")
        signs[document_id] = (currency, number, sign)
        gross = to_minor(_decimal(obj.get("totalWithTax")), currency)
        day = local_day(when, timezone)
        entries.append(
            StatementEntry(day, _RANK[kind], kind, number, document_id, currency, sign * gross, when, document_id)
        )
    for payment in payments:
        document_id, when = str(payment.get("documentId")), _when(payment.get("date"))
        if payment.get("_isDeleted") or document_id not in signs or when is None:
            continue
        currency, number, sign = signs[document_id]
        paid = -sign * to_minor(_decimal(payment.get("amount")), currency)
        day = local_day(when, timezone)
        entries.append(
            StatementEntry(day, 2, "payment", number, document_id, currency, paid, when, str(payment.get("id") or ""))
        )
    return build_statement(entries, organization_id, client_id, client, start, end)
