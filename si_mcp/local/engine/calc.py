"""Invoice arithmetic: pure functions over ``Decimal``, no I/O.

Policy (one calculation path for every view, PDF and report; render from the stored results):

1. **Inputs are cut, not rounded** (Space Invoices §10): ``price``, ``priceGross``, ``quantity`` and an
   amount ``discount`` are truncated toward zero to the document's ``decimalPlaces`` (the spec
   says 4 by default; the live API, and so :mod:`.autofill`, stores 9 when a document does not say);
   a discount percent to 2 decimals, a tax rate to 4 (Space Invoices cuts rates to 2, which turns a 9.975 % tax
   into 9.97 % and understates it; EN 16931 allows more decimals).
2. **Money is rounded half-up** (``ROUND_HALF_UP``, away from zero for negatives) to the currency's
   minor unit (ISO 4217 via babel: EUR 2, JPY 0, BHD 3). Never ``round()`` and never float.
3. **Line net** = round(price × quantity × (1 − discount%)), or round(price × quantity − discount amount)
   for an amount discount (per line). ``totalDiscount`` of a line = round(price × quantity) − line net.
   Rounding the discounted product once (not gross and discount separately) gives the result users
   expect: 5 × 5.75 − 18 % = 23.58 (Odoo PR #179603).
4. **VAT per rate group on the sum of rounded line nets** (EN 16931 BR-CO-10/BR-CO-17): for each
   (taxId, rate) group, base = Σ line nets, tax = round(base × rate / 100). The document's total tax is
   the sum of the group taxes and ``totalWithTax = total + total tax`` exactly (BR-CO-14/15). Each line
   also carries its own rounded tax for display; the lines' ``totalWithTax`` may therefore differ from
   the document's by a cent, and the document's numbers win.
5. **Compound taxes** apply on top of the line net plus that line's non-compound taxes (line-rounded);
   their group base is the sum of those amounts.
6. **Reverse-charged taxes** are not added to any total; they are reported in ``reverse_taxes`` with
   their base and the tax the customer self-assesses.
7. **Gross prices**: when only ``priceGross`` is given, price = priceGross ÷ (1 + Σ non-compound rates)
   ÷ (1 + Σ compound rates), rounded half-up to ``decimalPlaces``. A line priced gross with one simple tax
   keeps the gross amount the customer was quoted. A VAT group made only of such lines has VAT = round(Σ gross ×
   rate ÷ (100 + rate)) and net = Σ gross − VAT; line nets are rounded from their gross and then moved by a minor
   unit where needed to add up to that net, line VAT = line gross − line net. The document totals exactly what was
   quoted (11.90 + 2.80 at 21 % is 14.70, not 14.69), and the VAT stays within half a unit of base × rate
   (EN 16931 BR-CO-17).
8. **Payments and credits**: ``totalPaid`` = Σ payments (rounded to the currency), ``totalDue`` =
   totalWithTax − totalCredited − totalPaid (negative when overpaid: money owed back), ``paidInFull`` when
   something is owed and payments plus credits cover it. ``totalCredited`` is what credit notes settle: on
   an invoice the credit notes that correct it, on a credit note what it credits to its invoices (with the
   credit note's own sign). The rule is sign-symmetric: a negative credit note is settled by refunds
   (negative payments) or by the invoices it corrects.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

from si_mcp.models.money import MAX_AMOUNT, currency_exponent, round_money

__all__ = [
    "DocumentTotals",
    "LineInput",
    "LineResult",
    "PaymentStatus",
    "TaxGroup",
    "TaxLine",
    "AmountTooLarge",
    "compute_document",
    "compute_line",
    "currency_exponent",
    "cut",
    "payment_status",
    "round_money",
]

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
# A document is computed in this context: exact far beyond what the books hold (inputs have at most 15 integer and
# 12 decimal digits, so a price times a quantity stays under 60 digits), and whatever still overflows is an error,
# never a silently rounded amount.
_CONTEXT = Context(
    prec=60, rounding=ROUND_HALF_EVEN, Emax=999, Emin=-999, traps=[InvalidOperation, DivisionByZero, Overflow]
)


class AmountTooLarge(ValueError):
    """An amount of the document (a line, a VAT group, a total) the books cannot hold: at least ``MAX_AMOUNT``."""


_PERCENT_PLACES = 2
# Tax rates keep 4 decimals: Quebec's QST is 9.975 %, and cutting it to 9.97 understates the tax.
_RATE_PLACES = 4


@dataclass(frozen=True)
class TaxLine:
    """One tax applied to a line."""

    rate: Decimal
    tax_id: str | None = None
    name: str = ""
    abbreviation: str = ""
    compound: bool = False
    reverse_charged: bool = False
    recoverable: bool = True
    category: str | None = None
    """EN 16931 VAT category (:mod:`si_mcp.models.vat`); lines of different categories never share a group."""
    exemption_reason: str | None = None


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    price: Decimal | None = None
    price_gross: Decimal | None = None
    discount: Decimal = _ZERO
    discount_is_amount: bool = False
    is_separator: bool = False
    taxes: tuple[TaxLine, ...] = ()


@dataclass(frozen=True)
class LineResult:
    price: Decimal
    quantity: Decimal
    total: Decimal
    total_discount: Decimal
    total_tax: Decimal
    total_with_tax: Decimal
    tax_amounts: tuple[Decimal, ...]
    """One amount per entry of ``LineInput.taxes``, in the same order (reverse charges included)."""
    gross: Decimal | None = None
    """The line's amount with VAT as the customer was quoted it, for a line priced gross with one simple tax."""


