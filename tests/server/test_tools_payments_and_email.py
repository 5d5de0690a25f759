"""mark_paid (partial payments, overpaying, paid invoices) and send_invoice (recipients, resend)."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from mcp import Client

from si_mcp.client import SpaceInvoices
from si_mcp.server import build_server

from .conftest import SEED_INVOICE, SEED_ORGANIZATION, answering, make_settings, seed, structured, text_of

YES = {"confirm": True}


@pytest.mark.anyio
async def test_partial_payments_report_what_remains_and_the_last_one_defaults_to_the_rest(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(
        build_server(make_settings(tmp_path), api=api), elicitation_callback=answering("accept", YES)
    ) as c:
        invoice = await seed(c, payments=None)
        number = invoice["document"]["number"]
        first = await c.call_tool("mark_paid", {"document": number, "amount": "2100", "payment_type": "cash"})
        rest = await c.call_tool("mark_paid", {"document": number, "date": "2026-11-01"})
        more = await c.call_tool("mark_paid", {"document": number, "amount": 1})

    assert structured(first)["document"]["amount_due"] == "10000.00"
    assert "2,100.00 EUR by cash" in text_of(first) and "10,000.00 EUR to pay" in text_of(first)
    assert structured(rest)["payment"] == {"type": "bank", "amount": "10000.00", "date": "2026-11-01"}
    assert structured(rest)["document"]["status"] == "paid"
    assert more.is_error and "already paid in full" in text_of(more)


@pytest.mark.anyio
async def test_concurrent_calls_paying_what_is_due_record_it_once(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(
        build_server(make_settings(tmp_path), api=api), elicitation_callback=answering("accept", YES)
    ) as c:
        invoice = await seed(c, payments=None)
        results = []

        async def pay() -> None:
            results.append(await c.call_tool("mark_paid", {"document": invoice["document"]["number"]}))

        async with anyio.create_task_group() as group:
            for _ in range(5):
                group.start_soon(pay)

    recorded = [r for r in results if not r.is_error and "NOTHING NEW" not in text_of(r)]
    assert len(recorded) == 1
    # The others saw it paid, or found the identical payment already made (same arguments: the same key).
    assert all(
        "already paid in full" in text_of(r) or "NOTHING NEW" in text_of(r) for r in results if r not in recorded
    )
    doc = await api.documents.get(invoice["document"]["id"])
    assert (str(doc.total_paid), str(doc.total_due)) == ("12100", "0")


@pytest.mark.anyio
async def test_an_identical_payment_repeated_is_recorded_once_and_a_note_tells_a_second_apart(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(
        build_server(make_settings(tmp_path), api=api), elicitation_callback=answering("accept", YES)
    ) as c:
        invoice = await seed(c, payments=None)
        args = {"document": invoice["document"]["number"], "amount": "100", "date": "2026-11-02"}
        first = await c.call_tool("mark_paid", args)
        again = await c.call_tool("mark_paid", args)  # a retried call, or the model repeating itself
        second = await c.call_tool("mark_paid", {**args, "note": "second instalment"})

    assert "Recorded 100.00 EUR" in text_of(first)
    assert not again.is_error and "NOTHING NEW WAS RECORDED" in text_of(again)
    assert "Recorded 100.00 EUR" in text_of(second)
    doc = await api.documents.get(invoice["document"]["id"])
    assert str(doc.total_paid) == "200"


@pytest.mark.anyio
async def test_paying_more_than_is_due_is_refused(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(
        build_server(make_settings(tmp_path), api=api), elicitation_callback=answering("accept", YES)
    ) as c:
        invoice = await seed(c, payments=None)
        too_much = await c.call_tool("mark_paid", {"document": invoice["document"]["number"], "amount": "12100.01"})
        nothing = await c.call_tool("mark_paid", {"document": invoice["document"]["number"], "amount": 0})

    assert too_much.is_error and "12,100.00 EUR still due" in text_of(too_much)
    assert nothing.is_error
    assert str((await api.documents.get(invoice["document"]["id"])).total_paid) == "0"


@pytest.mark.anyio
async def test_send_invoice_goes_to_the_clients_email_and_a_second_send_needs_resend(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    asked: list[str] = []
    async with Client(
        build_server(make_settings(tmp_path), api=api), elicitation_callback=answering("accept", YES, asked)
    ) as c:
        invoice = await seed(c)
        number = invoice["document"]["number"]
        sent = structured(await c.call_tool("send_invoice", {"document": number, "message": "Here it is"}))
        twice = await c.call_tool("send_invoice", {"document": number})
        resent = structured(
            await c.call_tool("send_invoice", {"document": number, "resend": True, "recipients": ["boss@example.com"]})
        )

    assert sent["recipients"] == ["rocket@example.com"] and sent["status"] == "saved"
    assert twice.is_error and "resend" in text_of(twice)
    assert resent["recipients"] == ["boss@example.com"]
    assert "To: boss@example.com" in asked[-1] and "Message: Here it is" in asked[0]
    doc = await api.documents.get(invoice["document"]["id"])
    assert doc.sent_to is not None and "boss@example.com" in doc.sent_to


@pytest.mark.anyio
async def test_drafts_and_clients_without_email_cannot_be_sent(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(
        build_server(make_settings(tmp_path), api=api), elicitation_callback=answering("accept", YES)
    ) as c:
        await seed(c)
        draft = structured(
            await c.call_tool(
                "create_invoice", {"client": "Rocket man", "items": [{"name": "x", "price": 1}], "draft": True}
            )
        )
        no_email = structured(
            await c.call_tool(
                "create_invoice", {"client": "Walk-in", "client_country": "BE", "items": [{"name": "x", "price": 1}]}
            )
        )
        draft_sent = await c.call_tool("send_invoice", {"document": draft["document"]["id"]})
        unknown = await c.call_tool("send_invoice", {"document": no_email["document"]["number"]})

    assert draft_sent.is_error and "draft" in text_of(draft_sent)
    assert unknown.is_error and "recipients" in text_of(unknown)


@pytest.mark.anyio
async def test_without_an_smtp_server_the_texts_say_the_email_was_not_delivered(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(
        build_server(make_settings(tmp_path), api=api), elicitation_callback=answering("accept", YES)
    ) as c:
        created = await c.call_tool("create_organization", SEED_ORGANIZATION)
        assert not created.is_error
        invoice = await c.call_tool("create_invoice", {**SEED_INVOICE, "send": True})
        number = structured(invoice)["document"]["number"]
        again = await c.call_tool("send_invoice", {"document": number, "resend": True})

    for text in (text_of(invoice), text_of(again)):
        assert "NOT delivered to rocket@example.com: no SMTP server is configured (SI_MCP_SMTP_HOST)" in text
        assert "Emailed" not in text and ".eml" in text
    assert (structured(invoice)["email"]["status"], structured(again)["status"]) == ("saved", "saved")


@pytest.mark.anyio
async def test_a_document_with_payments_is_not_canceled_and_the_error_points_to_a_credit_note(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    asked: list[str] = []
    async with Client(
        build_server(make_settings(tmp_path), api=api), elicitation_callback=answering("accept", YES, asked)
    ) as c:
        invoice = await seed(c)  # paid by card
        number = invoice["document"]["number"]
        refused = await c.call_tool("cancel_document", {"document": number})

    assert refused.is_error and asked == []  # refused before the user is asked anything
    assert "has payments recorded (12,100.00 EUR)" in text_of(refused)
    assert f"type='credit-note' and related_document='{invoice['document']['id']}'" in text_of(refused)
    assert (await api.documents.get(invoice["document"]["id"])).canceled is False


@pytest.mark.anyio
async def test_payments_recorded_by_mistake_are_deleted_with_the_cancel_after_the_user_saw_them(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    asked: list[str] = []
    async with Client(
        build_server(make_settings(tmp_path), api=api), elicitation_callback=answering("accept", YES, asked)
    ) as c:
        invoice = await seed(c)  # paid by card by mistake
        refused = await c.call_tool("cancel_document", {"document": invoice["document"]["id"]})
        canceled = await c.call_tool(
            "cancel_document", {"document": invoice["document"]["id"], "delete_payments": True}
        )

    assert refused.is_error and "delete_payments=true" in text_of(refused)
    assert "First DELETES its 1 payment(s)" in asked[0] and "12,100.00 EUR by card" in asked[0]
    assert structured(canceled)["status"] == "canceled" and "after deleting its 1 payment(s)" in text_of(canceled)
    doc = await api.documents.get(invoice["document"]["id"], include_payments=True)
    assert doc.canceled and [p for p in doc.payments or [] if not p.is_deleted] == []


@pytest.mark.anyio
async def test_list_lines_name_the_type_and_what_is_still_due(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(
        build_server(make_settings(tmp_path), api=api), elicitation_callback=answering("accept", YES)
    ) as c:
        invoice = await seed(c, payments=None, due_date="2099-01-31")
        await c.call_tool("mark_paid", {"document": invoice["document"]["number"], "amount": "1000"})
        await c.call_tool("create_invoice", {**SEED_INVOICE, "payments": None, "type": "estimate"})
        listed = text_of(await c.call_tool("find_documents", {}))

    number = invoice["document"]["number"]
    assert f"Invoice {number} Rocket man 12,100.00 EUR unpaid: 11,100.00 EUR due by 2099-01-31" in listed
    assert f"Estimate {number} Rocket man 12,100.00 EUR open" in listed


@pytest.mark.anyio
async def test_payments_that_net_to_zero_still_keep_a_document_from_being_canceled(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    from decimal import Decimal

    from si_mcp.models import PaymentCreate

    asked: list[str] = []
    async with Client(
        build_server(make_settings(tmp_path), api=api), elicitation_callback=answering("accept", YES, asked)
    ) as c:
        invoice = await seed(c, payments=None)
        for amount in ("100", "-100"):  # a payment and its refund: nothing paid, but money moved
            await api.payments.create(
                invoice["document"]["id"], body=PaymentCreate(type="bank", amount=Decimal(amount))
            )
        refused = await c.call_tool("cancel_document", {"document": invoice["document"]["number"]})

    assert refused.is_error and asked == []
    assert "has payments recorded (0.00 EUR)" in text_of(refused)
