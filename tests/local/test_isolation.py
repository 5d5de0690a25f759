"""Tenant isolation: account A, given account B's ids, gets 401 or 404 on every route and changes nothing.

The route list comes from the app itself, so a new route without an entry here fails the test.
"""

from __future__ import annotations

import re

import pytest

from si_mcp.local.routes import all_routes

pytestmark = pytest.mark.anyio

INVOICE = {
    "_documentClient": {"name": "Intruder"},
    "_documentItems": [{"name": "x", "price": 1, "_documentItemTaxes": [{"rate": 21}]}],
}
TAX = {"name": "Stolen", "_taxRates": [{"rate": 1}]}

# (method, path) → body that would succeed on one's own ids, so only the tenant check can refuse it
BODIES: dict[tuple[str, str], dict] = {
    ("POST", "/accounts/{id}/organizations"): {"name": "Mine", "country": "BE"},
    ("PATCH", "/organizations/{id}"): {"name": "Hacked"},
    ("POST", "/organizations/{id}/invite"): {"accountId": "{a_account}", "role": "admin"},
    ("POST", "/organizations/{id}/defaults"): {"name": "evil", "value": 1},
    ("PUT", "/organizations/{id}/defaults/{default_id}"): {"value": 1},
    ("PATCH", "/defaults/{id}"): {"value": 1},
    ("POST", "/organizations/{id}/documents"): INVOICE,
    ("PUT", "/documents/{id}"): INVOICE,
    ("POST", "/documents/{id}/replace"): INVOICE,
    ("POST", "/documents/{id}/send"): {"recipients": "intruder@example.com"},
    ("POST", "/documents/{id}/payments"): {"type": "cash", "amount": 1},
    ("POST", "/organizations/{id}/payments"): {"type": "cash", "amount": 1, "documentId": "{b_document}"},
    ("PUT", "/payments/{id}"): {"type": "cash", "amount": 1},
    ("POST", "/organizations/{id}/clients"): {"name": "x"},
    ("PATCH", "/clients/{id}"): {"name": "x"},
    ("PUT", "/clients/{id}"): {"name": "x"},
    ("POST", "/organizations/{id}/items"): {"name": "x"},
    ("PUT", "/items/{id}"): {"name": "x"},
    ("POST", "/items/{id}/replace"): {"name": "x"},
    ("POST", "/organizations/{id}/taxes"): TAX,
    ("PUT", "/taxes/{id}"): TAX,
    ("POST", "/taxes/{id}/replace"): TAX,
    ("POST", "/taxes/{id}/taxRates"): {"rate": 1},
    ("POST", "/documents/{id}/recurrence"): {"name": "Stolen subscription"},
    ("PUT", "/recurrences/{id}"): {"paused": True},
    ("PATCH", "/recurrences/{id}"): {"paused": True},
    ("PATCH", "/documents/{id}"): {"custom": {"stolen": True}},
    ("POST", "/documents/{id}/comments"): {"text": "x"},
    ("PUT", "/documents/{id}/comments/{fk}"): {"text": "x"},
    ("POST", "/organizations/{id}/units"): {"name": "x"},
    ("PUT", "/units/{id}"): {"name": "x"},
    ("PATCH", "/units/{id}"): {"name": "x"},
    ("POST", "/organizations/{id}/categories"): {"name": "x"},
    ("PUT", "/categories/{id}"): {"name": "x"},
    ("PATCH", "/categories/{id}"): {"name": "x"},
    ("POST", "/documents/{id}/documentCategories"): {"categoryId": "x", "percent": 1},
    ("POST", "/organizations/{id}/webhooks"): {"url": "https://example.com/x", "events": ["*"], "enabled": False},
    ("PATCH", "/webhooks/{id}"): {"url": "https://example.com/stolen"},
    ("PUT", "/webhooks/{id}"): {"url": "https://example.com/stolen"},
    ("PATCH", "/accounts/{id}"): {"firstname": "Stolen"},
    ("PUT", "/organizations/{id}"): {"name": "Hacked"},
    ("POST", "/accountorganizations/{id}/change-role"): {"role": "readonly"},
}

# Reads for admins only: a webhook's URL often carries the receiver's token.
ADMIN_READS = {
    ("GET", "/organizations/{id}/webhooks"),
    ("GET", "/organizations/{id}/webhooks/count"),
    ("GET", "/webhooks/{id}"),
    ("GET", "/webhooks/{id}/deliveries"),
}

# routes whose answer does not depend on whose ids are given
# Query parameters a route needs to answer at all ({clients}: B's client).
QUERIES: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/organizations/{id}/reports/statement"): {"clientId": "{clients}"},
    ("GET", "/documents/{id}/actions"): {"key": "{documents}"},  # any visible text is a key: here, one never used
    ("GET", "/organizations/{id}/is-unique-doc-number"): {"number": "{documents}"},
}