@dataclass(frozen=True)
class TaxGroup:
    rate: Decimal
    tax_id: str | None
    abbreviation: str
    base: Decimal
    total_tax: Decimal
    category: str | None = None
    exemption_reason: str | None = None


@dataclass(frozen=True)
class DocumentTotals:
    lines: tuple[LineResult, ...]
    total: Decimal
    total_discount: Decimal
    total_tax: Decimal
    total_with_tax: Decimal
    taxes: tuple[TaxGroup, ...]
    reverse_taxes: tuple[TaxGroup, ...]


@dataclass(frozen=True)
class PaymentStatus:
    total_paid: Decimal
    total_due: Decimal
    paid_in_full: bool


def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def cut(value: Decimal, places: int) -> Decimal:
    """Truncate toward zero to ``places`` decimals (Space Invoices' input cut-off)."""
    return value.quantize(_quantum(places), rounding=ROUND_DOWN)


def _net_price(line: LineInput, places: int) -> Decimal:
    if line.price is not None:
        return cut(line.price, places)
    if line.price_gross is None:
        return _ZERO
    simple = sum((cut(t.rate, _RATE_PLACES) for t in line.taxes if not t.compound and not t.reverse_charged), _ZERO)
    compound = [cut(t.rate, _RATE_PLACES) for t in line.taxes if t.compound and not t.reverse_charged]
    divisor = 1 + simple / _HUNDRED
    for rate in compound:
        divisor *= 1 + rate / _HUNDRED
    return (cut(line.price_gross, places) / divisor).quantize(_quantum(places), rounding=ROUND_HALF_UP)


