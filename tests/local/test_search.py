"""Text search over documents: number, reference, client name, item names and note, from an index written in the
same transaction as the document (SQLite FTS5 trigram)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from si_mcp.local.app import LocalAPI
from tests.conftest import as_everyone

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


async def test_a_document_holding_every_piece_of_a_term_but_not_the_term_is_not_found(tenant: Tenant) -> None:
    # "abcab abd" holds every trigram of "abcabd" (abc, bca, cab, abd), not the term: the index only narrows.
    await tenant.invoice(date="2026-11-01", _documentClient={"name": "Abcab abd", "country": "Belgium"})
    whole = await tenant.invoice(date="2026-11-02", _documentClient={"name": "Abcabd", "country": "Belgium"})
    # Many documents share the common part: the rare trigrams drive the lookup, the result is the same.
    for day in range(3, 9):
        await tenant.invoice(date=f"2026-11-0{day}", _documentClient={"name": f"Client {day}", "country": "Belgium"})

    assert await found(tenant, "abcabd") == [whole["number"]]
    assert await found(tenant, "client 5") == ["2026-00005"]
    assert await found(tenant, 'a "b') == []


@pytest.mark.sqlite_only
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
    async with as_everyone(app.services.db.read()) as conn:
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


async def status(tenant: Tenant, where: Any) -> tuple[int, Any]:
    response = await tenant.api.get(
        f"/organizations/{tenant.org_id}/documents", params={"filter": json.dumps({"where": where})}
    )
    return response.status_code, response.json()


@pytest.mark.parametrize(
    "term",
    [
        '"',
        '""',
        'a"b',
        "*",
        "NEAR(a b)",
        "^abc",
        "a\x00bc",
        "abc" * 60,
        "é" * 3,
        "😀😀😀",
        "%_\\",
        "col:abc",
        "-abc",
        "AND",
    ],
)
async def test_any_search_term_is_text_never_a_server_error(tenant: Tenant, term: str) -> None:
    await tenant.invoice()
    code, body = await status(tenant, {"_search": term})
    assert code in (200, 400, 422), (code, body)


async def test_a_failed_pragma_optimize_does_not_fail_a_committed_write(
    tenant: Tenant, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from si_mcp.local import db

    original = sa.engine.Connection.exec_driver_sql

    def busy(self: Any, statement: str, *args: Any, **kwargs: Any) -> Any:
        if statement == "PRAGMA optimize":  # another process holds the write lock past busy_timeout
            raise sqlite3.OperationalError("database is locked")
        return original(self, statement, *args, **kwargs)

    monkeypatch.setattr(db, "OPTIMIZE_EVERY", 1)
    monkeypatch.setattr(sa.engine.Connection, "exec_driver_sql", busy)
    from .conftest import invoice_body

    response = await tenant.api.post(f"/organizations/{tenant.org_id}/documents", json=invoice_body())
    monkeypatch.setattr(sa.engine.Connection, "exec_driver_sql", original)
    listed = (await tenant.api.get(f"/organizations/{tenant.org_id}/documents")).json()
    assert (response.status_code, len(listed)) == (200, 1)  # committed, so not reported as failed


async def test_short_unicode_terms_match_in_any_case_like_long_ones(tenant: Tenant) -> None:
    await tenant.invoice(_documentItems=[{"name": "Čaj", "price": 5, "_documentItemTaxes": [{"rate": 21}]}])
    _, three = await status(tenant, {"_search": "čaj"})
    _, two = await status(tenant, {"_search": "ča"})
    assert (len(three), len(two)) == (1, 1)  # SQLite lower() folds ASCII only: the text is case-folded


async def test_a_term_longer_than_200_characters_is_refused_not_cut(tenant: Tenant) -> None:
    await tenant.invoice(note="x" * 200)
    code, _ = await status(tenant, {"_search": "x" * 200 + "y"})
    assert code == 400


@pytest.mark.sqlite_only
async def test_the_index_stays_whole_through_every_write_path(tenant: Tenant, app: Any) -> None:
    from .conftest import invoice_body

    draft = await tenant.invoice(draft=True)
    r = await tenant.api.put(f"/documents/{draft['id']}", json={**invoice_body(), "draft": True, "note": "Rewritten"})
    assert r.status_code == 200, r.text
    r = await tenant.api.put(f"/documents/{draft['id']}", json={**invoice_body(), "draft": False})
    assert r.status_code == 200, r.text
    other = await tenant.invoice(draft=True)
    assert (await tenant.api.delete(f"/documents/{other['id']}")).status_code == 200
    third = await tenant.invoice()
    assert (await tenant.api.post(f"/documents/{third['id']}/cancel")).status_code == 200
    paid = await tenant.api.post(
        f"/documents/{draft['id']}/payments", json={"type": "bank", "amount": 1, "date": "2026-12-06"}
    )
    assert paid.status_code == 200, paid.text
    async with as_everyone(app.services.db.write()) as conn:
        await conn.execute(
            sa.text("INSERT INTO document_search_fts(document_search_fts, rank) VALUES ('integrity-check', 1)")
        )
    _, hits = await status(tenant, {"_search": "rewritten"})
    assert hits == []
    _, hits = await status(tenant, {"_search": r.json()["number"]})
    assert [h["id"] for h in hits] == [draft["id"]]
