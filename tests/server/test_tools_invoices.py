"""create_invoice: clients by name, email or id; document types; idempotency; clear errors for bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from si_mcp.client import SpaceInvoices
from si_mcp.server import build_server

from .conftest import SEED_INVOICE, SEED_ORGANIZATION, answering, make_settings, seed, structured, text_of

ITEMS = [{"name": "Fuel", "quantity": "2.5", "unit": "t", "price": "19.99", "discount": 10, "tax_rates": [21]}]


@pytest.mark.anyio
@pytest.mark.parametrize("ref", ["Rocket man", "ROCKET MAN", "rocket@example.com", "id"])
async def test_an_existing_client_is_found_by_name_email_or_id(tmp_path: Path, api: SpaceInvoices, ref: str) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        first = await seed(c)
        client_id = (await api.documents.get(first["document"]["id"])).client_id
        second = structured(
            await c.call_tool("create_invoice", {"client": client_id if ref == "id" else ref, "items": ITEMS})
        )
        doc = await api.documents.get(second["document"]["id"])

    assert doc.client_id == client_id
    # 2.5 x 19.99 = 49.975 → 49.98, -10% → 44.98 net, 21% VAT 9.45 → 54.43 (exact decimals, half-up)
    assert (second["document"]["gross"], second["vat"][0]["base"], second["vat"][0]["tax"]) == (
        "54.43",
        "44.98",
        "9.45",
    )


@pytest.mark.anyio
async def test_an_unknown_client_without_details_is_a_tool_error_naming_find_clients(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await seed(c)
        result = await c.call_tool("create_invoice", {"client": "Rocket", "items": ITEMS})
        count = await api.documents.count((await api.organizations.list((await api.accounts.authorized()).id))[0].id)

    assert result.is_error
    assert "No client 'Rocket' in International Space Agency" in text_of(result)
    assert "Did you mean 'Rocket man'" in text_of(result) and "find_clients" in text_of(result)
    assert count == 1


@pytest.mark.anyio
async def test_an_identical_request_the_same_day_returns_the_first_invoice_flagged_replayed(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        first = await seed(c)
        again = await c.call_tool("create_invoice", SEED_INVOICE)
        other = structured(await c.call_tool("create_invoice", {**SEED_INVOICE, "idempotency_key": "second-suit"}))
        other_again = structured(
            await c.call_tool("create_invoice", {**SEED_INVOICE, "idempotency_key": "second-suit"})
        )

    assert structured(again)["replayed"] is True
    assert structured(again)["document"]["id"] == first["document"]["id"]
    assert text_of(again).startswith("NOTHING NEW WAS CREATED") and "new idempotency_key" in text_of(again)
    assert other["replayed"] is False and other["document"]["id"] != first["document"]["id"]
    assert other_again["replayed"] is True and other_again["document"]["id"] == other["document"]["id"]


@pytest.mark.anyio
async def test_an_idempotency_key_reused_for_another_request_is_refused(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await seed(c, idempotency_key="order-17")
        reused = await c.call_tool("create_invoice", {**SEED_INVOICE, "idempotency_key": "order-17", "note": "other"})

    assert reused.is_error
    assert "already used for a different request" in text_of(reused)


@pytest.mark.anyio
async def test_estimates_drafts_and_credit_notes_are_created_with_their_own_numbers(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        invoice = await seed(c)
        estimate = structured(
            await c.call_tool("create_invoice", {**SEED_INVOICE, "payments": None, "type": "estimate"})
        )
        draft = structured(await c.call_tool("create_invoice", {**SEED_INVOICE, "payments": None, "draft": True}))
        credit = structured(
            await c.call_tool(
                "create_invoice",
                {
                    **SEED_INVOICE,
                    "payments": None,
                    "type": "credit-note",
                    "related_document": invoice["document"]["number"],
                },
            )
        )
        credit_doc = await api.documents.get(credit["document"]["id"])

    assert estimate["document"]["status"] == "open"
    assert draft["document"]["status"] == "draft"
    assert credit_doc.type == "credit-note" and credit_doc.document_ids == [invoice["document"]["id"]]


@pytest.mark.anyio
async def test_related_document_resolves_only_types_that_fit_and_only_for_the_same_client(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    other = {"client": "Moon base", "client_email": "base@moon.example", "items": ITEMS}
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        invoice = await seed(c, payments=None)  # Invoice 2026-00001 for Rocket man
        estimate = structured(await c.call_tool("create_invoice", {**other, "type": "estimate"}))  # Estimate 2026-00001
        number = estimate["document"]["number"]
        assert number == invoice["document"]["number"]  # the case: one number, two types, two clients
        from_estimate = structured(await c.call_tool("create_invoice", {**other, "related_document": number}))
        wrong_client = await c.call_tool(
            "create_invoice", {**SEED_INVOICE, "payments": None, "related_document": number}
        )
        estimate_refers = await c.call_tool("create_invoice", {**other, "type": "estimate", "related_document": number})
        credit = await c.call_tool(
            "create_invoice", {**other, "type": "credit-note", "related_document": invoice["document"]["number"]}
        )

    linked = await api.documents.get(from_estimate["document"]["id"])
    assert linked.document_ids == [estimate["document"]["id"]]  # the estimate, not Rocket man's invoice
    assert wrong_client.is_error and "is for Moon base, not for 'Rocket man'" in text_of(wrong_client)
    assert estimate_refers.is_error and "refers to no earlier document" in text_of(estimate_refers)
    assert credit.is_error and "is for Rocket man" in text_of(credit)


@pytest.mark.anyio
async def test_dates_currency_and_note_are_taken_as_given(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)
        made = structured(
            await c.call_tool(
                "create_invoice",
                {
                    **SEED_INVOICE,
                    "payments": None,
                    "currency": "usd",
                    "date": "2026-01-15",
                    "due_date": "2026-02-01",
                    "note": "Thanks",
                },
            )
        )
        doc = await api.documents.get(made["document"]["id"])

    assert (doc.currency_id, doc.note) == ("USD", "Thanks")
    assert (doc.date.date().isoformat(), made["document"]["due_date"]) == ("2026-01-15", "2026-02-01")  # type: ignore[union-attr]
    assert made["document"]["status"] == "overdue"


BAD_INPUT: list[tuple[dict[str, Any], str]] = [
    ({"client": "Rocket man", "items": []}, "items"),
    ({"client": "", "items": ITEMS}, "client"),
    ({"client": "Rocket man", "items": [{"name": "x"}]}, "price"),
    ({"client": "Rocket man", "items": [{"name": "x", "price": 1, "colour": "red"}]}, "colour"),
    ({"client": "Rocket man", "items": [{"name": "x", "price": 1, "discount": 150}]}, "discount"),
    ({"client": "Rocket man", "items": [{"name": "x", "price": 1, "tax_rates": [-5]}]}, "rate"),
    ({"client": "Rocket man", "items": [{"name": "x", "price": "1e400"}]}, "price"),
    ({"client": "Rocket man", "items": ITEMS, "currency": "euro"}, "currency"),
    ({"client": "Rocket man", "items": ITEMS, "type": "receipt"}, "type"),
    ({"client": "Rocket man", "items": ITEMS, "payments": [{"type": "barter"}]}, "payments"),
    ({"client": "Rocket man", "items": ITEMS, "draft": True, "send": True}, "draft"),
    ({"client": "Rocket man", "items": ITEMS, "type": "estimate", "payments": [{"type": "card"}]}, "payments"),
    ({"client": "Rocket man", "items": ITEMS, "date": "yesterday"}, "date"),
    ({"client": "Rocket man", "items": ITEMS, "organization": "Nobody Inc"}, "Nobody Inc"),
    ({"client": "New person", "client_country": "UK", "items": ITEMS, "send": True}, "no email"),
    ({"client": "Rocket man", "items": ITEMS, "related_document": "9999-99999"}, "9999-99999"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("arguments", "named"), BAD_INPUT)
async def test_bad_input_is_a_tool_error_that_names_the_problem_and_stores_nothing(
    tmp_path: Path, api: SpaceInvoices, arguments: dict[str, Any], named: str
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        first = await seed(c)
        result = await c.call_tool("create_invoice", arguments)
        org_id = (await api.documents.get(first["document"]["id"])).organization_id
        count = await api.documents.count(org_id)

    assert result.is_error
    assert named in text_of(result)
    assert "Traceback" not in text_of(result)
    assert count == 1


@pytest.mark.anyio
async def test_a_replayed_request_does_not_email_the_invoice_again(tmp_path: Path, api: SpaceInvoices) -> None:
    asked: list[str] = []
    server = build_server(make_settings(tmp_path), api=api)
    async with Client(server, elicitation_callback=answering("accept", {"confirm": True}, asked)) as c:
        first = await seed(c, send=True)
        again = structured(await c.call_tool("create_invoice", {**SEED_INVOICE, "send": True}))

    assert first["email"]["status"] == "saved"
    # The first was only saved as an .eml file: the replay does not claim it was sent.
    assert again["replayed"] is True and again["email"]["status"] == "earlier"
    assert again["email"]["detail"].startswith("Nothing was emailed now") and "resend=true" in again["email"]["detail"]
    assert len(asked) == 1


@pytest.mark.anyio
async def test_a_negative_credit_note_reads_as_money_to_refund_not_as_paid(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)
        refund_item = {"name": "Space suit returned", "quantity": 1, "price": -100, "tax_rates": [21]}
        credit = await c.call_tool(
            "create_invoice", {**SEED_INVOICE, "payments": None, "type": "credit-note", "items": [refund_item]}
        )

        positive = await c.call_tool(
            "create_invoice", {**SEED_INVOICE, "payments": None, "type": "credit-note", "note": "positive lines"}
        )

    assert structured(credit)["document"]["status"] == "unpaid"
    assert "121.00 EUR to refund" in text_of(credit)
    assert "12,100.00 EUR to refund" in text_of(positive)


@pytest.mark.anyio
async def test_amounts_in_a_zero_decimal_currency_are_shown_as_the_books_store_them(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", {"name": "Tokyo Kobo", "country": "Japan"})
        made = await c.call_tool(
            "create_invoice",
            {
                "client": "Kyaku",
                "client_country": "Japan",
                "items": [{"name": "Service", "quantity": 1, "price": "1199.5"}],
            },
        )

    assert structured(made)["document"]["currency"] == "JPY"
    assert structured(made)["document"]["gross"] == "1200"  # 1199.5 rounded half-up to whole yen
    assert "= 1,200 JPY" in text_of(made)


@pytest.mark.anyio
async def test_a_misspelt_argument_is_refused_instead_of_silently_ignored(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)
        misspelt = {key: value for key, value in SEED_INVOICE.items() if key != "payments"}
        refused = await c.call_tool("create_invoice", {**misspelt, "paymnts": [{"type": "card"}]})
        found = structured(await c.call_tool("find_documents", {}))

    assert refused.is_error
    assert "unknown argument 'paymnts'" in text_of(refused) and "payments" in text_of(refused)
    assert found["documents"] == []


@pytest.mark.anyio
async def test_a_credit_note_names_the_invoice_it_corrects_in_get_document_and_on_its_pdf(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    import io

    import pypdf

    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        invoice = await seed(c, payments=None, date="2026-12-02")
        number = invoice["document"]["number"]
        partial = [{"name": "Space suit, returned helmet", "price": 1000, "tax_rates": [21]}]
        credit = structured(
            await c.call_tool(
                "create_invoice",
                {**SEED_INVOICE, "payments": None, "type": "credit-note", "related_document": number, "items": partial},
            )
        )
        fetched = await c.call_tool("get_document", {"document": credit["document"]["id"]})
        too_much = await c.call_tool(
            "create_invoice",
            {**SEED_INVOICE, "payments": None, "type": "credit-note", "related_document": number, "note": "again"},
        )

    assert structured(fetched)["document"]["related"] == [
        {"type": "invoice", "number": number, "date": "2026-12-02", "amount": "1210.00"}
    ]
    assert f"Corrects invoice {number} of 2026-12-02" in text_of(fetched)
    assert too_much.is_error and "at most 10890" in text_of(too_much)  # 12,100 − 1,210 already credited
    for language, expected in (("en", f"Corrects Invoice {number}, 02 Dec 2026"), ("nl", f"Factuur {number}")):
        pdf = await api.documents.pdf(credit["document"]["id"], language=language)
        text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
        assert expected in " ".join(text.split())
    assert "Correctie op" in " ".join(text.split())


@pytest.mark.anyio
async def test_a_deactivated_organization_is_a_tool_error_that_says_so_and_books_stay_readable(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        first = await seed(c)
        organization = (await api.organizations.list((await api.accounts.authorized()).id))[0]
        await api.organizations.deactivate(organization.id)
        refused = await c.call_tool("create_invoice", {"client": "Rocket man", "items": ITEMS})
        found = await c.call_tool("find_documents", {})

    assert (
        refused.is_error and "deactivated" in text_of(refused) and "Reading its books still works" in text_of(refused)
    )
    assert not found.is_error and first["document"]["number"] in text_of(found)