def compute_line(line: LineInput, *, currency: str, decimal_places: int = 4) -> LineResult:
    """Net, discount and taxes of one line (see the module policy)."""
    if line.is_separator:
        zeros = tuple(_ZERO for _ in line.taxes)
        return LineResult(_ZERO, _ZERO, _ZERO, _ZERO, _ZERO, _ZERO, zeros)

    def money(value: Decimal) -> Decimal:
        return round_money(value, currency)

    quantity = cut(line.quantity, decimal_places)
    price = _net_price(line, decimal_places)
    raw = price * quantity
    if line.discount_is_amount:
        total = money(raw - cut(line.discount, decimal_places))
    else:
        total = money(raw * (_HUNDRED - cut(line.discount, _PERCENT_PLACES)) / _HUNDRED)
    total_discount = money(raw) - total

    amounts: list[Decimal] = [_ZERO] * len(line.taxes)
    simple_sum = _ZERO
    for i, tax in enumerate(line.taxes):
        if not tax.compound and not tax.reverse_charged:
            amounts[i] = money(total * cut(tax.rate, _RATE_PLACES) / _HUNDRED)
            simple_sum += amounts[i]
    compound_sum = _ZERO
    for i, tax in enumerate(line.taxes):
        rate = cut(tax.rate, _RATE_PLACES)
        if tax.compound and not tax.reverse_charged:
            amounts[i] = money((total + simple_sum) * rate / _HUNDRED)
            compound_sum += amounts[i]
        elif tax.reverse_charged:
            amounts[i] = money(total * rate / _HUNDRED)
    total_tax = simple_sum + compound_sum
    if _gross_priced(line):
        # Priced gross: the quoted amount with VAT is what counts; net is derived from it, VAT is the difference.
        [rate] = [cut(t.rate, _RATE_PLACES) for t in line.taxes]
        raw_gross = cut(line.price_gross or _ZERO, decimal_places) * quantity
        if line.discount_is_amount:
            gross = money(raw_gross - cut(line.discount, decimal_places))
        else:
            gross = money(raw_gross * (_HUNDRED - cut(line.discount, _PERCENT_PLACES)) / _HUNDRED)
        total = money(gross * _HUNDRED / (_HUNDRED + rate))
        total_discount = money(raw) - total if line.discount else _ZERO
        amounts = [gross - total]
        return LineResult(price, quantity, total, total_discount, gross - total, gross, tuple(amounts), gross)
    return LineResult(price, quantity, total, total_discount, total_tax, total + total_tax, tuple(amounts))


def _tax_key(tax: TaxLine) -> tuple[str | None, Decimal, bool, bool, str | None, str | None]:
    rate = cut(tax.rate, _RATE_PLACES)
    return (tax.tax_id, rate, tax.compound, tax.reverse_charged, tax.category, tax.exemption_reason)


def _settle_gross(lines: Sequence[LineInput], results: list[LineResult], currency: str) -> tuple[LineResult, ...]:
    """For each VAT group made only of lines priced gross: VAT = round(Σ gross × r ÷ (100 + r)), net = Σ gross − VAT,
    and the line nets (each rounded from its gross) moved by one minor unit at a time, largest lines first, until they
    add up to that net. So the document totals what was quoted and its VAT stays within half a unit of base × rate
    (EN 16931 BR-CO-17), however many lines there are."""
    members: dict[tuple[str | None, Decimal, bool, bool, str | None, str | None], list[int]] = {}
    mixed: set[tuple[str | None, Decimal, bool, bool, str | None, str | None]] = set()
    for i, line in enumerate(lines):
        if line.is_separator:
            continue
        for tax in line.taxes:
            key = _tax_key(tax)
            if results[i].gross is None:
                mixed.add(key)
            else:
                members.setdefault(key, []).append(i)
    unit = Decimal(1).scaleb(-currency_exponent(currency))
    for key, indices in members.items():
        if key in mixed:
            continue
        rate = key[1]
        gross = sum((results[i].gross or _ZERO for i in indices), _ZERO)
        vat = round_money(gross * rate / (_HUNDRED + rate), currency)
        gap = (gross - vat) - sum((results[i].total for i in indices), _ZERO)
        step = unit if gap > 0 else -unit
        order = sorted(indices, key=lambda i: (-abs(results[i].gross or _ZERO), i))
        n = 0
        while gap != 0 and order:
            i = order[n % len(order)]
            line_gross = results[i].gross or _ZERO
            total = results[i].total + step
            results[i] = dataclasses.replace(
                results[i], total=total, total_tax=line_gross - total, tax_amounts=(line_gross - total,)
            )
            gap -= step
            n += 1
    return tuple(results)


def _gross_priced(line: LineInput) -> bool:
    """A line given only a gross price, with one simple (not compound, not reverse-charged) tax."""
    return (
        line.price is None
        and line.price_gross is not None
        and len(line.taxes) == 1
        and not line.taxes[0].compound
        and not line.taxes[0].reverse_charged
    )


@dataclass
class _Group:
    rate: Decimal
    tax_id: str | None
    abbreviation: str
    base: Decimal
    category: str | None
    exemption_reason: str | None
    gross: Decimal | None = _ZERO
    """Σ quoted gross amounts while every line of the group is priced gross; None once one is not."""


