"""Bad input never reaches the books: 4xx in LoopBack's error shape, nothing stored, never a 500."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from si_mcp.local.http import MAX_BODY_BYTES

pytestmark = pytest.mark.anyio

GOOD_ITEM = {"name": "Space suit", "price": 100, "_documentItemTaxes": [{"rate": 21}]}


def document(**overrides: object) -> dict:
    return {"_documentClient": {"name": "Rocket man"}, "_documentItems": [GOOD_ITEM], **overrides}


async def assert_nothing_stored(tenant) -> None:
    for resource in ("documents", "clients", "items", "payments"):
        count = (await tenant.api.get(f"/organizations/{tenant.org_id}/{resource}/count")).json()
        assert count == {"count": 0}, resource


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"_documentItems": [',
        b"[1, 2, 3]",
        b'"just a string"',
        b"\xff\xfe\x00garbage",
        b'{"name": "raw \x01 control"}',
        b'{"price": NaN}',
        b"[" * 100_000,
        b'{"a":' * 40 + b"1" + b"}" * 40,
    ],
)
async def test_malformed_bodies_are_a_400(tenant, expect_error, raw: bytes) -> None:
    response = await tenant.api.post(
        f"/organizations/{tenant.org_id}/documents", content=raw, headers={"content-type": "application/json"}
    )
    expect_error(response, 400, "MALFORMED_JSON")
    await assert_nothing_stored(tenant)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (document(_documentItems=[{**GOOD_ITEM, "quantity": "many"}]), "_documentItems.0.quantity"),
        (document(_documentItems=[{**GOOD_ITEM, "price": True}]), "_documentItems.0.price"),
        (document(_documentItems="all of them"), "_documentItems"),
        (document(_documentItems=[]), "_documentItems"),
        (document(type="receipt"), "type"),
        (document(date="yesterday"), "date"),
        (document(currencyId="EURO"), "currencyId"),
        (document(currencyId="XYZ"), "currencyId"),
        (document(sneaky=1), "sneaky"),
        (document(_documentItems=[{**GOOD_ITEM, "sneaky": 1}]), "_documentItems.0.sneaky"),
        (document(_documentClient={"name": "A", "sneaky": 1}), "_documentClient.sneaky"),
        (document(_documentClient=None), "body"),
        (document(_documentItems=[{**GOOD_ITEM, "quantity": -1}], type="estimate"), "_documentItems.0.quantity"),
        (document(_documentItems=[{**GOOD_ITEM, "price": -500}]), "_documentItems"),
        (document(_documentItems=[{**GOOD_ITEM, "discount": -5}]), "_documentItems.0.discount"),
        (document(_documentItems=[{**GOOD_ITEM, "discount": 150}]), "_documentItems.0"),
        (document(_documentItems=[{**GOOD_ITEM, "price": 10**30}]), "_documentItems.0.price"),
        (document(_documentItems=[{**GOOD_ITEM, "price": "1e400"}]), "_documentItems.0.price"),
        (document(_documentItems=[{**GOOD_ITEM, "price": "1e999999999"}]), "_documentItems.0.price"),
        (document(_documentItems=[{**GOOD_ITEM, "quantity": "-1e999999999"}]), "_documentItems.0.quantity"),
        (document(_documentItems=[{**GOOD_ITEM, "quantity": "0.0000000000001"}]), "_documentItems.0.quantity"),
        (document(_documentItems=[{"name": "no price"}]), "_documentItems.0.price"),
        (
            document(_documentItems=[{**GOOD_ITEM, "_documentItemTaxes": [{"rate": 200}]}]),
            "_documentItems.0._documentItemTaxes.0.rate",
        ),
        (document(_documentItems=[{**GOOD_ITEM, "_documentItemTaxes": [{}]}]), "_documentItems.0._documentItemTaxes.0"),
        (document(_documentItems=[{**GOOD_ITEM, "name": "nul\u0000byte"}]), "_documentItems.0.name"),
        (document(note="bell\u0007"), "note"),
        (document(_documentClient={"name": "x" * 301}), "_documentClient.name"),
        (document(payments=[{"type": "card", "amount": "0.001"}]), "payments.0.amount"),
        (document(payments=[{"type": "gold bars"}]), "payments.0.type"),
        (document(decimalPlaces=99), "decimalPlaces"),
        (document(date="9999-12-31T00:00:00Z"), "date"),  # its due date would fall off the calendar
        (document(date="0001-01-01T00:00:00Z"), "date"),
        (document(date="0001-01-01T00:00:00+14:00"), "date"),  # no UTC time at all: not a crash
        (document(dateDue="9999-12-31T23:59:59-05:00"), "dateDue"),
        (document(dateDue="3000-01-01T00:00:00Z"), "dateDue"),
        (document(payments=[{"type": "card", "date": "9999-12-31T23:59:59Z"}]), "payments.0.date"),
        (
            document(_documentItems=[{**GOOD_ITEM, "price": "999999999999999", "quantity": "999999999999999"}]),
            "_documentItems",
        ),
        (
            document(
                _documentItems=[
                    {**GOOD_ITEM, "price": "999999999999999"},
                    {**GOOD_ITEM, "price": "-999999999999999", "_documentItemTaxes": [{"rate": 0, "category": "Z"}]},
                ]
            ),
            "_documentItems",  # totals nothing, but its VAT base alone is more than the books hold
        ),
    ],
)
async def test_invalid_documents_are_a_422_naming_the_field(tenant, expect_error, body: dict, field: str) -> None:
    response = await tenant.api.post(f"/organizations/{tenant.org_id}/documents", json=body)
    error = expect_error(response, 422)
    assert error["name"] == "ValidationError"
    assert any(key.startswith(field) for key in error["details"]["codes"]) or field == "body", error
    await assert_nothing_stored(tenant)


async def test_text_with_newlines_tabs_and_any_script_is_fine(tenant) -> None:
    note = "Line one\n\tLine two — Ελληνικά, Кириллица, 日本語, emoji 🚀"
    invoice = await tenant.invoice(note=note, _documentClient={"name": "Zoë & Søren <b>bold</b>"})
    assert invoice["note"] == note and invoice["_documentClient"]["name"] == "Zoë & Søren <b>bold</b>"


async def test_a_body_over_the_limit_is_a_413(tenant, expect_error) -> None:
    big = json.dumps(document(note="x" * (MAX_BODY_BYTES + 10))).encode()
    expect_error(await tenant.api.post(f"/organizations/{tenant.org_id}/documents", content=big), 413)

    async def chunks() -> AsyncIterator[bytes]:  # no content-length: the limit holds while streaming
        yield b'{"note": "'
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    expect_error(await tenant.api.post(f"/organizations/{tenant.org_id}/documents", content=chunks()), 413)
    await assert_nothing_stored(tenant)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/accounts", {"email": "not an email", "password": "long enough"}),
        ("POST", "/accounts", {"email": "a@example.com", "password": "short"}),
        ("POST", "/accounts/login", {"email": "a@example.com"}),
        ("POST", "/accounts/{account}/organizations", {"name": "No country"}),
        ("POST", "/accounts/{account}/organizations", {"name": "", "country": "BE"}),
        ("PATCH", "/organizations/{org}", {"locale": 5}),
        ("POST", "/organizations/{org}/defaults", {"name": "has spaces", "value": 1}),
        ("POST", "/organizations/{org}/clients", {"name": ""}),
        ("POST", "/organizations/{org}/clients", {"name": "A", "type": "alien"}),
        ("POST", "/organizations/{org}/items", {"name": "A", "SKU": "has space"}),
        ("POST", "/organizations/{org}/taxes", {"name": "A", "_taxRates": [{"rate": -1}]}),
        ("POST", "/organizations/{org}/invite", {"accountId": "x", "role": "owner"}),
    ],
)
async def test_other_resources_validate_their_bodies(tenant, expect_error, method: str, path: str, body: dict) -> None:
    url = path.format(account=tenant.account_id, org=tenant.org_id)
    expect_error(await tenant.api.request(method, url, json=body), 422)


async def test_ids_that_are_not_ids_are_just_unknown(tenant, expect_error) -> None:
    for weird in ("' OR 1=1 --", "%00", "x" * 500, "..%2f..%2fetc"):
        expect_error(await tenant.api.get(f"/documents/{weird}"), 404)


@pytest.mark.sqlite_only
async def test_a_constraint_violation_is_a_409_and_stores_nothing(tenant, expect_error, tmp_path) -> None:
    import sqlite3

    with sqlite3.connect(tmp_path / "t.db") as db:  # stands in for another process writing meanwhile
        db.execute("CREATE TRIGGER refuse BEFORE INSERT ON payments BEGIN SELECT RAISE(ABORT, 'busy'); END")
    response = await tenant.api.post(
        f"/organizations/{tenant.org_id}/documents",
        json={**document(), "payments": [{"type": "card"}]},
    )
    expect_error(response, 409, "CONFLICT")
    await assert_nothing_stored(tenant)


async def test_control_characters_in_ids_and_query_values_are_refused_not_a_server_error(tenant, expect_error) -> None:
    for path in ("/recurrences/%00", "/documents/a%01b/payments", "/clients/%7f"):
        expect_error(await tenant.api.get(path), 404)
    search = await tenant.api.get(f"/organizations/{tenant.org_id}/search-documents", params={"term": "a\x00b"})
    expect_error(search, 422)
    statement = await tenant.api.get(
        f"/organizations/{tenant.org_id}/reports/statement", params={"clientId": "\x00", "from": "2026-01-01"}
    )
    expect_error(statement, 422)


async def test_text_no_encoding_can_store_is_refused_wherever_it_comes_in(tenant, expect_error) -> None:
    """A lone UTF-16 surrogate is valid JSON ("\\ud800") but no text: refused in a body, a filter and a path."""
    docs = f"/organizations/{tenant.org_id}/documents"
    headers = {"content-type": "application/json"}
    body = json.dumps(document(custom={"a": "x"})).replace('"x"', '"\\ud800"')
    in_body = await tenant.api.post(docs, content=body, headers=headers)
    in_filter = await tenant.api.get(docs, params={"filter": '{"where": {"number": "\\ud800"}}'})
    in_path = await tenant.api.get("/documents/%ED%A0%80")

    assert expect_error(in_body, 422)["details"]["messages"]["custom.a"] == ["contains a lone UTF-16 surrogate"]
    expect_error(in_filter, 422)
    expect_error(in_path, 404)
    await assert_nothing_stored(tenant)


@pytest.mark.parametrize(
    "query",
    [
        {"filter": '{"where": {"dateYear": 123456789012345678901234567890}}'},
        {"filter[where][dateYear]": "123456789012345678901234567890"},
        {"filter": '{"where": {"totalWithTax": {"gt": 1e400}}}'},
        {"filter": '{"where": {"totalWithTax": {"gt": "1e999999"}}}'},  # a NUMERIC overflow on PostgreSQL
        {"filter[where][totalWithTax][lt]": "1e-999999999"},
        {"filter": '{"skip": 123456789012345678901234567890}'},
    ],
)
async def test_numbers_no_field_can_hold_in_a_filter_are_refused_not_a_server_error(
    tenant, expect_error, query: dict[str, str]
) -> None:
    response = await tenant.api.get(f"/organizations/{tenant.org_id}/documents", params=query)

    assert response.status_code in (400, 422), response.text
    expect_error(response, response.status_code)


async def test_payments_beyond_what_the_books_can_sum_are_refused(tenant, expect_error) -> None:
    invoice = (await tenant.api.post(f"/organizations/{tenant.org_id}/documents", json=document())).json()
    payment = {"type": "bank", "amount": "999999999999999"}
    answers = [await tenant.api.post(f"/documents/{invoice['id']}/payments", json=payment) for _ in range(3)]

    assert [a.status_code for a in answers[:1]] == [200]
    expect_error(answers[-1], 422)


async def test_a_recurrence_starting_at_the_end_of_the_calendar_is_refused(tenant, expect_error) -> None:
    invoice = (await tenant.api.post(f"/organizations/{tenant.org_id}/documents", json=document())).json()

    refused = await tenant.api.post(
        f"/documents/{invoice['id']}/recurrence", json={"name": "r", "type": "year", "dateFirst": "9999-12-31"}
    )

    expect_error(refused, 422)
