"""Documents made from others: estimate → invoice, a paid advance deducted on the final invoice, credit notes
that settle what they correct; each linked both ways in get_document, list lines and the PDF."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
import pytest
from mcp import Client

from si_mcp.client import SpaceInvoices
from si_mcp.server import build_server

from .conftest import SEED_INVOICE, answering, make_settings, seed, structured, text_of

pytestmark = pytest.mark.anyio

SUIT = [{"name": "Space suit", "quantity": 2, "price": 5000, "tax_rates": [21]}]
UNPAID = {**SEED_INVOICE, "payments": None}


async def pdf_text(api: SpaceInvoices, document_id: str, language: str = "en") -> str:
    pdf = await api.documents.pdf(document_id, language=language)
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())


async def call(c: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return structured(await c.call_tool(tool, arguments))


async def test_an_estimate_becomes_an_invoice_in_one_call_with_its_client_lines_and_currency(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        estimate = await seed(c, type="estimate", payments=None, items=SUIT, currency="USD")
        number = estimate["document"]["number"]
        invoice = await call(c, "create_invoice", {"related_document": number})
        invoice_text = text_of(await c.call_tool("get_document", {"document": invoice["document"]["id"]}))
        after = await c.call_tool("get_document", {"document": number, "type": "estimate"})
        listed = text_of(await c.call_tool("find_documents", {"type": "estimate"}))
        again = await c.call_tool("create_invoice", {"related_document": number, "idempotency_key": "second"})
        apollo = await call(c, "create_invoice", {**UNPAID, "type": "estimate", "note": "Apollo, phase 1"})
        from_apollo = await call(c, "create_invoice", {"related_document": apollo["document"]["id"]})

    doc = await api.documents.get(invoice["document"]["id"])
    assert doc.document_ids == [estimate["document"]["id"]] and doc.document_client.name == "Rocket man"
    assert [(i.name, i.quantity, i.price) for i in doc.document_items] == [("Space suit", 2, 5000)]
    assert (doc.currency_id, invoice["document"]["gross"]) == ("USD", "12100.00")
    assert f"Refers to estimate {number}" in invoice_text
    assert structured(after)["document"]["status"] == "invoiced"
    assert f"Invoiced as invoice {invoice['document']['number']}" in text_of(after)
    assert f"Estimate {number} Rocket man 12,100.00 USD invoiced" in listed
    assert f"Refers to Estimate {number}" in await pdf_text(api, doc.id)
    # A second invoice from the same estimate (a split delivery) is a new, explicit call; both are linked.
    second = structured(again)["document"]
    assert [r.id for r in (await api.documents.get(estimate["document"]["id"])).referenced_by] == [
        invoice["document"]["id"],
        second["id"],
    ]
    # The estimate's default text (its validity) is not copied; a note written for the estimate is.
    assert "geldig tot" in (await api.documents.get(estimate["document"]["id"])).note  # nl-BE: "valid until"
    assert "geldig tot" not in doc.note and "[" not in doc.note
    assert (await api.documents.get(from_apollo["document"]["id"])).note == "Apollo, phase 1"


async def test_a_paid_advance_is_deducted_on_the_final_invoice_at_its_own_vat_rate(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        estimate = await seed(c, type="estimate", payments=None, items=SUIT)
        share = [{"name": "30 % advance on the space suits", "price": 3000, "tax_rates": [21]}]
        unpaid = await call(
            c, "create_invoice", {"type": "advance", "related_document": estimate["document"]["id"], "items": share}
        )
        refused = await c.call_tool(
            "create_invoice",
            {"related_document": f"{estimate['document']['id']}, {unpaid['document']['id']}"},
        )
        advance = await call(
            c,
            "create_invoice",
            {
                "type": "advance",
                "related_document": estimate["document"]["id"],
                "items": share,
                "payments": [{"type": "bank"}],
            },
        )
        final = await call(
            c,
            "create_invoice",
            {"related_document": f"{estimate['document']['id']}, {advance['document']['id']}"},
        )
        twice = await c.call_tool(
            "create_invoice", {"related_document": advance["document"]["id"], "items": SUIT, "note": "again"}
        )
        advance_text = text_of(await c.call_tool("get_document", {"document": advance["document"]["id"]}))

    assert refused.is_error and "3,630.00 EUR due" in text_of(refused) and "mark_paid" in text_of(refused)
    # 12,100.00 for the suits − 3,630.00 already invoiced and paid as an advance (3,000.00 + 630.00 VAT).
    assert (final["document"]["gross"], final["document"]["amount_due"]) == ("8470.00", "8470.00")
    assert [(v["base"], v["tax"]) for v in final["vat"]] == [("7000.00", "1470.00")]
    doc = await api.documents.get(final["document"]["id"])
    advance_number = advance["document"]["number"]
    assert doc.document_items[-1].name.startswith(f"Advance invoice {advance_number} of ")
    assert f"Deducted on invoice {final['document']['number']}" in advance_text
    assert twice.is_error and f"already deducted on invoice {final['document']['number']}" in text_of(twice)
    assert f"Advance invoice {advance_number}" in await pdf_text(api, doc.id)


async def test_a_partial_credit_note_leaves_the_rest_due_and_says_so_everywhere(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    yes = answering("accept", {"confirm": True})
    async with Client(build_server(make_settings(tmp_path), api=api), elicitation_callback=yes) as c:
        invoice = await seed(c, payments=None, date="2026-12-02")  # 12,100.00 EUR
        number = invoice["document"]["number"]
        returned = [{"name": "Returned helmet", "price": 1000, "tax_rates": [21]}]
        credit = await call(c, "create_invoice", {"type": "credit-note", "related_document": number, "items": returned})
        got = await c.call_tool("get_document", {"document": number, "type": "invoice"})
        listed = text_of(await c.call_tool("find_documents", {"status": "unpaid"}))
        paid = await call(c, "mark_paid", {"document": number, "type": "invoice"})

    detail = structured(got)["document"]
    assert (detail["status"], detail["amount_due"], detail["credited"]) == ("unpaid", "10890.00", "1210.00")
    credit_number = credit["document"]["number"]
    assert [(r["type"], r["number"], r["amount"]) for r in detail["referenced_by"]] == [
        ("credit-note", credit_number, "1210.00")
    ]
    assert f"Credited by credit note {credit_number}" in text_of(got) and ": 1,210.00 EUR" in text_of(got)
    assert f"Invoice {number} Rocket man 12,100.00 EUR unpaid: 10,890.00 EUR due" in listed
    assert "(credited 1,210.00 EUR)" in listed
    assert credit["document"]["status"] == "applied"
    assert paid["payment"]["amount"] == "10890.00"
    pdf = await pdf_text(api, invoice["document"]["id"])
    # The organization is Belgian: its PDF speaks nl-BE number formats under English labels (en is asked for).
    assert f"Credited by Credit note {credit_number}" in pdf
    assert "Credited 1.210,00 € Paid 10.890,00 € Amount due 0,00 €" in pdf


async def test_a_credit_note_without_items_credits_the_whole_invoice_and_the_invoice_reads_credited(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        invoice = await seed(c, payments=None)
        credit = await call(c, "create_invoice", {"type": "credit-note", "related_document": invoice["document"]["id"]})
        got = await c.call_tool("get_document", {"document": invoice["document"]["id"]})
        pay = await c.call_tool("mark_paid", {"document": invoice["document"]["id"]})
        cancel = await c.call_tool("cancel_document", {"document": invoice["document"]["id"]})

    assert credit["document"]["gross"] == "12100.00" and credit["document"]["status"] == "applied"
    assert structured(got)["document"]["status"] == "credited"
    assert "credited in full by credit notes" in text_of(got)
    assert pay.is_error and "credited in full" in text_of(pay)
    assert cancel.is_error and credit["document"]["number"] in text_of(cancel)


async def test_a_paid_invoice_credited_in_full_says_the_money_is_owed_back_until_the_refund_is_recorded(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    yes = answering("accept", {"confirm": True})
    async with Client(build_server(make_settings(tmp_path), api=api), elicitation_callback=yes) as c:
        invoice = await seed(c)  # paid by card
        number = invoice["document"]["id"]
        await call(c, "create_invoice", {"type": "credit-note", "related_document": number})
        got = await c.call_tool("get_document", {"document": number})
        again = await c.call_tool("mark_paid", {"document": number})
        too_much = await c.call_tool("mark_paid", {"document": number, "amount": "-12100.01"})
        refund = await call(c, "mark_paid", {"document": number, "amount": "-12100", "payment_type": "bank"})

    assert structured(got)["document"]["amount_due"] == "-12100.00"
    assert "12,100.00 EUR to refund to the client" in text_of(got)
    assert again.is_error and "call mark_paid with amount=-12100.00" in text_of(again)
    assert too_much.is_error and "more than the 12,100.00 EUR owed back" in text_of(too_much)
    assert (refund["payment"]["amount"], refund["document"]["amount_due"]) == ("-12100.00", "0.00")
    assert refund["document"]["status"] == "credited"


async def test_a_document_of_another_client_is_never_linked_silently(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        estimate = await seed(c, type="estimate", payments=None)
        other = {"client": "Moon base", "client_country": "Belgium", "items": SUIT}
        refused = await c.call_tool("create_invoice", {**other, "related_document": estimate["document"]["number"]})

    assert refused.is_error and "is for Rocket man, not for 'Moon base'" in text_of(refused)


async def test_an_advance_corrected_by_a_credit_note_is_not_deducted_and_copying_needs_one_source(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        estimate = await seed(c, type="estimate", payments=None, items=SUIT)
        other = await call(c, "create_invoice", {**UNPAID, "type": "estimate", "note": "other"})
        advance = await call(
            c,
            "create_invoice",
            {"type": "advance", "items": SUIT, "client": "Rocket man", "payments": [{"type": "bank"}]},
        )
        await call(c, "create_invoice", {"type": "credit-note", "related_document": advance["document"]["id"]})
        credited = await c.call_tool(
            "create_invoice",
            {"related_document": f"{estimate['document']['id']}, {advance['document']['id']}"},
        )
        two = await c.call_tool(
            "create_invoice", {"related_document": f"{estimate['document']['id']},{other['document']['id']}"}
        )

    assert credited.is_error and "corrected by a credit note" in text_of(credited)
    assert two.is_error and "without items, name exactly one estimate" in text_of(two)


async def test_deleting_payments_never_runs_when_the_cancel_itself_would_be_refused(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    asked: list[str] = []
    yes = answering("accept", {"confirm": True}, asked)
    async with Client(build_server(make_settings(tmp_path), api=api), elicitation_callback=yes) as c:
        invoice = await seed(c)  # paid by card
        await call(c, "create_invoice", {"type": "credit-note", "related_document": invoice["document"]["id"]})
        refused = await c.call_tool("cancel_document", {"document": invoice["document"]["id"], "delete_payments": True})

    assert refused.is_error and "refers to it" in text_of(refused) and asked == []
    assert (await api.documents.get(invoice["document"]["id"])).total_paid == 12100


async def test_a_full_credit_of_an_invoice_priced_gross_settles_it_to_the_cent(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    from si_mcp.models import DocumentCreate

    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        invoice = await seed(c, payments=None)
        org_id = (await api.documents.get(invoice["document"]["id"])).organization_id
        body = DocumentCreate.model_validate(
            {
                "_documentClient": {"name": "Rocket man", "email": "rocket@example.com"},
                "_documentItems": [
                    {"name": "Coffee", "priceGross": "11.90", "_documentItemTaxes": [{"rate": 21}]},
                    {"name": "Croissant", "priceGross": "2.80", "_documentItemTaxes": [{"rate": 21}]},
                ],
            }
        )
        gross = await api.documents.create(org_id, body=body)
        credit = await call(c, "create_invoice", {"type": "credit-note", "related_document": gross.id})

    assert gross.total_with_tax == Decimal("14.7")
    assert credit["document"]["gross"] == "14.70"
    after = await api.documents.get(gross.id)
    assert (after.total_due, after.total_credited) == (0, Decimal("14.7"))