OPEN = {
    ("POST", "/accounts"),
    ("POST", "/accounts/login"),
    ("POST", "/accounts/logout"),
    ("POST", "/accounts/change-password"),  # the caller's own account: no id of anyone else's to give
    ("GET", "/accounts/authorized"),
    ("GET", "/accounts/is-unique"),  # whether an email has an account: public in v1, throttled here
    ("GET", "/accounts/count"),  # declined: answers NOT_SUPPORTED to everyone
    ("GET", "/accounts/confirm"),  # declined
    ("GET", "/accounts/organizations"),  # the caller's own organizations: no id to give
    ("GET", "/countries"),
    ("GET", "/currencies"),
    ("GET", "/openapi.json"),
    ("GET", "/documents/count"),  # the caller's own organizations only
    ("GET", "/payments/count"),
    ("GET", "/clients/count"),
    ("GET", "/items/count"),
    ("GET", "/taxes/count"),
    ("GET", "/recurrences/count"),
    ("GET", "/units/count"),
    ("GET", "/categories/count"),
    ("GET", "/documents/public/{shareable_id}"),  # the link is the key: whoever holds it reads that one document
    ("GET", "/documents/public/{shareable_id}/pdf"),
}


async def snapshot(tenant) -> dict:
    """Everything B owns, as B sees it (deleted rows included)."""
    api, org = tenant.api, tenant.org_id
    every = {"filter": '{"deleted": true}'}
    state = {"org": (await api.get(f"/organizations/{org}")).json()}
    for resource in ("documents", "payments", "clients", "items", "taxes", "defaults"):
        state[resource] = (await api.get(f"/organizations/{org}/{resource}", params=every)).json()
    state["recurrences"] = (await api.get(f"/organizations/{org}/recurrences")).json()
    state["access"] = (await api.get(f"/organizations/{org}/accountorganizations")).json()
    state["organizations"] = (await api.get(f"/accounts/{tenant.account_id}/organizations")).json()
    state["logo"] = (await api.get(f"/organizations/{org}/images")).content
    for resource in ("units", "categories", "webhooks"):
        state[resource] = (await api.get(f"/organizations/{org}/{resource}")).json()
    for document in state["documents"]:
        for part in ("comments", "documentCategories"):
            state[f"{part}:{document['id']}"] = (await api.get(f"/documents/{document['id']}/{part}")).json()
    return state


async def b_books(b) -> dict[str, str]:
    invoice = await b.invoice(payments=[{"type": "card"}])
    await b.invoice(type="estimate")
    client = (await b.api.post(f"/organizations/{b.org_id}/clients", json={"name": "B's client"})).json()
    item = (await b.api.post(f"/organizations/{b.org_id}/items", json={"name": "B's item", "price": 5})).json()
    tax = (
        await b.api.post(f"/organizations/{b.org_id}/taxes", json={"name": "B's tax", "_taxRates": [{"rate": 9}]})
    ).json()
    default = b.org["_defaults"][0]
    recurrence = (await b.api.post(f"/documents/{invoice['id']}/recurrence", json={"name": "B's subscription"})).json()
    unit = (await b.api.post(f"/organizations/{b.org_id}/units", json={"name": "h"})).json()
    category = (await b.api.post(f"/organizations/{b.org_id}/categories", json={"name": "Sales"})).json()
    allocation = (
        await b.api.post(f"/documents/{invoice['id']}/documentCategories", json={"categoryId": category["id"]})
    ).json()
    comment = (await b.api.post(f"/documents/{invoice['id']}/comments", json={"text": "B's note"})).json()
    shared = (await b.api.post(f"/documents/{invoice['id']}/share")).json()
    logo = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'
    await b.api.post(f"/organizations/{b.org_id}/images", files={"file": ("logo.svg", logo)})
    hook = {"url": "https://example.com/b", "events": ["*"], "enabled": False}  # never posts: no network in tests
    webhook = (await b.api.post(f"/organizations/{b.org_id}/webhooks", json=hook)).json()
    [grant] = (await b.api.get(f"/organizations/{b.org_id}/accountorganizations")).json()
    return {
        "token_id": "0" * 64,  # no session of A's has it; B's own ids are never listed to A
        "accountorganizations": grant["id"],
        "webhooks": webhook["id"],
        "units": unit["id"],
        "categories": category["id"],
        "documentCategories": allocation["id"],
        "fk": comment["id"],
        "shareable_id": shared["shareableId"],
        "recurrences": recurrence["id"],
        "organizations": b.org_id,
        "accounts": b.account_id,
        "documents": invoice["id"],
        "payments": invoice["payments"][0]["id"],
        "clients": client["id"],
        "items": item["id"],
        "taxes": tax["id"],
        "defaults": default["id"],
        "default_id": default["id"],
        "rate_id": tax["_taxRates"][0]["id"],
    }


def fill(template: str, ids: dict[str, str]) -> str:
    first = template.strip("/").split("/")[0]
    path = template.replace("{id}", ids[first])
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


def fill_body(value: object, ids: dict[str, str], a_account: str) -> object:
    if isinstance(value, dict):
        return {k: fill_body(v, ids, a_account) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_body(v, ids, a_account) for v in value]
    return (
        {"{a_account}": a_account, "{b_document}": ids["documents"]}.get(value, value)
        if isinstance(value, str)
        else value
    )


