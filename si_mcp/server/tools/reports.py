"""``report``: answers about the books (sales, VAT owed, who owes what, a client's statement) from SQL aggregates.

One tool with a ``kind``; its text is a compact table per currency (amounts are never added across currencies).
"""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from .. import lookup
from ..errors import api_call
from ..state import Ctx, books_of, state_of
from ..text import clean, money, percent
from ..views import org_ref
from ._common import OrgArg, ToolSpec, result, today

if TYPE_CHECKING:
    from si_mcp.models.report import AgingReport, AgingRow, Statement, VatReport

__all__ = ["TOOLS"]

Kind = Literal["sales", "vat", "aging", "statement"]
_TYPES = {"invoice": "Invoices", "advance": "Advance invoices", "credit-note": "Credit notes"}
_VAT_NAMES = {"": "No VAT", "S": "Standard"}
_MAX_ROWS = 30  # rows per table in a result; the rest are summed into one row or counted
_AGING_KEYS = ("not_due", "days_1_30", "days_31_60", "days_61_90", "over_90", "total")


class ReportRow(BaseModel):
    label: str
    amounts: list[str]  # in the order of columns, exact decimals in the table's currency


class ReportTable(BaseModel):
    currency: str
    columns: list[str]
    rows: list[ReportRow]  # the last one is the total, where the report has one


class ReportResult(BaseModel):
    organization: str
    kind: Kind
    period: str
    tables: list[ReportTable]
    note: str | None = None  # what was left out, and why


def _sales(report: "VatReport", kind: Kind) -> list[ReportTable]:
    tables = []
    for entry in report.currencies:
        c = entry.currency
        if kind == "sales":
            rows = [
                ReportRow(
                    label=f"{_TYPES.get(t.type, t.type)} ({t.count})",
                    amounts=[money(v, c) for v in (t.net, t.tax, t.gross)],
                )
                for t in entry.by_type
            ]
            rows.append(ReportRow(label="Total", amounts=[money(v, c) for v in (entry.net, entry.tax, entry.gross)]))
            tables.append(ReportTable(currency=c, columns=["net", "VAT", "gross"], rows=rows))
        else:
            rows = [
                ReportRow(
                    label=f"{_VAT_NAMES.get(g.category, g.category)} {percent(g.rate)}%"
                    + (" (reverse charge: the customer pays the VAT)" if g.reverse_charged else ""),
                    amounts=[money(g.base, c), money(g.tax, c)],
                )
                for g in entry.vat
            ]
            # The net sales (a line with two taxes is the base of both groups) and the VAT charged (reverse-charged
            # VAT is the customer's to pay).
            owed = sum((g.tax for g in entry.vat if not g.reverse_charged), Decimal(0))
            rows.append(
                ReportRow(label="Total (net sales, VAT charged)", amounts=[money(entry.net, c), money(owed, c)])
            )
            tables.append(ReportTable(currency=c, columns=["base", "VAT"], rows=rows))
    return tables


def _aging(report: "AgingReport", zone: str | None) -> list[ReportTable]:
    from si_mcp.models.ledger import local_day

    columns = ["not due", "1-30 days", "31-60", "61-90", "over 90", "total"]
    tables = []
    for entry in report.currencies:
        rows = []
        shown = entry.clients[:_MAX_ROWS]
        if len(entry.clients) > len(shown):
            others = entry.clients[len(shown) :]
            summed = [sum((getattr(r, key) for r in others), Decimal(0)) for key in _AGING_KEYS]
            shown = [*shown, _others(f"{len(others)} more clients", sum(r.documents for r in others), summed)]
        for row in [*shown, entry.total]:
            last = row.last_reminded_at
            nudged = f"; reminded {row.reminders}x, last {local_day(last, zone)}" if row.reminders and last else ""
            label = "Total" if row is entry.total else f"{row.client} ({row.documents}{nudged})"
            amounts = [money(getattr(row, key), entry.currency) for key in _AGING_KEYS]
            rows.append(ReportRow(label=label, amounts=amounts))
        tables.append(ReportTable(currency=entry.currency, columns=columns, rows=rows))
    return tables


def _others(label: str, documents: int, values: list[Decimal]) -> "AgingRow":
    from si_mcp.models.report import AgingRow

    return AgingRow(client=label, documents=documents, **dict(zip(_AGING_KEYS, values, strict=True)))


