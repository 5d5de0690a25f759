"""Reports on the books (embedded API extension ``/organizations/{id}/reports/…``): VAT and sales, receivables
aging, client statement. Amounts per currency, never added across currencies.

Signs: invoices and advance invoices count as sales; a credit note counts against them (whichever sign its lines
carry); estimates, drafts and canceled documents are not sales and are only counted in ``excluded``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from ._base import Timestamp, WireModel

__all__ = [
    "AgingReport",
    "AgingRow",
    "CurrencyAging",
    "CurrencySales",
    "CurrencyStatement",
    "Excluded",
    "SalesByType",
    "Statement",
    "StatementLine",
    "TotalStat",
    "TotalStats",
    "VatGroup",
    "VatReport",
]


class VatGroup(WireModel):
    category: str
    """EN 16931 VAT category (S, Z, E, AE, K, G, O); "" for lines without any tax."""
    rate: Decimal
    reverse_charged: bool = False
    base: Decimal
    tax: Decimal


class SalesByType(WireModel):
    type: str
    count: int
    net: Decimal
    tax: Decimal
    gross: Decimal


class CurrencySales(WireModel):
    currency: str
    net: Decimal
    tax: Decimal
    gross: Decimal
    by_type: list[SalesByType]
    vat: list[VatGroup]


class Excluded(WireModel):
    """Documents of the period that are not sales."""

    estimates: int = 0
    drafts: int = 0
    canceled: int = 0


class VatReport(WireModel):
    """Sales and VAT of documents dated in [date_from, date_to] (the organization's calendar days)."""

    organization_id: str
    date_from: date
    date_to: date
    currencies: list[CurrencySales]
    excluded: Excluded


class AgingRow(WireModel):
    client_id: str | None = None
    client: str
    documents: int
    not_due: Decimal
    days_1_30: Decimal = Field(alias="days1to30")
    days_31_60: Decimal = Field(alias="days31to60")
    days_61_90: Decimal = Field(alias="days61to90")
    over_90: Decimal = Field(alias="over90")
    total: Decimal
    reminders: int = 0
    """Payment reminders sent for these documents."""
    last_reminded_at: Timestamp | None = None


class CurrencyAging(WireModel):
    currency: str
    clients: list[AgingRow]
    total: AgingRow


class AgingReport(WireModel):
    """What issued invoices and advances have due now, by how many days past their due date they are on ``as_of``
    (documents issued after it left out). Not a balance of the past: payments are those recorded so far."""

    organization_id: str
    as_of: date
    currencies: list[CurrencyAging]


class StatementLine(WireModel):
    date: date
    kind: str
    """invoice, advance, credit-note or payment"""
    number: str | None = None
    document_id: str
    amount: Decimal
    """what it adds to what the client owes: + invoiced, − credited or paid (a refund paid back is +)"""
    balance: Decimal


class CurrencyStatement(WireModel):
    currency: str
    opening: Decimal
    lines: list[StatementLine]
    closing: Decimal


class Statement(WireModel):
    organization_id: str
    client_id: str
    client: str
    date_from: date
    date_to: date
    currencies: list[CurrencyStatement]


class TotalStat(WireModel):
    """One bucket of a v1 statistics answer, per currency (amounts are never added across currencies)."""

    date: str | None = None
    """The period: ``2026-11-03`` (dist=day), ``2026-W45`` (week, ISO), ``2026-11`` (month), ``2026`` (year); none
    in ``total``."""
    type: str | None = None
    currency_id: str
    count: int
    total: Decimal | None = None
    total_with_tax: Decimal | None = None
    amount: Decimal | None = None
    """Payments: the amount received (refunds negative)."""


class TotalStats(WireModel):
    """``GET /organizations/{id}/document-total-stats``, ``/payment-total-stats`` and ``/stats``: v1's loosely
    documented ``{stats: [...], total: [...]}`` (the fields inside are this API's; Space Invoices documents none)."""

    stats: list[TotalStat]
    total: list[TotalStat]