async def test_every_route_refuses_another_tenants_ids(new_tenant, expect_error) -> None:
    a, b = await new_tenant(), await new_tenant()
    ids = await b_books(b)
    before = await snapshot(b)
    tried = set()
    for route in all_routes():
        key = (route.method, route.path)
        if key in OPEN:
            continue
        tried.add(key)
        body = fill_body(BODIES.get(key, {}), ids, a.account_id)
        query = {k: ids[v.strip("{}")] for k, v in QUERIES.get(key, {}).items()}
        response = await a.api.request(
            route.method, fill(route.path, ids), json=body if route.method != "GET" else None, params=query
        )
        error = expect_error(response, response.status_code)
        assert response.status_code in (401, 404), (key, response.status_code, error)
    assert tried == {(r.method, r.path) for r in all_routes()} - OPEN
    assert set(BODIES) <= tried, "a body is listed for a route that no longer exists"
    assert await snapshot(b) == before


async def test_ids_of_another_tenant_in_a_body_are_refused(new_tenant, expect_error) -> None:
    a, b = await new_tenant(), await new_tenant()
    ids = await b_books(b)
    docs = f"/organizations/{a.org_id}/documents"
    item = {"name": "x", "price": 1, "_documentItemTaxes": [{"rate": 21}]}
    for body in (
        {"clientId": ids["clients"], "_documentItems": [item]},
        {"_documentClient": {"name": "x"}, "_documentItems": [{"itemId": ids["items"]}]},
        {
            "_documentClient": {"name": "x"},
            "_documentItems": [{"name": "x", "price": 1, "_documentItemTaxes": [{"taxId": ids["taxes"]}]}],
        },
        {"_documentClient": {"name": "x"}, "_documentItems": [item], "documentIds": [ids["documents"]]},
    ):
        expect_error(await a.api.post(docs, json=body), 422)
    expect_error(
        await a.api.post(
            f"/organizations/{a.org_id}/payments", json={"type": "cash", "amount": 1, "documentId": ids["documents"]}
        ),
        422,
    )
    expect_error(
        await a.api.post(f"/organizations/{a.org_id}/items", json={"name": "x", "taxIds": [ids["taxes"]]}), 422
    )
    own = await a.invoice(payments=[{"type": "card"}])
    expect_error(
        await a.api.put(
            f"/payments/{own['payments'][0]['id']}", json={"type": "cash", "amount": 1, "documentId": ids["documents"]}
        ),
        422,
    )


async def test_lists_never_show_another_tenants_rows(new_tenant) -> None:
    a, b = await new_tenant(), await new_tenant()
    await b_books(b)
    mine = await a.invoice()
    listed = (await a.api.get(f"/organizations/{a.org_id}/documents")).json()
    assert [d["id"] for d in listed] == [mine["id"]]
    assert (await a.api.get(f"/organizations/{a.org_id}/search-documents", params={"term": "rocket"})).json()[0][
        "id"
    ] == mine["id"]
    assert (await a.api.get(f"/organizations/{a.org_id}/clients/search", params={"term": "B's"})).json() == []
    organizations = (await a.api.get(f"/accounts/{a.account_id}/organizations")).json()
    assert [o["id"] for o in organizations] == [a.org_id]


async def test_a_readonly_member_can_read_but_every_write_is_refused(new_tenant, expect_error) -> None:
    owner, reader = await new_tenant(), await new_tenant()
    ids = await b_books(owner)
    await owner.api.post(
        f"/organizations/{owner.org_id}/invite", json={"accountId": reader.account_id, "role": "readonly"}
    )
    before = await snapshot(owner)
    for route in all_routes():
        key = (route.method, route.path)
        if key in OPEN or route.path.startswith("/accounts/{id}"):
            continue
        body = fill_body(BODIES.get(key, {}), ids, reader.account_id)
        query = {k: ids[v.strip("{}")] for k, v in QUERIES.get(key, {}).items()}
        response = await reader.api.request(
            route.method, fill(route.path, ids), json=body if route.method != "GET" else None, params=query
        )
        if key in ADMIN_READS:
            expect_error(response, 401, "AUTHORIZATION_REQUIRED")
        elif route.method == "GET":
            # These books lack what a Peppol e-invoice needs (VAT numbers): the reader is told so, not refused.
            incomplete = response.status_code == 422 and response.json()["error"]["code"] in (
                "EINVOICE_INCOMPLETE",
                "EINVOICE_INVALID",  # the rule that names what is missing (a VAT number)
            )
            e_invoice = key in {("GET", "/documents/{id}/ubl"), ("GET", "/documents/{id}/factur-x")}
            assert response.status_code == 200 or (e_invoice and incomplete), (
                key,
                response.text,
            )
        else:
            expect_error(response, 401, "AUTHORIZATION_REQUIRED")
    assert await snapshot(owner) == before