def _statement(report: "Statement") -> list[ReportTable]:
    tables = []
    for entry in report.currencies:
        c = entry.currency
        rows = [ReportRow(label=f"Owed on {report.date_from}", amounts=["", money(entry.opening, c)])]
        if len(entry.lines) > _MAX_ROWS:
            rows.append(ReportRow(label=f"({len(entry.lines) - _MAX_ROWS} earlier lines not shown)", amounts=["", ""]))
        for line in entry.lines[-_MAX_ROWS:]:
            what = f"{line.date} {_TYPES.get(line.kind, line.kind).rstrip('s').lower()} {line.number or ''}".strip()
            if line.kind == "payment":
                what = f"{line.date} payment on {line.number or line.document_id}"
            rows.append(ReportRow(label=what, amounts=[money(line.amount, c), money(line.balance, c)]))
        rows.append(ReportRow(label=f"Owed on {report.date_to}", amounts=["", money(entry.closing, c)]))
        tables.append(ReportTable(currency=c, columns=["amount", "balance"], rows=rows))
    return tables


def _markdown(table: ReportTable) -> str:
    head = f"| {table.currency} | " + " | ".join(table.columns) + " |"
    rule = "|---|" + "---:|" * len(table.columns)
    body = [
        f"| {clean(row.label, 80).replace('|', '/')} | "
        + " | ".join(f"{Decimal(a):,}" if a else "" for a in row.amounts)
        + " |"
        for row in table.rows
    ]
    return "\n".join([head, rule, *body])


async def report(
    ctx: Ctx,
    kind: Annotated[
        Kind,
        Field(
            description="sales: invoiced minus credited; vat: base and VAT per category and rate; "
            "aging: what clients owe by days overdue; statement: one client's documents and payments."
        ),
    ],
    organization: OrgArg = None,
    date_from: Annotated[dt.date | None, Field(description="First day; default: the month of date_to.")] = None,
    date_to: Annotated[
        dt.date | None, Field(description="Last day (aging: the day to age today's amounts due on); default today.")
    ] = None,
    client: Annotated[str | None, Field(description="statement: client name, email or id.", max_length=300)] = None,
) -> Annotated[CallToolResult, ReportResult]:
    """Reports on the books, per currency: sales, VAT, receivables aging or a client statement."""
    books = await books_of(ctx)
    org = await lookup.organization(books, organization, default=state_of(ctx).settings.organization_id)
    end = date_to or today(org)
    start = date_from or end.replace(day=1)
    if start > end and kind != "aging":
        raise ToolError(f"date_from {start} is after date_to {end}; swap them.")
    note = None
    with api_call(f"make the {kind} report"):
        if kind in ("sales", "vat"):
            sales = await books.api.reports.vat(org.id, start, end)
            tables, period = _sales(sales, kind), f"{start} to {end}"
            left = sales.excluded
            note = (
                f"Not counted: {left.estimates} estimate(s), {left.drafts} draft(s), {left.canceled} canceled. "
                "Credit notes are subtracted."
            )
        elif kind == "aging":
            aged = await books.api.reports.aging(org.id, end)
            tables, period = _aging(aged, org.timezone), f"as of {end}"
        else:
            if not client:
                raise ToolError("A statement is for one client: pass client (name, email or id).")
            found, near = await lookup.find_client(books, org, client)
            if found is None:
                hint = ", ".join(f"'{clean(c.name, 60)}'" for c in near)
                raise ToolError(f"No client '{clean(client)}'." + (f" Did you mean {hint}?" if hint else ""))
            statement = await books.api.reports.statement(org.id, found.id, start, end)
            tables, period = _statement(statement), f"{clean(found.name, 60)}, {start} to {end}"
    data = ReportResult(organization=org_ref(org), kind=kind, period=period, tables=tables, note=note)
    title = {"sales": "Sales", "vat": "VAT", "aging": "Receivables aging", "statement": "Statement"}[kind]
    body = "\n\n".join(_markdown(table) for table in tables) or "Nothing in this period."
    text = f"{title} of {clean(org.name)}, {period} (amounts in each table's currency):\n{body}"
    return result(text + (f"\n{note}" if note else ""), data)


TOOLS = [ToolSpec(report, "Report", read_only=True, idempotent=True)]
