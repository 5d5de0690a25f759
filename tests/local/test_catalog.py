"""Clients, items and taxes: CRUD, search, dated tax rates."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_clients_crud_with_patch_and_put(tenant, expect_error) -> None:
    api, org = tenant.api, tenant.org_id
    client = (
        await api.post(
            f"/organizations/{org}/clients",
            json={
                "name": "Mars Corp",
                "email": "ops@mars.example",
                "country": "Netherlands",
                "IBAN": "NL91ABNA0417164300",
            },
        )
    ).json()
    assert (
        client["countryAlpha2Code"] == "NL"
        and client["IBAN"] == "NL91ABNA0417164300"
        and client["organizationId"] == org
    )
    patched = (await api.patch(f"/clients/{client['id']}", json={"city": "Olympus", "custom": {"tier": "gold"}})).json()
    assert patched["city"] == "Olympus" and patched["name"] == "Mars Corp" and patched["custom"] == {"tier": "gold"}
    expect_error(await api.patch(f"/clients/{client['id']}", json={"name": None}), 422)
    replaced = (await api.put(f"/clients/{client['id']}", json={"name": "Mars Inc"})).json()
    assert (
        replaced["name"] == "Mars Inc" and replaced.get("city") is None and replaced["createdAt"] == client["createdAt"]
    )
    assert (await api.get(f"/clients/{client['id']}")).json() == replaced
    assert (await api.get(f"/organizations/{org}/clients/count")).json() == {"count": 1}
    assert (await api.delete(f"/clients/{client['id']}")).json() == {"count": 1}
    expect_error(await api.get(f"/clients/{client['id']}"), 404)
    assert (await api.get(f"/organizations/{org}/clients")).json() == []


async def test_client_search_matches_name_or_email_in_both_routes(tenant) -> None:
    api, org = tenant.api, tenant.org_id
    for name, email in (
        ("Lunar Logistics", "hello@lunar.example"),
        ("Solar Sails", "contact@sails.example"),
        ("Comet Co", None),
    ):
        await api.post(f"/organizations/{org}/clients", json={"name": name, "email": email})
    by_name = (await api.get(f"/organizations/{org}/clients/search", params={"term": "LUNAR"})).json()
    by_email = (await api.get(f"/organizations/{org}/search-clients", params={"term": "sails.example"})).json()
    assert [c["name"] for c in by_name] == ["Lunar Logistics"]
    assert [c["name"] for c in by_email] == ["Solar Sails"]
    assert len((await api.get(f"/organizations/{org}/search-clients", params={"term": "%"})).json()) == 0


async def test_items_crud_with_tax_lookup_and_unique_sku(tenant, expect_error) -> None:
    api, org = tenant.api, tenant.org_id
    taxes = (await api.get(f"/organizations/{org}/taxes")).json()
    reduced = next(t for t in taxes if t["classification"] == "reduced")
    item = (
        await api.post(
            f"/organizations/{org}/items",
            json={
                "name": "Helmet",
                "price": "249.99",
                "SKU": "HLM-1",
                "taxIds": [reduced["id"]],
                "_itemTaxes": [{"rate": 21}],
            },
        )
    ).json()
    assert item["price"] == 249.99 and len(item["taxIds"]) == 2 and item["taxIds"][0] == reduced["id"]
    expect_error(await api.post(f"/organizations/{org}/items", json={"name": "Copy", "SKU": "HLM-1"}), 422)
    expect_error(await api.post(f"/organizations/{org}/items", json={"name": "Bad tax", "taxIds": ["f" * 24]}), 422)
    expect_error(
        await api.post(f"/organizations/{org}/items", json={"name": "No such rate", "_itemTaxes": [{"rate": 99}]}), 422
    )
    replaced = (await api.put(f"/items/{item['id']}", json={"name": "Helmet v2", "SKU": "HLM-1"})).json()
    assert replaced["name"] == "Helmet v2" and replaced["taxIds"] == [] and replaced["id"] == item["id"]
    found = (await api.get(f"/organizations/{org}/items/search", params={"term": "hlm"})).json()
    assert [i["id"] for i in found] == [item["id"]]
    assert (await api.get(f"/organizations/{org}/search-items", params={"term": "v2"})).json()[0]["name"] == "Helmet v2"
    assert (await api.get(f"/organizations/{org}/items/count")).json() == {"count": 1}
    assert (await api.delete(f"/items/{item['id']}")).json() == {"count": 1}
    assert (await api.get(f"/organizations/{org}/items")).json() == []


async def test_taxes_keep_dated_rates_newest_first(tenant, expect_error) -> None:
    api, org = tenant.api, tenant.org_id
    tax = (
        await api.post(
            f"/organizations/{org}/taxes",
            json={
                "name": "Eco levy",
                "abbreviation": "ECO",
                "classification": "additional",
                "_taxRates": [{"rate": 5, "dateValidFrom": "2020-01-01"}, {"rate": 7, "dateValidFrom": "2024-01-01"}],
            },
        )
    ).json()
    assert [r["rate"] for r in tax["_taxRates"]] == [7, 5]
    assert tax["countryAlpha2Code"] == "BE" and tax["recoverable"] is True
    rate = (await api.post(f"/taxes/{tax['id']}/taxRates", json={"rate": "8.5", "dateValidFrom": "2030-01-01"})).json()
    assert rate["rate"] == 8.5
    stored = (await api.get(f"/taxes/{tax['id']}")).json()
    assert [r["rate"] for r in stored["_taxRates"]] == [8.5, 7, 5]
    old = await tenant.invoice(
        date="2021-05-05", _documentItems=[{"name": "x", "price": 100, "_documentItemTaxes": [{"taxId": tax["id"]}]}]
    )
    assert old["_documentTaxes"][0]["tax"] == 5
    assert (await api.delete(f"/taxes/{tax['id']}/taxRates/{rate['id']}")).json() == {"count": 1}
    expect_error(await api.delete(f"/taxes/{tax['id']}/taxRates/{rate['id']}"), 404)
    default_rate = (
        await api.post(f"/organizations/{org}/taxes", json={"name": "Flat", "_taxRates": [{"rate": 1}]})
    ).json()
    assert default_rate["_taxRates"][0]["dateValidFrom"] == "1970-01-01T00:00:00.000Z"
    expect_error(await api.post(f"/organizations/{org}/taxes", json={"name": "No rates", "_taxRates": []}), 422)
    expect_error(
        await api.post(f"/organizations/{org}/taxes", json={"name": "Too high", "_taxRates": [{"rate": 101}]}), 422
    )


async def test_a_tax_used_by_a_document_cannot_be_deleted(tenant, expect_error) -> None:
    api, org = tenant.api, tenant.org_id
    used = (await api.post(f"/organizations/{org}/taxes", json={"name": "Used", "_taxRates": [{"rate": 3}]})).json()
    unused = (await api.post(f"/organizations/{org}/taxes", json={"name": "Unused", "_taxRates": [{"rate": 4}]})).json()
    await tenant.invoice(_documentItems=[{"name": "x", "price": 1, "_documentItemTaxes": [{"taxId": used["id"]}]}])
    expect_error(await api.delete(f"/taxes/{used['id']}"), 422, "TAX_IN_USE")
    assert (await api.delete(f"/taxes/{unused['id']}")).json() == {"count": 1}
    put = (await api.put(f"/taxes/{used['id']}", json={"name": "Used (renamed)", "_taxRates": [{"rate": 3}]})).json()
    assert put["name"] == "Used (renamed)" and put["id"] == used["id"]
    where = '{"name":{"inq":["Used (renamed)","Unused"]}}'
    assert (await api.get(f"/organizations/{org}/taxes/count", params={"where": where})).json() == {"count": 1}


async def test_countries_and_currencies_are_public_reference_data(api) -> None:
    countries = (await api.get("/countries")).json()
    belgium = next(c for c in countries if c["alpha2Code"] == "BE")
    assert belgium["locale"] == "nl-BE" and belgium["currency"] == "EUR"
    assert any(t["abbreviation"] == "BTW 21%" and t["rate"] == "21" for t in belgium["taxes"])
    assert len(countries) >= 240
    currencies = {c["id"]: c for c in (await api.get("/Currencies")).json()}
    assert currencies["JPY"]["decimalDigits"] == 0 and currencies["EUR"]["decimalDigits"] == 2
    assert (currencies["RSD"]["decimalDigits"], currencies["IQD"]["decimalDigits"]) == (2, 3)  # ISO 4217, not CLDR
    assert "XAU" not in currencies and "CLF" not in currencies and currencies["BGN"]["name"] == "Bulgarian Lev"


async def test_items_and_taxes_can_also_be_replaced_through_post_replace(tenant) -> None:
    api, org = tenant.api, tenant.org_id
    item = (await api.post(f"/organizations/{org}/items", json={"name": "Old", "price": 1})).json()
    tax = (await api.post(f"/organizations/{org}/taxes", json={"name": "Old tax", "_taxRates": [{"rate": 2}]})).json()
    assert (await api.post(f"/items/{item['id']}/replace", json={"name": "New", "price": 3})).json()["price"] == 3
    replaced = (
        await api.post(f"/taxes/{tax['id']}/replace", json={"name": "New tax", "_taxRates": [{"rate": 4}]})
    ).json()
    assert replaced["name"] == "New tax" and [r["rate"] for r in replaced["_taxRates"]] == [4]


async def test_a_tax_rate_with_three_decimals_is_charged_at_its_exact_rate(tenant) -> None:
    api, org = tenant.api, tenant.org_id
    qst = (await api.post(f"/organizations/{org}/taxes", json={"name": "QST", "_taxRates": [{"rate": "9.975"}]})).json()
    lines = [{"name": "Consulting", "price": 300, "_documentItemTaxes": [{"taxId": qst["id"]}]}]
    by_id = await tenant.invoice(_documentItems=lines)
    by_rate = await tenant.invoice(_documentItems=[{**lines[0], "_documentItemTaxes": [{"rate": "9.975"}]}])
    # 300.00 × 9.975 % = 29.925 → 29.93 (cut to 9.97 % it would be 29.91)
    for document in (by_id, by_rate):
        assert document["_documentTaxes"][0]["tax"] == 9.975
        assert (document["_documentTaxes"][0]["totalTax"], document["totalWithTax"]) == (29.93, 329.93)
