"""Organizations (derived from their country), defaults, access grants and next-doc-number."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

pytestmark = pytest.mark.anyio


def defaults_of(org: dict) -> dict:
    return {d["name"]: d["value"] for d in org["_defaults"]}


async def test_a_belgian_organization_gets_locale_currency_timezone_and_btw_taxes(tenant) -> None:
    org = tenant.org
    assert org["countryAlpha2Code"] == "BE"
    assert org["locale"] == "nl-BE"
    assert org["timezone"] == "Europe/Brussels"
    assert org["active"] is True and org["activatedAt"]
    assert defaults_of(org)["currencyId"] == "EUR"
    taxes = (await tenant.api.get(f"/organizations/{tenant.org_id}/taxes")).json()
    standard = [t for t in taxes if t["classification"] == "standard"]
    assert [t["abbreviation"] for t in standard] == ["BTW 21%"]
    assert standard[0]["name"] == "Belasting over de toegevoegde waarde"
    assert standard[0]["_taxRates"][0]["rate"] == 21


async def test_organization_country_may_be_a_native_name_or_an_iso_code(new_tenant) -> None:
    assert (await new_tenant(country="Deutschland")).org["countryAlpha2Code"] == "DE"
    assert (await new_tenant(country="si")).org["countryAlpha2Code"] == "SI"
    usa = await new_tenant(country="United States")
    assert defaults_of(usa.org)["currencyId"] == "USD"
    assert (await usa.api.get(f"/organizations/{usa.org_id}/taxes/count")).json() == {"count": 0}


async def test_an_unknown_country_is_a_422_that_says_what_is_accepted(tenant, expect_error) -> None:
    response = await tenant.api.post(
        f"/accounts/{tenant.account_id}/organizations", json={"name": "X", "country": "Belgiumm"}
    )
    error = expect_error(response, 422)
    message = error["details"]["messages"]["country"][0]
    assert "English or native name" in message and "Belgium" in message
    assert (await tenant.api.get(f"/accounts/{tenant.account_id}/organizations/count")).json() == {"count": 1}


async def test_new_organizations_are_seeded_with_the_documented_defaults(tenant) -> None:
    defaults = defaults_of(tenant.org)
    assert defaults["invoice_dueDays"] == 30
    assert defaults["estimate_validTillDays"] == 30
    assert defaults["invoice_note"] == "Bedankt voor uw vertrouwen."  # nl-BE; payment instructions are the PDF's
    assert {"estimate_note", "advance_note", "credit-note_note", "signature", "footer"} <= set(defaults)
    assert {"email_document", "email_subject", "color_main", "pdf_template"} <= set(defaults)


async def test_get_organization_includes_its_defaults(tenant) -> None:
    org = (await tenant.api.get(f"/Organizations/{tenant.org_id}")).json()
    assert org["name"] == "International Space Agency"
    assert defaults_of(org) == defaults_of(tenant.org)


async def test_patch_changes_only_the_fields_sent(tenant) -> None:
    response = await tenant.api.patch(
        f"/organizations/{tenant.org_id}", json={"IBAN": "BE71 0961 2345 6769", "country": "NL"}
    )
    org = response.json()
    assert org["IBAN"] == "BE71 0961 2345 6769"
    assert org["countryAlpha2Code"] == "NL" and org["country"] == "Netherlands"
    assert org["address"] == "Rocket street 1"
    assert (await tenant.api.get(f"/organizations/{tenant.org_id}")).json()["IBAN"] == "BE71 0961 2345 6769"


async def test_an_account_lists_and_counts_its_organizations_with_filters(new_tenant) -> None:
    ann = await new_tenant()
    await ann.api.post(
        f"/accounts/{ann.account_id}/organizations", json={"name": "Second Ltd", "country": "United Kingdom"}
    )
    listed = (await ann.api.get(f"/accounts/{ann.account_id}/organizations")).json()
    assert sorted(o["name"] for o in listed) == ["International Space Agency", "Second Ltd"]
    where = json.dumps({"countryAlpha2Code": "GB"})
    assert (await ann.api.get(f"/accounts/{ann.account_id}/organizations/count", params={"where": where})).json() == {
        "count": 1
    }
    only = (
        await ann.api.get(
            f"/accounts/{ann.account_id}/organizations?filter[where][name][like]=second&filter[where][name][options]=i"
        )
    ).json()
    assert [o["name"] for o in only] == ["Second Ltd"]


async def test_next_doc_number_follows_the_series_per_type(tenant, expect_error) -> None:
    year = datetime.now(UTC).year
    url = f"/organizations/{tenant.org_id}/next-doc-number"
    assert (await tenant.api.get(url, params={"type": "invoice"})).json() == {"number": f"{year}-00001"}
    await tenant.invoice()
    assert (await tenant.api.get(url, params={"type": "invoice"})).json() == {"number": f"{year}-00002"}
    assert (await tenant.api.get(url, params={"type": "estimate"})).json() == {"number": f"{year}-00001"}
    expect_error(await tenant.api.get(url, params={"type": "receipt"}), 422)


async def test_defaults_can_be_created_read_updated_and_deleted(tenant, expect_error) -> None:
    api, org = tenant.api, tenant.org_id
    created = (await api.post(f"/organizations/{org}/defaults", json={"name": "my_setting", "value": {"a": 1}})).json()
    assert created["value"] == {"a": 1} and created["organizationId"] == org
    expect_error(await api.post(f"/organizations/{org}/defaults", json={"name": "my_setting", "value": 2}), 422)
    assert (await api.get(f"/defaults/{created['id']}")).json()["name"] == "my_setting"
    assert (await api.patch(f"/defaults/{created['id']}", json={"value": "30"})).json()["value"] == "30"
    put = await api.put(f"/organizations/{org}/defaults/{created['id']}", json={"value": 5, "description": "five"})
    assert put.json()["value"] == 5 and put.json()["description"] == "five"
    expect_error(await api.patch(f"/defaults/{created['id']}", json={"name": "renamed"}), 422)
    assert (
        await api.get(f"/organizations/{org}/defaults/count", params={"where": '{"name":"my_setting"}'})
    ).json() == {"count": 1}
    listed = (await api.get(f"/organizations/{org}/defaults?filter[where][name]=my_setting")).json()
    assert [d["value"] for d in listed] == [5]
    assert (await api.delete(f"/defaults/{created['id']}")).json() == {"count": 1}
    expect_error(await api.get(f"/defaults/{created['id']}"), 404, "MODEL_NOT_FOUND")


async def test_a_string_due_days_default_sets_the_due_date(tenant) -> None:
    due_days = next(d for d in tenant.org["_defaults"] if d["name"] == "invoice_dueDays")
    await tenant.api.patch(f"/defaults/{due_days['id']}", json={"value": "15"})
    invoice = await tenant.invoice(date="2024-03-01")
    assert invoice["dateDue"] == "2024-03-16T00:00:00.000Z"


async def test_invited_members_see_the_organization_and_readonly_ones_cannot_write(new_tenant, expect_error) -> None:
    owner, reader, writer = await new_tenant(), await new_tenant(), await new_tenant()
    invite = f"/organizations/{owner.org_id}/invite"
    grant = (await owner.api.post(invite, json={"email": reader.email.upper(), "role": "readonly"})).json()
    assert grant["role"] == "readonly" and grant["accountId"] == reader.account_id
    assert (await owner.api.post(invite, json={"accountId": writer.account_id})).json()["role"] == "default"

    assert (await reader.api.get(f"/organizations/{owner.org_id}")).status_code == 200
    docs = f"/organizations/{owner.org_id}/documents"
    expect_error(
        await reader.api.post(
            docs, json={"_documentClient": {"name": "A"}, "_documentItems": [{"name": "x", "price": 1}]}
        ),
        401,
    )
    assert (
        await writer.api.post(
            docs, json={"_documentClient": {"name": "A"}, "_documentItems": [{"name": "x", "price": 1}]}
        )
    ).status_code == 200
    expect_error(await writer.api.post(invite, json={"accountId": reader.account_id, "role": "admin"}), 401)
    expect_error(await reader.api.patch(f"/organizations/{owner.org_id}", json={"name": "Mine now"}), 401)

    members = (await reader.api.get(f"/organizations/{owner.org_id}/accountorganizations")).json()
    assert sorted(m["role"] for m in members) == ["admin", "default", "readonly"]
    listed = (await reader.api.get(f"/accounts/{reader.account_id}/organizations")).json()
    assert {o["id"] for o in listed} == {reader.org_id, owner.org_id}


async def test_invite_changes_the_role_of_an_existing_member(new_tenant) -> None:
    owner, member = await new_tenant(), await new_tenant()
    invite = f"/organizations/{owner.org_id}/invite"
    await owner.api.post(invite, json={"accountId": member.account_id, "role": "readonly"})
    assert (await owner.api.post(invite, json={"accountId": member.account_id, "role": "admin"})).json()[
        "role"
    ] == "admin"
    assert (await member.api.patch(f"/organizations/{owner.org_id}", json={"city": "Ghent"})).status_code == 200


async def test_invite_needs_an_existing_account(tenant, expect_error) -> None:
    invite = f"/organizations/{tenant.org_id}/invite"
    expect_error(await tenant.api.post(invite, json={"email": "nobody@example.com"}), 422)
    expect_error(await tenant.api.post(invite, json={"role": "admin"}), 422)


async def test_a_timezone_outside_the_iana_list_is_refused(tenant, expect_error) -> None:
    url = f"/organizations/{tenant.org_id}"
    for zone in ("localtime", "Mars/Olympus", "../etc/passwd"):
        assert "IANA" in expect_error(await tenant.api.patch(url, json={"timezone": zone}), 422)["message"]
    assert (await tenant.api.patch(url, json={"timezone": "Europe/Tallinn"})).json()["timezone"] == "Europe/Tallinn"