def compute_document(lines: Sequence[LineInput], *, currency: str, decimal_places: int = 4) -> DocumentTotals:
    """Totals of a whole document, VAT computed per rate group on rounded line nets; :class:`AmountTooLarge` when an
    amount reaches ``MAX_AMOUNT`` (the ledger sums minor units in 64 bits)."""
    try:
        with localcontext(_CONTEXT):
            totals = _compute_document(lines, currency=currency, decimal_places=decimal_places)
    except (InvalidOperation, Overflow) as error:
        raise AmountTooLarge(f"amounts must stay below {MAX_AMOUNT:,} {currency}") from error
    amounts = [totals.total, totals.total_discount, totals.total_tax, totals.total_with_tax]
    amounts += [a for line in totals.lines for a in (line.total, line.total_discount, line.total_with_tax)]
    amounts += [a for group in (*totals.taxes, *totals.reverse_taxes) for a in (group.base, group.total_tax)]
    if any(abs(amount) >= MAX_AMOUNT for amount in amounts):
        raise AmountTooLarge(f"a document must total less than {MAX_AMOUNT:,} {currency} (so must each line and VAT)")
    return totals


def _compute_document(lines: Sequence[LineInput], *, currency: str, decimal_places: int) -> DocumentTotals:
    results = _settle_gross(
        lines, [compute_line(line, currency=currency, decimal_places=decimal_places) for line in lines], currency
    )
    groups: dict[tuple[str | None, Decimal, bool, bool, str | None, str | None], _Group] = {}
    for line, result in zip(lines, results, strict=True):
        if line.is_separator:
            continue
        simple_sum = sum(
            (
                a
                for t, a in zip(line.taxes, result.tax_amounts, strict=True)
                if not t.compound and not t.reverse_charged
            ),
            _ZERO,
        )
        for tax in line.taxes:
            rate = cut(tax.rate, _RATE_PLACES)
            key = (tax.tax_id, rate, tax.compound, tax.reverse_charged, tax.category, tax.exemption_reason)
            new = _Group(rate, tax.tax_id, tax.abbreviation, _ZERO, tax.category, tax.exemption_reason)
            group = groups.setdefault(key, new)
            group.base += result.total + (simple_sum if tax.compound and not tax.reverse_charged else _ZERO)
            group.gross = None if group.gross is None or result.gross is None else group.gross + result.gross

    def finish(group: _Group) -> TaxGroup:
        tax = round_money(group.base * group.rate / _HUNDRED, currency)
        if group.gross is not None:  # priced gross: the quoted total stands (see _settle_gross)
            tax = group.gross - group.base
        return TaxGroup(
            group.rate, group.tax_id, group.abbreviation, group.base, tax, group.category, group.exemption_reason
        )

    taxes = tuple(finish(g) for key, g in groups.items() if not key[3])
    reverse_taxes = tuple(finish(g) for key, g in groups.items() if key[3])
    total = sum((r.total for r in results), _ZERO)
    total_discount = sum((r.total_discount for r in results), _ZERO)
    total_tax = sum((g.total_tax for g in taxes), _ZERO)
    zero = round_money(_ZERO, currency)
    return DocumentTotals(
        lines=results,
        total=total + zero,
        total_discount=total_discount + zero,
        total_tax=total_tax + zero,
        total_with_tax=total + total_tax + zero,
        taxes=taxes,
        reverse_taxes=reverse_taxes,
    )


def payment_status(
    total_with_tax: Decimal, amounts: Iterable[Decimal], *, currency: str, credited: Decimal = _ZERO
) -> PaymentStatus:
    """What has been paid, what is still due after payments and credits, and whether nothing is left open;
    :class:`AmountTooLarge` when what was paid (or is owed back) reaches what the books hold."""
    with localcontext(_CONTEXT):
        paid = round_money(sum(amounts, _ZERO), currency)
    if abs(paid) >= MAX_AMOUNT or abs(total_with_tax - paid - credited) >= MAX_AMOUNT:
        raise AmountTooLarge(f"payments of a document must total less than {MAX_AMOUNT:,} {currency}")
    covered = paid + credited
    due = round_money(total_with_tax - covered, currency)
    if total_with_tax > 0:
        settled = covered >= total_with_tax
    else:
        settled = total_with_tax < 0 and covered <= total_with_tax
    return PaymentStatus(total_paid=paid, total_due=due, paid_in_full=settled)
