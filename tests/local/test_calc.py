"""The money engine: regression cases from invoicing-rules.md plus properties that must always hold."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from si_mcp.local.engine.calc import (
    LineInput,
    TaxLine,
    compute_document,
    compute_line,
    currency_exponent,
    payment_status,
    round_money,
)

D = Decimal


def vat(rate: str, tax_id: str | None = None, **flags: bool) -> TaxLine:
    return TaxLine(rate=D(rate), tax_id=tax_id, **flags)


def line(quantity: str, price: str, *taxes: TaxLine, discount: str = "0", amount: bool = False) -> LineInput:
    return LineInput(quantity=D(quantity), price=D(price), discount=D(discount), discount_is_amount=amount, taxes=taxes)


def test_seed_invoice_space_suit_at_21_percent_totals_12100() -> None:
    totals = compute_document([line("1", "10000", vat("21", "t1"))], currency="EUR")
    assert (totals.total, totals.total_tax, totals.total_with_tax) == (D("10000.00"), D("2100.00"), D("12100.00"))
    assert [(g.rate, g.base, g.total_tax, g.tax_id) for g in totals.taxes] == [(D(21), D(10000), D(2100), "t1")]


def test_vat_is_computed_once_per_rate_group_not_per_line() -> None:
    totals = compute_document([line("1", "55.55", vat("23")), line("1", "11.11", vat("23"))], currency="EUR")
    assert totals.total_tax == D("15.33")  # per line would be 12.78 + 2.56 = 15.34
    assert totals.total_with_tax == D("81.99")


def test_zero_decimal_currency_rounds_to_whole_yen_half_up() -> None:
    totals = compute_document([line("1", "12345", vat("10"))], currency="JPY")
    assert totals.total_tax == D("1235")
    assert totals.total_with_tax == D("13580")
    assert totals.total_with_tax.as_tuple().exponent == 0


def test_amount_discount_gives_exact_round_numbers() -> None:
    totals = compute_document([line("1", "8500", vat("19"), discount="7500", amount=True)], currency="EUR")
    assert (totals.total, totals.total_tax, totals.total_with_tax) == (D("1000.00"), D("190.00"), D("1190.00"))
    assert totals.total_discount == D("7500.00")


def test_large_amount_rounds_half_up_like_the_official_example() -> None:
    totals = compute_document([line("1", "625743.54", vat("25"))], currency="DKK")
    assert totals.total_tax == D("156435.89")
    assert totals.total_with_tax == D("782179.43")


@pytest.mark.parametrize(
    ("lines", "expected_tax", "expected_total"),
    [
        ([line("16", "348.35", vat("22"), discount="4")], "1177.15", "6527.81"),  # odoo#37896
        ([line("1", "46.07", vat("8.5"), discount="20"), line("1", "9.21", vat("8.5"))], "3.92", "49.99"),  # odoo#46511
        ([line("5", "5.75", vat("21"), discount="18")] * 6, "29.71", "171.19"),  # odoo#179603
    ],
)
def test_known_rounding_bugs_of_other_products_do_not_happen_here(
    lines: list[LineInput], expected_tax: str, expected_total: str
) -> None:
    totals = compute_document(lines, currency="EUR")
    assert totals.total_tax == D(expected_tax)
    assert totals.total_with_tax == D(expected_total)


def test_full_percent_discount_leaves_exactly_zero() -> None:
    result = compute_line(line("2.25", "64.22", vat("20"), discount="100"), currency="EUR")
    assert (result.total, result.total_discount, result.total_tax) == (D("0.00"), D("144.50"), D("0.00"))


def test_compound_tax_applies_on_net_plus_other_taxes() -> None:
    result = compute_line(line("1", "100", vat("10"), vat("5", compound=True)), currency="EUR")
    assert result.tax_amounts == (D("10.00"), D("5.50"))
    assert result.total_with_tax == D("115.50")


def test_reverse_charged_tax_is_reported_but_not_added() -> None:
    totals = compute_document([line("1", "1000", vat("21", "rc", reverse_charged=True))], currency="EUR")
    assert totals.total_with_tax == D("1000.00")
    assert totals.taxes == ()
    assert [(g.base, g.total_tax) for g in totals.reverse_taxes] == [(D("1000.00"), D("210.00"))]


def test_gross_price_derives_the_net_price() -> None:
    result = compute_line(
        LineInput(quantity=D(1), price_gross=D("121"), taxes=(vat("21"),)), currency="EUR", decimal_places=4
    )
    assert result.price == D("100.0000")
    assert result.total_with_tax == D("121.00")


def test_inputs_are_cut_to_decimal_places_not_rounded() -> None:
    result = compute_line(line("1", "9.99999"), currency="EUR", decimal_places=2)
    assert result.price == D("9.99")


def test_separators_carry_no_amounts() -> None:
    totals = compute_document([LineInput(quantity=D(1), is_separator=True), line("1", "10")], currency="EUR")
    assert totals.total == D("10.00")


def test_payments_report_paid_due_and_paid_in_full() -> None:
    assert payment_status(D("12100"), [D("12100")], currency="EUR").paid_in_full
    partial = payment_status(D("12100"), [D("100.005")], currency="EUR")
    assert (partial.total_paid, partial.total_due, partial.paid_in_full) == (D("100.01"), D("11999.99"), False)
    assert not payment_status(D(0), [], currency="EUR").paid_in_full


def test_a_negative_credit_note_is_settled_only_by_refunds_reaching_its_total() -> None:
    assert not payment_status(D("-121"), [], currency="EUR").paid_in_full
    assert not payment_status(D("-121"), [D("-100")], currency="EUR").paid_in_full
    refunded = payment_status(D("-121"), [D("-121")], currency="EUR")
    assert (refunded.paid_in_full, refunded.total_due) == (True, D("0.00"))


def test_rounding_is_half_up_not_bankers() -> None:
    assert round_money(D("2.675"), "EUR") == D("2.68")
    assert round_money(D("0.125"), "EUR") == D("0.13")
    assert round_money(D("-0.125"), "EUR") == D("-0.13")
    assert currency_exponent("JPY") == 0 and currency_exponent("EUR") == 2


RATES = st.sampled_from(["0", "5", "6", "9.5", "10", "13", "19", "20", "21", "22", "23", "25", "25.5", "27"])
LINES = st.builds(
    lambda q, p, d, r: line(str(q), str(p), vat(r, f"t{r}"), discount=str(d)),
    st.decimals(min_value=D("0.001"), max_value=D(1000), places=3),
    st.decimals(min_value=D(0), max_value=D(100000), places=4),
    st.integers(min_value=0, max_value=100),
    RATES,
)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(LINES, min_size=1, max_size=50), currency=st.sampled_from(["EUR", "JPY", "CHF"]))
def test_document_totals_are_consistent_for_any_lines(lines: list[LineInput], currency: str) -> None:
    totals = compute_document(lines, currency=currency)
    places = currency_exponent(currency)
    amounts = [totals.total, totals.total_tax, totals.total_with_tax, totals.total_discount]
    amounts += [g.total_tax for g in totals.taxes] + [r.total for r in totals.lines]
    assert all(a == a.quantize(D(1).scaleb(-places)) for a in amounts)
    assert totals.total == sum((r.total for r in totals.lines), D(0))
    assert totals.total_with_tax == totals.total + sum((g.total_tax for g in totals.taxes), D(0))
    quantum = D(1).scaleb(-places)
    for group in totals.taxes:
        assert group.total_tax == (group.base * group.rate / 100).quantize(quantum, rounding=ROUND_HALF_UP)


@pytest.mark.parametrize(
    ("grosses", "rate", "total_with_tax"),
    [
        (["11.90", "2.80"], "21", "14.70"),  # per-line net then base × rate would give 14.69
        (["0.99", "0.99", "0.99"], "21", "2.97"),
        (["19.99", "5.05", "100.00", "0.01"], "7.7", "125.05"),
        (["3.33"] * 7, "9", "23.31"),
        (["1.00"] * 250, "21", "250.00"),  # one line net each: the VAT must not drift with the number of lines
    ],
)
def test_a_basket_priced_gross_totals_exactly_what_the_customer_was_quoted(
    grosses: list[str], rate: str, total_with_tax: str
) -> None:
    lines = [LineInput(quantity=D(1), price_gross=D(g), taxes=(TaxLine(rate=D(rate)),)) for g in grosses]
    totals = compute_document(lines, currency="EUR", decimal_places=9)
    [group] = totals.taxes
    assert totals.total_with_tax == D(total_with_tax)
    assert group.base + group.total_tax == D(total_with_tax) and totals.total == group.base
    # EN 16931 BR-CO-17: the group's VAT is base × rate rounded, within the rule's tolerance (here: half a unit).
    assert abs(group.total_tax - group.base * D(rate) / 100) <= D("0.01")
    assert sum((line.total_with_tax for line in totals.lines), D(0)) == D(total_with_tax)


def test_a_group_mixing_net_and_gross_prices_keeps_vat_on_the_base() -> None:
    lines = [
        LineInput(quantity=D(1), price_gross=D("11.90"), taxes=(TaxLine(rate=D(21)),)),
        LineInput(quantity=D(1), price=D("2.31"), taxes=(TaxLine(rate=D(21)),)),
    ]
    totals = compute_document(lines, currency="EUR", decimal_places=9)
    assert (totals.total, totals.total_tax) == (D("12.14"), D("2.55"))


def test_a_gross_basket_in_yen_keeps_its_vat_within_a_yen_of_base_times_rate() -> None:
    lines = [LineInput(quantity=D(1), price_gross=D(105), taxes=(TaxLine(rate=D(10)),)) for _ in range(4)]
    totals = compute_document(lines, currency="JPY", decimal_places=9)
    [group] = totals.taxes
    assert (totals.total_with_tax, group.total_tax, group.base) == (D(420), D(38), D(382))
