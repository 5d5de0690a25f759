"""Documents: auto-fill, numbering, taxes, clients, saved items, replace/cancel/delete rules, idempotency."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from .conftest import invoice_body

pytestmark = pytest.mark.anyio

YEAR = datetime.now(UTC).year


def item(name: str = "Thing", price: object = 100, **extra: object) -> dict:
    return {"name": name, "price": price, "quantity": 1, "_documentItemTaxes": [{"rate": 21}], **extra}


async def count_documents(tenant) -> int:
    return (await tenant.api.get(f"/organizations/{tenant.org_id}/documents/count")).json()["count"]


async def test_numbers_run_per_type_and_year_of_the_document_date(tenant) -> None:
    first, second = await tenant.invoice(), await tenant.invoice()
    estimate = await tenant.invoice(type="estimate")
    backdated = await tenant.invoice(date="2021-06-30")
    assert [first["number"], second["number"]] == [f"{YEAR}-00001", f"{YEAR}-00002"]
    assert estimate["number"] == f"{YEAR}-00001"
    assert backdated["number"] == "2021-00001" and backdated["dateYear"] == 2021


async def test_a_given_number_is_kept_and_the_series_skips_it(tenant, expect_error) -> None:
    given = await tenant.invoice(number=f"{YEAR}-00002")
    assert given["number"] == f"{YEAR}-00002"
    numbers = [(await tenant.invoice())["number"] for _ in range(2)]
    assert numbers == [f"{YEAR}-00001", f"{YEAR}-00003"]
    expect_error(
        await tenant.api.post(
            f"/organizations/{tenant.org_id}/documents", json={**given_body(), "number": f"{YEAR}-00003"}
        ),
        422,
    )


def given_body() -> dict:
    return {"_documentClient": {"name": "A"}, "_documentItems": [item()]}


async def test_type_dates_are_filled_from_the_defaults(tenant) -> None:
    invoice = await tenant.invoice(date="2024-01-31")
    assert invoice["dateService"] == "2024-01-31T00:00:00.000Z"
    assert invoice["dateDue"] == "2024-03-01T00:00:00.000Z"
    estimate = await tenant.invoice(type="estimate", date="2024-01-01")
    assert estimate["dateValidTill"] == "2024-01-31T00:00:00.000Z" and "dateDue" not in estimate
    assert "Deze offerte is geldig tot 2024-01-31." in estimate["note"]  # the Belgian (nl-BE) organization's note
    advance = await tenant.invoice(type="advance", date="2024-01-01")
    assert advance["datePaid"] == "2024-01-01T00:00:00.000Z"
    assert advance["note"] == "Bedankt voor uw betaling."


async def test_notes_footer_and_signature_resolve_smart_codes(tenant) -> None:
    await tenant.api.patch(
        f"/organizations/{tenant.org_id}", json={"IBAN": "BE71 0961 2345 6769", "bank": "Space Bank"}
    )
    invoice = await tenant.invoice(
        note="Pay [IBAN] at [bank], ref [document number]. [unknown code] stays.", signature="[organization name], CEO"
    )
    assert invoice["note"] == f"Pay BE71 0961 2345 6769 at Space Bank, ref {invoice['number']}. [unknown code] stays."
    assert invoice["signature"] == "International Space Agency, CEO"
    assert invoice["footer"] == "International Space Agency, Rocket street 1, 10000 Brussels, Belgium"
    assert (await tenant.invoice())["note"] == "Bedankt voor uw vertrouwen."


async def test_a_note_line_whose_smart_codes_are_all_empty_is_left_out(tenant) -> None:
    note = "Please pay to bank account [IBAN].\nReference [document number].\nThanks [unknown code]"
    invoice = await tenant.invoice(note=note)  # the organization has no IBAN
    assert invoice["note"] == f"Reference {invoice['number']}.\nThanks [unknown code]"


async def test_the_footer_drops_empty_parts(new_tenant) -> None:
    tenant = await new_tenant(address="", zip="")
    assert (await tenant.invoice())["footer"] == "International Space Agency, Brussels, Belgium"


async def test_the_issuer_snapshot_takes_request_keys_over_the_organization(tenant) -> None:
    invoice = await tenant.invoice(_documentIssuer={"name": "ISA Trading", "taxNumber": "BE0403170701"})
    issuer = invoice["_documentIssuer"]
    assert issuer["name"] == "ISA Trading" and issuer["taxNumber"] == "BE0403170701"
    assert issuer["city"] == "Brussels" and issuer["countryAlpha2Code"] == "BE"
    assert invoice["signature"] == "ISA Trading"


async def test_a_client_is_reused_by_email_and_created_otherwise(tenant) -> None:
    first = await tenant.invoice()
    again = await tenant.invoice(_documentClient={"name": "Rocket Man Ltd", "email": "ROCKET@example.com"})
    other = await tenant.invoice(_documentClient={"name": "Someone else"})
    assert again["clientId"] == first["clientId"]
    assert other["clientId"] != first["clientId"]
    assert again["_documentClient"]["name"] == "Rocket Man Ltd"
    assert (await tenant.api.get(f"/organizations/{tenant.org_id}/clients/count")).json() == {"count": 2}


async def test_client_id_fills_the_client_snapshot_and_request_keys_win(tenant, expect_error) -> None:
    client = (
        await tenant.api.post(
            f"/organizations/{tenant.org_id}/clients", json={"name": "Mars Corp", "city": "Olympus", "country": "DE"}
        )
    ).json()
    invoice = await tenant.invoice(_documentClient={"city": "Tharsis"}, clientId=client["id"])
    assert invoice["clientId"] == client["id"]
    assert invoice["_documentClient"]["name"] == "Mars Corp" and invoice["_documentClient"]["city"] == "Tharsis"
    assert invoice["_documentClient"]["countryAlpha2Code"] == "DE"
    response = await tenant.api.post(
        f"/organizations/{tenant.org_id}/documents", json={"clientId": "f" * 24, "_documentItems": [item()]}
    )
    assert expect_error(response, 422)["details"]["codes"] == {"clientId": ["invalid"]}


async def test_item_taxes_resolve_by_tax_id_rate_or_classification(tenant, expect_error) -> None:
    taxes = (await tenant.api.get(f"/organizations/{tenant.org_id}/taxes")).json()
    reduced = next(t for t in taxes if t["classification"] == "reduced")
    standard = next(t for t in taxes if t["classification"] == "standard")
    invoice = await tenant.invoice(
        _documentItems=[
            {"name": "a", "price": 100, "_documentItemTaxes": [{"taxId": reduced["id"]}]},
            {"name": "b", "price": 100, "_documentItemTaxes": [{"classification": "standard"}]},
            {"name": "c", "price": 100, "_documentItemTaxes": [{"rate": 21}]},
        ]
    )
    resolved = [line["_documentItemTaxes"][0]["taxId"] for line in invoice["_documentItems"]]
    assert resolved == [reduced["id"], standard["id"], standard["id"]]
    groups = {g["tax"]: g for g in invoice["_documentTaxes"]}
    assert groups[21]["base"] == 200 and groups[21]["totalTax"] == 42
    assert invoice["total"] == 300


async def test_an_unknown_rate_is_a_422_listing_the_rates_that_exist(tenant, expect_error) -> None:
    before = await count_documents(tenant)
    response = await tenant.api.post(
        f"/organizations/{tenant.org_id}/documents",
        json={**given_body(), "_documentItems": [{"name": "x", "price": 1, "_documentItemTaxes": [{"rate": 7}]}]},
    )
    error = expect_error(response, 422)
    message = error["details"]["messages"]["_documentItems.0._documentItemTaxes.0.rate"][0]
    assert "7%" in message and "21%" in message
    assert await count_documents(tenant) == before
    assert (await tenant.api.get(f"/organizations/{tenant.org_id}/clients/count")).json() == {"count": 0}


async def test_a_tax_rate_is_taken_as_valid_on_the_document_date(new_tenant) -> None:
    estonia = await new_tenant(country="Estonia")
    old = await estonia.invoice(
        date="2025-01-15",
        _documentItems=[{"name": "x", "price": 100, "_documentItemTaxes": [{"classification": "standard"}]}],
    )
    new = await estonia.invoice(
        date="2025-08-15",
        _documentItems=[{"name": "x", "price": 100, "_documentItemTaxes": [{"classification": "standard"}]}],
    )
    assert old["_documentTaxes"][0]["tax"] == 22 and new["_documentTaxes"][0]["tax"] == 24


async def test_totals_follow_the_money_engine(tenant) -> None:
    invoice = await tenant.invoice(
        _documentItems=[
            {"name": "a", "price": "55.55", "_documentItemTaxes": [{"rate": 21}]},
            {"name": "b", "price": "11.11", "quantity": 3, "discount": 10, "_documentItemTaxes": [{"rate": 21}]},
            {"name": "gross", "priceGross": 121, "_documentItemTaxes": [{"rate": 21}]},
            {"name": "Section", "isSeparator": True},
        ]
    )
    lines = invoice["_documentItems"]
    assert lines[1]["total"] == 30 and lines[1]["totalDiscount"] == 3.33
    assert lines[2]["price"] == 100
    assert invoice["total"] == 185.55
    assert invoice["_documentTaxes"][0]["totalTax"] == 38.97
    assert invoice["totalWithTax"] == 224.52
    assert lines[3]["isSeparator"] is True and lines[3]["total"] == 0


async def test_inputs_are_cut_at_the_decimal_places_the_document_states_and_stored_as_cut(tenant) -> None:
    line = {"name": "x", "price": "9.999", "quantity": "1.239", "_documentItemTaxes": []}
    stated = await tenant.invoice(decimalPlaces=2, _documentItems=[line])
    assert stated["decimalPlaces"] == 2
    assert stated["_documentItems"][0]["price"] == 9.99 and stated["_documentItems"][0]["quantity"] == 1.23
    assert stated["total"] == 12.29  # 9.99 × 1.23 = 12.2877
    unstated = await tenant.invoice(_documentItems=[line])
    assert unstated["decimalPlaces"] == 9  # as the live API answers (the seed)
    assert unstated["_documentItems"][0]["quantity"] == 1.239
    assert unstated["total"] == 12.39  # 9.999 × 1.239 = 12.388761


async def test_amounts_stay_exact_decimals_on_the_wire(tenant) -> None:
    invoice = await tenant.invoice(
        _documentItems=[{"name": "x", "price": 1234567890123.45, "quantity": "0.001", "_documentItemTaxes": []}]
    )
    raw = (await tenant.api.get(f"/documents/{invoice['id']}")).text
    assert '"price":1234567890123.45' in raw and '"quantity":0.001' in raw
    assert '"total":1234567890.12' in raw


async def test_saved_items_load_into_lines_and_lines_can_be_saved(tenant) -> None:
    saved = (
        await tenant.api.post(
            f"/organizations/{tenant.org_id}/items",
            json={"name": "Helmet", "price": 250, "unit": "pc", "SKU": "HLM-1", "_itemTaxes": [{"rate": 21}]},
        )
    ).json()
    by_id = await tenant.invoice(_documentItems=[{"itemId": saved["id"], "quantity": 2}])
    by_sku = await tenant.invoice(_documentItems=[{"SKU": "HLM-1", "load": True}])
    line = by_id["_documentItems"][0]
    assert line["name"] == "Helmet" and line["total"] == 500 and line["unit"] == "pc" and line["itemId"] == saved["id"]
    assert by_id["hasUnit"] is True and by_id["totalWithTax"] == 605
    assert by_sku["_documentItems"][0]["itemId"] == saved["id"]
    kept = await tenant.invoice(
        _documentItems=[{"name": "Boots", "price": 80, "save": True, "_documentItemTaxes": [{"rate": 21}]}]
    )
    new_item = (await tenant.api.get(f"/items/{kept['_documentItems'][0]['itemId']}")).json()
    assert new_item["name"] == "Boots" and new_item["price"] == 80 and len(new_item["taxIds"]) == 1


async def test_drafts_get_no_number_until_issued_by_replace(tenant, expect_error) -> None:
    draft = await tenant.invoice(draft=True)
    assert draft["draft"] is True and "number" not in draft and "issuedAt" not in draft
    issued_first = await tenant.invoice()
    body = {"_documentClient": {"name": "Rocket man"}, "_documentItems": [item(price=200)]}
    replaced = (await tenant.api.put(f"/documents/{draft['id']}", json={**body, "draft": False})).json()
    assert replaced["number"] == f"{YEAR}-00002" and replaced["issuedAt"] and replaced["total"] == 200
    assert issued_first["number"] == f"{YEAR}-00001"
    expect_error(await tenant.api.put(f"/documents/{draft['id']}", json={**body, "draft": True}), 422)


async def test_only_invoices_can_be_drafts(tenant, expect_error) -> None:
    expect_error(
        await tenant.api.post(
            f"/organizations/{tenant.org_id}/documents", json={**given_body(), "type": "estimate", "draft": True}
        ),
        422,
    )


async def test_issued_invoices_cannot_be_replaced_or_deleted(tenant, expect_error) -> None:
    invoice = await tenant.invoice()
    body = {"_documentClient": {"name": "Rocket man"}, "_documentItems": [item(price=1)]}
    error = expect_error(await tenant.api.put(f"/documents/{invoice['id']}", json=body), 422)
    assert "credit note" in error["message"]
    expect_error(await tenant.api.post(f"/documents/{invoice['id']}/replace", json=body), 422)
    expect_error(await tenant.api.delete(f"/documents/{invoice['id']}"), 422, "INVOICE_NOT_DELETABLE")
    assert (await tenant.api.get(f"/documents/{invoice['id']}")).json()["total"] == 10000


async def test_estimates_can_be_replaced_but_never_change_type(tenant, expect_error) -> None:
    estimate = await tenant.invoice(type="estimate", date="2024-02-01")
    body = {"_documentClient": {"name": "New client"}, "_documentItems": [item(price=50)]}
    replaced = (await tenant.api.post(f"/Documents/{estimate['id']}/replace", json=body)).json()
    assert replaced["type"] == "estimate" and replaced["number"] == estimate["number"]
    assert replaced["date"] == estimate["date"] and replaced["createdAt"] == estimate["createdAt"]
    assert replaced["total"] == 50 and replaced["_documentClient"]["name"] == "New client"
    expect_error(await tenant.api.put(f"/documents/{estimate['id']}", json={**body, "type": "invoice"}), 422)
    expect_error(
        await tenant.api.put(f"/documents/{estimate['id']}", json={**body, "payments": [{"type": "cash"}]}), 422
    )


async def test_cancel_and_uncancel_flip_the_flag(tenant) -> None:
    invoice = await tenant.invoice()
    assert (await tenant.api.post(f"/documents/{invoice['id']}/cancel")).json() == {"success": True}
    assert (await tenant.api.get(f"/documents/{invoice['id']}")).json()["canceled"] is True
    listed = (
        await tenant.api.get(
            f"/organizations/{tenant.org_id}/documents", params={"filter": '{"where":{"canceled":true}}'}
        )
    ).json()
    assert [d["id"] for d in listed] == [invoice["id"]]
    assert (await tenant.api.post(f"/documents/{invoice['id']}/uncancel")).json() == {"success": True}
    assert (await tenant.api.get(f"/documents/{invoice['id']}")).json()["canceled"] is False


async def test_drafts_can_be_deleted(tenant, expect_error) -> None:
    draft = await tenant.invoice(draft=True)
    assert (await tenant.api.delete(f"/documents/{draft['id']}")).json() == {"count": 1}
    expect_error(await tenant.api.get(f"/documents/{draft['id']}"), 404, "MODEL_NOT_FOUND")
    assert await count_documents(tenant) == 0
    deleted = (
        await tenant.api.get(f"/organizations/{tenant.org_id}/documents", params={"filter": '{"deleted":true}'})
    ).json()
    assert [d["id"] for d in deleted] == [draft["id"]]


@pytest.mark.parametrize("doc_type", ["invoice", "advance", "credit-note"])
async def test_issued_legal_documents_refuse_every_change_and_delete_and_their_series_stays_gapless(
    tenant, expect_error, doc_type: str
) -> None:
    first, second = await tenant.invoice(type=doc_type), await tenant.invoice(type=doc_type)
    body = {"_documentClient": {"name": "Someone else"}, "_documentItems": [item(price=1)], "type": doc_type}
    for response in (
        await tenant.api.put(f"/documents/{first['id']}", json=body),
        await tenant.api.post(f"/documents/{first['id']}/replace", json=body),
        await tenant.api.put(f"/documents/{first['id']}", json={**body, "date": "2020-01-01", "number": "X-1"}),
    ):
        assert "cannot be changed" in expect_error(response, 422)["message"]
    expect_error(await tenant.api.delete(f"/documents/{first['id']}"), 422)
    patched = await tenant.api.patch(f"/documents/{first['id']}", json=body)
    assert "cannot be changed" in expect_error(patched, 422)["message"]
    assert (await tenant.api.get(f"/documents/{first['id']}")).json() == {
        k: v for k, v in first.items() if k != "payments"
    }
    third = await tenant.invoice(type=doc_type)
    assert [d["number"] for d in (first, second, third)] == [f"{YEAR}-0000{n}" for n in (1, 2, 3)]


async def test_a_numbered_estimate_is_revised_in_place_but_not_deleted(tenant, expect_error) -> None:
    estimate = await tenant.invoice(type="estimate")
    error = expect_error(await tenant.api.delete(f"/documents/{estimate['id']}"), 422, "DOCUMENT_NOT_DELETABLE")
    assert "cancel it" in error["message"]
    assert (await tenant.api.post(f"/documents/{estimate['id']}/cancel")).json() == {"success": True}


async def test_deleting_a_draft_frees_its_idempotency_key_for_a_new_document(tenant) -> None:
    draft = await tenant.invoice(draft=True, uniqueId="order-17")
    await tenant.api.delete(f"/documents/{draft['id']}")
    again = await tenant.invoice(draft=True, uniqueId="order-17")
    assert again["id"] != draft["id"]
    assert (await tenant.api.get(f"/documents/{again['id']}")).status_code == 200
    assert (await tenant.invoice(draft=True, uniqueId="order-17"))["id"] == again["id"]  # replays the live one


async def test_a_due_date_or_validity_before_the_issue_date_is_refused(tenant, expect_error) -> None:
    error = expect_error(
        await tenant.api.post(
            f"/organizations/{tenant.org_id}/documents",
            json={**given_body(), "date": "2026-03-10", "dateDue": "2026-03-09"},
        ),
        422,
    )
    assert "dateDue" in error["message"] and "before the issue date" in error["message"]
    expect_error(
        await tenant.api.post(
            f"/organizations/{tenant.org_id}/documents",
            json={**given_body(), "type": "estimate", "date": "2026-03-10", "dateValidTill": "2026-01-01"},
        ),
        422,
    )
    same_day = await tenant.invoice(date="2026-03-10", dateDue="2026-03-10")
    assert same_day["dateDue"].startswith("2026-03-10")
    # Days are the organization's (Brussels): 23:00 UTC on 10 March is already 11 March there.
    local = await tenant.invoice(date="2026-03-11T09:00:00Z", dateDue="2026-03-10T23:00:00.000Z")
    assert local["dateDue"].startswith("2026-03-10T23:00")
    assert await count_documents(tenant) == 2


async def test_numbers_follow_dates_within_a_series_unless_the_organization_opts_out(tenant, expect_error) -> None:
    later = await tenant.invoice(date="2025-12-02")
    error = expect_error(
        await tenant.api.post(f"/organizations/{tenant.org_id}/documents", json=invoice_body(date="2025-10-01")),
        422,
    )
    assert "2025-12-02" in error["message"] and "numbering_chronological" in error["message"]
    assert (await tenant.invoice(date="2025-12-02"))["number"] == "2025-00002"  # the same day is fine
    assert (await tenant.invoice(type="estimate", date="2025-10-01"))["number"] == "2025-00001"  # own series
    assert (await tenant.invoice(date="2024-05-05"))["number"] == "2024-00001"  # an earlier year's series
    assert (await tenant.invoice(date="2025-10-01", draft=True)).get("number") is None  # drafts hold no number
    assert (await tenant.invoice(date="2025-12-31", number="IMPORT-1"))["number"] == "IMPORT-1"  # not the series
    assert (await tenant.invoice(date="2025-12-15"))["number"] == "2025-00003"  # so it does not block it
    opted_out = await tenant.api.post(
        f"/organizations/{tenant.org_id}/defaults", json={"name": "numbering_chronological", "value": False}
    )
    assert opted_out.status_code == 200, opted_out.text
    assert (await tenant.invoice(date="2025-10-01"))["number"] == "2025-00004"
    assert later["number"] == "2025-00001"


async def test_a_document_with_payments_is_not_canceled_but_corrected(tenant, expect_error) -> None:
    invoice = await tenant.invoice(payments=[{"type": "bank", "amount": 100}])
    error = expect_error(await tenant.api.post(f"/documents/{invoice['id']}/cancel"), 422, "DOCUMENT_HAS_PAYMENTS")
    assert "credit note" in error["message"]
    assert (await tenant.api.get(f"/documents/{invoice['id']}")).json()["canceled"] is False
    (payment,) = invoice["payments"]
    await tenant.api.delete(f"/payments/{payment['id']}")
    assert (await tenant.api.post(f"/documents/{invoice['id']}/cancel")).json() == {"success": True}


async def test_include_payments_on_get_and_list(tenant) -> None:
    invoice = await tenant.invoice(payments=[{"type": "bank", "amount": 100}, {"type": "cash"}])
    assert [p["amount"] for p in invoice["payments"]] == [100, 12000]
    plain = (await tenant.api.get(f"/documents/{invoice['id']}")).json()
    assert "payments" not in plain and plain["paidInFull"] is True
    included = (await tenant.api.get(f"/documents/{invoice['id']}?filter[include]=payments")).json()
    assert [p["type"] for p in included["payments"]] == ["bank", "cash"]
    listed = (
        await tenant.api.get(
            f"/organizations/{tenant.org_id}/documents", params={"filter": json.dumps({"include": ["payments"]})}
        )
    ).json()
    assert len(listed[0]["payments"]) == 2


async def test_a_payment_array_on_an_estimate_is_refused(tenant, expect_error) -> None:
    expect_error(
        await tenant.api.post(
            f"/organizations/{tenant.org_id}/documents",
            json={**given_body(), "type": "estimate", "payments": [{"type": "cash"}]},
        ),
        422,
    )
    assert await count_documents(tenant) == 0


async def test_unique_id_returns_the_same_document_for_the_same_body(tenant, expect_error, seed_invoice) -> None:
    body = seed_invoice(uniqueId="order-42", payments=[{"type": "card"}])
    url = f"/organizations/{tenant.org_id}/documents"
    first = (await tenant.api.post(url, json=body)).json()
    again = (await tenant.api.post(url, json=body)).json()
    assert again == first
    error = expect_error(await tenant.api.post(url, json={**body, "note": "changed"}), 422)
    assert error["details"]["codes"] == {"uniqueId": ["uniqueness"]}
    assert await count_documents(tenant) == 1
    assert (await tenant.api.get(f"/organizations/{tenant.org_id}/payments/count")).json() == {"count": 1}


async def test_search_documents_by_number_or_client_name(tenant) -> None:
    await tenant.invoice()
    estimate = await tenant.invoice(type="estimate", _documentClient={"name": "Lunar Logistics"})
    found = (await tenant.api.get(f"/organizations/{tenant.org_id}/search-documents", params={"term": "lunar"})).json()
    assert [d["id"] for d in found] == [estimate["id"]]
    by_type = (
        await tenant.api.get(
            f"/organizations/{tenant.org_id}/search-documents", params={"term": f"{YEAR}-0000", "type": "invoice"}
        )
    ).json()
    assert [d["type"] for d in by_type] == ["invoice"]


async def test_get_with_fields_returns_only_those_fields(tenant) -> None:
    invoice = await tenant.invoice()
    partial = (
        await tenant.api.get(
            f"/documents/{invoice['id']}", params={"filter": '{"fields":{"number":true,"total":true}}'}
        )
    ).json()
    assert partial == {"number": invoice["number"], "total": 10000}


async def test_a_credit_note_keeps_the_number_and_date_of_what_it_corrects_and_never_credits_more(
    tenant, expect_error
) -> None:
    invoice = await tenant.invoice(date="2026-12-02")  # 12,100.00 EUR
    url = f"/organizations/{tenant.org_id}/documents"

    def credit(price: str, **extra: object) -> dict:
        lines = [{"name": "Returned", "price": price, "_documentItemTaxes": [{"rate": 21}]}]
        return invoice_body(type="credit-note", documentIds=[invoice["id"]], _documentItems=lines, **extra)

    first = (await tenant.api.post(url, json=credit("4000"))).json()  # 4,840.00
    assert first["_relatedDocuments"] == [
        {
            "id": invoice["id"],
            "type": "invoice",
            "number": invoice["number"],
            "date": "2026-12-02T00:00:00.000Z",
            "amount": 4840,
        }
    ]
    too_much = expect_error(await tenant.api.post(url, json=credit("6000.01")), 422)  # 7,260.01 > 7,260.00 left
    assert "already credited 4840" in too_much["message"] and "at most 7260" in too_much["message"]
    assert (await tenant.api.post(url, json=credit("6000"))).status_code == 200  # exactly what remains
    expect_error(await tenant.api.post(url, json=credit("1")), 422)
    await tenant.api.post(f"/documents/{first['id']}/cancel")  # a canceled credit note credits nothing
    assert (await tenant.api.post(url, json=credit("4000"))).status_code == 200
    expect_error(await tenant.api.post(f"/documents/{first['id']}/uncancel"), 422)  # it would credit too much now

    draft = await tenant.invoice(draft=True)
    in_usd = credit("1", currencyId="USD")
    expect_error(await tenant.api.post(url, json={**credit("1"), "documentIds": [draft["id"]]}), 422)
    assert "currency" in expect_error(await tenant.api.post(url, json=in_usd), 422)["message"]


async def _get(tenant, document: dict) -> dict:
    return (await tenant.api.get(f"/documents/{document['id']}")).json()


def _credit_body(*invoices: dict, price: str) -> dict:
    lines = [{"name": "Returned", "price": price, "_documentItemTaxes": [{"rate": 21}]}]
    return invoice_body(type="credit-note", documentIds=[i["id"] for i in invoices], _documentItems=lines)


async def test_an_invoice_knows_its_credit_notes_and_what_they_leave_due(tenant, expect_error) -> None:
    invoice = await tenant.invoice()  # 12,100.00
    url = f"/organizations/{tenant.org_id}/documents"
    credit = (await tenant.api.post(url, json=_credit_body(invoice, price="1000"))).json()  # 1,210.00

    partly = await _get(tenant, invoice)
    assert (partly["totalCredited"], partly["totalPaid"], partly["totalDue"]) == (1210, 0, 10890)
    assert not partly["paidInFull"]
    assert partly["_referencedBy"] == [
        {"id": credit["id"], "type": "credit-note", "number": credit["number"], "date": credit["date"], "amount": 1210}
    ]
    # The credit note's whole amount went to the invoice: nothing of it is still to be paid back.
    assert (credit["totalCredited"], credit["totalDue"], credit["paidInFull"]) == (1210, 0, True)

    pay = await tenant.api.post(f"/documents/{invoice['id']}/payments", json={"type": "bank", "date": "2026-12-03"})
    assert pay.json()["amount"] == 10890  # a payment's default amount is what is due after the credit
    assert (await _get(tenant, invoice))["paidInFull"]

    refused = expect_error(await tenant.api.post(f"/documents/{invoice['id']}/cancel"), 422)
    assert refused["code"] == "DOCUMENT_HAS_PAYMENTS"
    assert (await tenant.api.post(f"/documents/{credit['id']}/cancel")).status_code == 200
    restored = await _get(tenant, invoice)
    assert (restored["totalCredited"], restored["totalDue"], restored["_referencedBy"]) == (0, 1210, [])
    assert (await tenant.api.post(f"/documents/{credit['id']}/uncancel")).status_code == 200
    assert (await _get(tenant, invoice))["totalDue"] == 0


async def test_crediting_a_paid_invoice_leaves_money_owed_back_to_the_client(tenant) -> None:
    invoice = await tenant.invoice(payments=[{"type": "bank"}])
    url = f"/organizations/{tenant.org_id}/documents"
    await tenant.api.post(url, json=_credit_body(invoice, price="10000"))
    after = await _get(tenant, invoice)
    assert (after["totalCredited"], after["totalPaid"], after["totalDue"]) == (12100, 12100, -12100)


async def test_an_unpaid_invoice_with_a_credit_note_cannot_be_canceled_under_it(tenant, expect_error) -> None:
    invoice = await tenant.invoice()
    url = f"/organizations/{tenant.org_id}/documents"
    credit = (await tenant.api.post(url, json=_credit_body(invoice, price="100"))).json()
    refused = expect_error(await tenant.api.post(f"/documents/{invoice['id']}/cancel"), 422)
    assert refused["code"] == "DOCUMENT_REFERENCED" and credit["number"] in refused["message"]
    assert not (await _get(tenant, invoice))["canceled"]


async def test_a_credit_note_over_two_invoices_credits_each_up_to_what_remains_of_it(tenant, expect_error) -> None:
    small, large = await tenant.invoice(), await tenant.invoice()  # 12,100.00 each
    url = f"/organizations/{tenant.org_id}/documents"
    await tenant.api.post(url, json=_credit_body(small, price="9000"))  # 10,890.00 of the first
    both = (await tenant.api.post(url, json=_credit_body(small, large, price="5000"))).json()  # 6,050.00
    assert [r["amount"] for r in both["_relatedDocuments"]] == [1210, 4840]
    assert [(await _get(tenant, d))["totalDue"] for d in (small, large)] == [0, 7260]
    left = expect_error(await tenant.api.post(url, json=_credit_body(small, large, price="6000.01")), 422)
    assert "at most 7260" in left["message"]


async def test_an_estimate_knows_the_invoice_made_from_it_until_that_invoice_is_canceled(tenant) -> None:
    estimate = await tenant.invoice(type="estimate")
    invoice = await tenant.invoice(documentIds=[estimate["id"]])
    assert [r["id"] for r in (await _get(tenant, estimate))["_referencedBy"]] == [invoice["id"]]
    assert (await tenant.api.post(f"/documents/{invoice['id']}/cancel")).status_code == 200
    assert (await _get(tenant, estimate))["_referencedBy"] == []
    await tenant.api.post(f"/documents/{invoice['id']}/uncancel")
    revised = await tenant.api.put(f"/documents/{estimate['id']}", json=invoice_body(type="estimate", note="v2"))
    assert [r["id"] for r in revised.json()["_referencedBy"]] == [invoice["id"]]  # a revision keeps the link


async def test_a_draft_links_nothing_until_it_is_issued(tenant) -> None:
    estimate = await tenant.invoice(type="estimate")
    draft = await tenant.invoice(draft=True, documentIds=[estimate["id"]])
    assert (await _get(tenant, estimate))["_referencedBy"] == []
    issued = await tenant.api.put(f"/documents/{draft['id']}", json=invoice_body(documentIds=[estimate["id"]]))
    assert [r["number"] for r in (await _get(tenant, estimate))["_referencedBy"]] == [issued.json()["number"]]


async def test_the_vat_rate_in_force_follows_the_organizations_own_calendar_day(new_tenant) -> None:
    tallinn = await new_tenant(country="Estonia")
    standard = [{"name": "Work", "price": 100, "_documentItemTaxes": [{"classification": "standard"}]}]
    # 01:30 on 1 July 2025 in Tallinn (UTC+3) is still 30 June in UTC; Estonia's 24 % applies from 1 July.
    july = await tallinn.invoice(date="2025-06-30T22:30:00Z", _documentItems=standard)
    june = await tallinn.invoice(date="2025-06-30T20:30:00Z", _documentItems=standard, number="J-1")
    assert (july["_documentTaxes"][0]["tax"], june["_documentTaxes"][0]["tax"]) == (24, 22)


async def test_the_numbers_year_is_the_organizations_year_at_midnight(new_tenant) -> None:
    ljubljana = await new_tenant(country="Slovenia")
    # 00:30 on 1 January 2026 in Ljubljana (UTC+1) is 31 December 2025 in UTC.
    lines = [{"name": "Work", "price": 100, "_documentItemTaxes": [{"rate": 22}]}]
    new_year = await ljubljana.invoice(date="2025-12-31T23:30:00Z", _documentItems=lines)
    assert (new_year["number"], new_year["dateYear"]) == ("2026-00001", 2026)


async def test_a_refund_goes_on_the_invoice_not_on_the_credit_note_that_settles_it(tenant, expect_error) -> None:
    invoice = await tenant.invoice(payments=[{"type": "bank"}])
    url = f"/organizations/{tenant.org_id}/documents"
    credit = (await tenant.api.post(url, json=_credit_body(invoice, price="10000"))).json()
    on_credit = {"type": "bank", "date": "2026-12-04", "amount": 12100}
    refused = expect_error(await tenant.api.post(f"/documents/{credit['id']}/payments", json=on_credit), 422)
    assert "negative payment" in refused["message"] and invoice["number"] in refused["message"]
    refund = {**on_credit, "amount": -12100}
    assert (await tenant.api.post(f"/documents/{invoice['id']}/payments", json=refund)).status_code == 200
    settled = await _get(tenant, invoice)
    assert (settled["totalPaid"], settled["totalCredited"], settled["totalDue"]) == (0, 12100, 0)


async def test_a_canceled_credit_note_credits_nothing_even_on_itself(tenant) -> None:
    invoice = await tenant.invoice()
    url = f"/organizations/{tenant.org_id}/documents"
    credit = (await tenant.api.post(url, json=_credit_body(invoice, price="100"))).json()
    await tenant.api.post(f"/documents/{credit['id']}/cancel")
    assert ((await _get(tenant, credit))["totalCredited"], (await _get(tenant, credit))["totalDue"]) == (0, 121)


async def test_an_advance_is_deducted_once_and_then_not_credited(tenant, expect_error) -> None:
    advance = await tenant.invoice(type="advance", payments=[{"type": "bank"}])
    url = f"/organizations/{tenant.org_id}/documents"
    final = await tenant.invoice(documentIds=[advance["id"]])
    second = expect_error(await tenant.api.post(url, json=invoice_body(documentIds=[advance["id"]])), 422)
    assert f"already deducted on invoice {final['number']}" in second["message"]
    credit = expect_error(await tenant.api.post(url, json=_credit_body(advance, price="1")), 422)
    assert f"deducted on invoice {final['number']}" in credit["message"]


async def test_a_document_cannot_refer_to_itself(tenant, expect_error) -> None:
    draft = await tenant.invoice(draft=True)
    itself = invoice_body(draft=True, documentIds=[draft["id"]])
    assert "itself" in expect_error(await tenant.api.put(f"/documents/{draft['id']}", json=itself), 422)["message"]


def _line(category: str | None = None, rate: object = 21, **tax: object) -> dict:
    taxes = {**({"rate": rate} if rate is not None else {}), **({"category": category} if category else {}), **tax}
    return {"name": "Work", "price": 1000, "_documentItemTaxes": [taxes]}


FRENCH_BUSINESS = {"name": "Dupont SA", "country": "France", "taxNumber": "FR61954506077"}


async def test_reverse_charge_keeps_the_rate_adds_no_vat_and_says_why(tenant) -> None:
    document = await tenant.invoice(_documentClient=FRENCH_BUSINESS, _documentItems=[_line("AE")])
    assert (document["total"], document["totalWithTax"], document["_documentTaxes"]) == (1000, 1000, [])
    [reverse] = document["_documentReverseTaxes"]
    assert (reverse["tax"], reverse["base"], reverse["category"]) == (21, 1000, "AE")
    assert document["_documentItems"][0]["_documentItemTaxes"][0]["reverseCharged"] is True
    assert "art. 196 Richtlijn 2006/112/EG" in document["taxClause"]  # the Belgian organization writes Dutch


async def test_zero_rated_categories_need_no_tax_of_the_organization_and_keep_their_own_groups(tenant) -> None:
    lines = [_line("K", rate=None), _line("E", rate=None, exemptionReason="Art. 44 Wbtw"), _line()]
    document = await tenant.invoice(_documentClient={**FRENCH_BUSINESS, "name": "Dupont goods"}, _documentItems=lines)
    groups = {
        (g["category"] if "category" in g else "S", g["tax"], g["base"], g["totalTax"])
        for g in document["_documentTaxes"]
    }
    assert groups == {("K", 0, 1000, 0), ("E", 0, 1000, 0), ("S", 21, 1000, 210)}
    assert document["totalWithTax"] == 3210
    clause = document["taxClause"].splitlines()
    assert clause[0].startswith("Vrijgestelde intracommunautaire levering") and clause[1] == "Art. 44 Wbtw"


async def test_reverse_charge_and_intra_eu_supplies_need_the_clients_valid_vat_number(tenant, expect_error) -> None:
    url = f"/organizations/{tenant.org_id}/documents"
    for client, reason in (
        ({**FRENCH_BUSINESS, "taxNumber": "FR61954506078"}, "not a valid VAT number"),
        ({**FRENCH_BUSINESS, "taxNumber": ""}, "it is missing"),
        ({**FRENCH_BUSINESS, "taxNumber": "DE136695976"}, "not a VAT number of FR"),
    ):
        body = invoice_body(_documentClient=client, _documentItems=[_line("K", rate=None)])
        refused = expect_error(await tenant.api.post(url, json=body), 422)
        assert reason in refused["message"] and "taxNumber" in json.dumps(refused)
    assert await count_documents(tenant) == 0


async def test_a_zero_rated_category_with_a_rate_is_refused(tenant, expect_error) -> None:
    url = f"/organizations/{tenant.org_id}/documents"
    body = invoice_body(_documentClient=FRENCH_BUSINESS, _documentItems=[_line("G", rate=21)])
    assert "cannot have a rate" in expect_error(await tenant.api.post(url, json=body), 422)["message"]


async def test_cross_border_reverse_charge_states_zero_and_a_line_with_a_category_has_one_tax(
    tenant, expect_error
) -> None:
    document = await tenant.invoice(_documentClient=FRENCH_BUSINESS, _documentItems=[_line("AE", rate=None)])
    [reverse] = document["_documentReverseTaxes"]
    assert (reverse["tax"], reverse["totalTax"], reverse["category"], document["totalWithTax"]) == (0, 0, "AE", 1000)
    url = f"/organizations/{tenant.org_id}/documents"
    two = {"name": "Work", "price": 1, "_documentItemTaxes": [{"category": "K"}, {"rate": 21}]}
    body = invoice_body(_documentClient=FRENCH_BUSINESS, _documentItems=[two])
    assert "exactly one tax" in expect_error(await tenant.api.post(url, json=body), 422)["message"]
    domestic = invoice_body(_documentClient={"name": "Jan", "country": "Belgium"}, _documentItems=[_line("G", None)])
    assert "needs a client outside the EU" in expect_error(await tenant.api.post(url, json=domestic), 422)["message"]
    # Out of scope at home (a disbursement): the bare mention, not art. 44's "customer outside the EU".
    at_home = await tenant.invoice(
        _documentClient={"name": "Jan", "country": "Belgium"}, _documentItems=[_line("O", None)]
    )
    assert at_home["taxClause"] == "Niet onderworpen aan btw."
    unprefixed = {**FRENCH_BUSINESS, "taxNumber": "61954506077"}
    assert (
        await tenant.api.post(url, json=invoice_body(_documentClient=unprefixed, _documentItems=[_line("K", None)]))
    ).status_code == 200


async def test_an_invoice_priced_gross_keeps_the_quoted_total(tenant) -> None:
    lines = [
        {"name": "Coffee", "priceGross": "11.90", "_documentItemTaxes": [{"rate": 21}]},
        {"name": "Croissant", "priceGross": "2.80", "_documentItemTaxes": [{"rate": 21}]},
    ]
    document = await tenant.invoice(_documentItems=lines)
    # VAT 2.55 = round(14.70 × 21 ÷ 121), net 12.15 = 14.70 − 2.55 (base × rate = 2.55: BR-CO-17 holds exactly)
    assert (document["total"], document["totalWithTax"]) == (12.15, 14.7)
    assert [line["totalWithTax"] for line in document["_documentItems"]] == [11.9, 2.8]


async def test_a_date_without_time_is_that_calendar_day_west_of_utc_too(new_tenant) -> None:
    new_york = await new_tenant(country="United States")
    lines = [{"name": "Work", "price": 100}]
    new_year = await new_york.invoice(date="2025-01-01", _documentItems=lines)
    assert (new_year["number"], new_year["dateYear"]) == ("2025-00001", 2025)


async def test_a_document_carries_the_keys_v1_sdks_read_null_when_unset(tenant) -> None:
    document = await tenant.invoice()

    assert {"l10n", "dateServiceTo", "_documentConversionRate"} <= set(document)
    assert document["dateServiceTo"] is None and document["_documentConversionRate"] is None
    assert {"itemId", "unit", "SKU", "l10n"} <= set(document["_documentItems"][0])
    for party in ("_documentIssuer", "_documentClient"):
        assert {"state", "email", "phone", "website", "taxSubject"} <= set(document[party]), party
    assert document["_documentIssuer"]["taxSubject"] is False  # the organization's, snapshotted
    assert (await tenant.api.get(f"/documents/{document['id']}")).json()["l10n"] is None


async def test_a_model_level_count_counts_the_callers_organizations_only(new_tenant) -> None:
    ada, bob = await new_tenant(), await new_tenant()
    await ada.invoice()
    await bob.invoice()
    await bob.invoice(type="estimate")

    bobs = await bob.api.get("/documents/count")  # the SDKs' documents.count()
    bobs_estimates = await bob.api.get("/documents/count", params={"where": '{"type": "estimate"}'})
    adas_clients = await ada.api.get("/clients/count")

    assert (bobs.json(), bobs_estimates.json(), adas_clients.json()) == ({"count": 2}, {"count": 1}, {"count": 1})
