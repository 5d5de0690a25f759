"""Text search over documents: number, reference, client name, item names and note, from an index written in the
same transaction as the document (SQLite FTS5 trigram)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from si_mcp.local.app import LocalAPI

from .conftest import Tenant

pytestmark = pytest.mark.anyio


async def found(tenant: Tenant, term: str, **where: Any) -> list[str]:
    flt = {"where": {"_search": term, **where}, "order": "number ASC"}
    response = await tenant.api.get(f"/organizations/{tenant.org_id}/documents", params={"filter": json.dumps(flt)})
    assert response.status_code == 200, response.text
    return [d.get("number") or d["id"] for d in response.json()]


async def test_search_finds_documents_by_item_client_number_reference_and_note_in_any_case(tenant: Tenant) -> None:
    suit = await tenant.invoice(date="2026-11-01", reference="PO-7781")
    await tenant.invoice(
        date="2026-11-02",
        note="Delivered to the launch pad",
        _documentClient={"name": "Moon Base Alpha", "country": "Belgium"},
        _documentItems=[{"name": "Oxygen tank", "price": 50, "_documentItemTaxes": [{"rate": 21}]}],
    )
    assert await found(tenant, "space SUIT") == [suit["number"]]  # an item name, whatever the case
    assert await found(tenant, "moon base") == ["2026-00002"]  # the client
    assert await found(tenant, "po-7781") == [suit["number"]]  # the reference
    assert await found(tenant, "launch pad") == ["2026-00002"]  # the note
    assert await found(tenant, "2026-0000") == ["2026-00001", "2026-00002"]  # the numbers
    assert await found(tenant, "ox") == ["2026-00002"]  # two letters: no trigram, still found
    assert await found(tenant, "nothing like it") == []
    assert await found(tenant, "tank", type="estimate") == []  # combined with the other conditions


async def test_the_index_follows_a_revised_draft_and_other_tenants_never_match(
    tenant: Tenant, new_tenant: Any, app: LocalAPI
) -> None:
    draft = await tenant.invoice(draft=True)
    body = {
        "draft": True,
        "_documentClient": {"name": "Rocket man"},
        "_documentItems": [{"name": "Helmet", "price": 5}],
    }
    revised = await tenant.api.put(f"/documents/{draft['id']}", json=body)
    assert revised.status_code == 200, revised.text
    assert await found(tenant, "helmet") == [draft["id"]]
    assert await found(tenant, "space suit") == []
    stranger = await new_tenant()
    await stranger.invoice(_documentItems=[{"name": "Helmet", "price": 1, "_documentItemTaxes": [{"rate": 21}]}])
    assert await found(tenant, "helmet") == [draft["id"]]
    async with app.services.db.read() as conn:
        indexed = (await conn.execute(sa.text("SELECT count(*) FROM document_search_fts"))).scalar()
        documents = (await conn.execute(sa.text("SELECT count(*) FROM documents"))).scalar()
    assert indexed == documents == 2


async def test_a_search_term_is_text_not_a_query(tenant: Tenant) -> None:
    await tenant.invoice(
        _documentItems=[{"name": 'The "quoted" AND OR *', "price": 5, "_documentItemTaxes": [{"rate": 21}]}]
    )
    assert await found(tenant, '"quoted" AND') == ["2026-00001"]
    assert await found(tenant, "100%_") == []
    response = await tenant.api.get(
        f"/organizations/{tenant.org_id}/documents", params={"filter": json.dumps({"where": {"_search": 5}})}
    )
    assert response.status_code == 400


async def test_the_v1_search_route_uses_the_index(tenant: Tenant) -> None:
    antenna = await tenant.invoice(
        _documentItems=[{"name": "Antenna", "price": 5, "_documentItemTaxes": [{"rate": 21}]}]
    )
    response = await tenant.api.get(f"/organizations/{tenant.org_id}/search-documents", params={"term": "antenna"})
    assert [d["id"] for d in response.json()] == [antenna["id"]]


async def test_documents_written_before_the_index_are_found_after_the_upgrade(tmp_path: Any) -> None:
    import httpx

    from si_mcp.client import SpaceInvoices
    from si_mcp.local import create_app
    from si_mcp.models import DocumentCreate, OrganizationCreate

    from .test_migrations import downgrade

    url = f"sqlite+aiosqlite:///{tmp_path}/old.db"
    async with SpaceInvoices.local(url, data_dir=tmp_path) as api:
        account = await api.accounts.signup(email="ada@example.com", password="Rocket-launch-2024!")
        api.set_access_token((await api.accounts.login(email="ada@example.com", password="Rocket-launch-2024!")).id)
        org = await api.organizations.create(account.id, body=OrganizationCreate(name="ISA", country="Belgium"))
        body = {"_documentClient": {"name": "Rocket man"}, "_documentItems": [{"name": "Star chart", "price": 3}]}
        made = await api.documents.create(org.id, body=DocumentCreate.model_validate(body))
        token = api.access_token
    downgrade(tmp_path / "old.db", "0008")  # as the previous release left the books: no search index
    app = create_app(database_url=url, data_dir=tmp_path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://local/v1") as http:
        flt = json.dumps({"where": {"_search": "star chart"}})
        response = await http.get(
            f"/organizations/{org.id}/documents", params={"filter": flt}, headers={"Authorization": token or ""}
        )
    await app.aclose()
    assert [d["id"] for d in response.json()] == [made.id]
