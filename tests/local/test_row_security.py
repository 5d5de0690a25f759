"""The second wall on PostgreSQL: row-level security keyed on the organizations of the account a transaction acts
for. A query that forgets its organization filter sees only that account's organizations; a write into another
organization's books is refused; every table of the books is protected, also from its owner; and the API works for
a role that does not own the tables."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from si_mcp.local import create_app, tables
from si_mcp.local.acting import EVERY_ACCOUNT, acting_for
from si_mcp.local.app import LocalAPI
from tests.conftest import _async_url, create_role, postgres

from .conftest import PASSWORD, NewTenant

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not postgres(), reason="row-level security is PostgreSQL's: run scripts/test-postgres"),
]

_UNFILTERED = sa.text("SELECT organization_id, count(*) AS n FROM documents GROUP BY organization_id")


async def _seen(app: LocalAPI, account: str) -> dict[str, int]:
    """Documents per organization that a query without any organization filter returns, acting for ``account``."""
    with acting_for(account):
        async with app.services.db.read() as conn:
            return {row.organization_id: row.n for row in await conn.execute(_UNFILTERED)}


async def test_a_query_without_an_organization_filter_sees_only_the_acting_accounts_organizations(
    app: LocalAPI, new_tenant: NewTenant
) -> None:
    ada, bob = await new_tenant(), await new_tenant()
    await ada.invoice()
    await ada.invoice()
    await bob.invoice()

    assert await _seen(app, ada.account_id) == {ada.org_id: 2}
    assert await _seen(app, bob.account_id) == {bob.org_id: 1}
    assert await _seen(app, "") == {}  # acting for nobody: nothing
    assert await _seen(app, EVERY_ACCOUNT) == {ada.org_id: 2, bob.org_id: 1}


async def test_a_write_into_another_organizations_books_changes_nothing_or_is_refused(
    app: LocalAPI, new_tenant: NewTenant
) -> None:
    ada, bob = await new_tenant(), await new_tenant()
    invoice = await bob.invoice()
    d, c = tables.documents, tables.clients

    with acting_for(ada.account_id):
        async with app.services.db.write() as conn:
            changed = await conn.execute(sa.update(d).where(d.c.id == invoice["id"]).values(number="HACKED"))
            deleted = await conn.execute(sa.delete(c).where(c.c.organization_id == bob.org_id))
        assert changed.rowcount == 0 and deleted.rowcount == 0
        with pytest.raises(DBAPIError, match="row-level security"):
            async with app.services.db.write() as conn:
                row = {"id": uuid.uuid4().hex[:24], "organization_id": bob.org_id, "name": "Planted", "data": "{}"}
                await conn.execute(c.insert().values(**row, created_at=sa.func.now(), updated_at=sa.func.now()))

    assert (await bob.api.get(f"/documents/{invoice['id']}")).json()["number"] == invoice["number"]
    assert [x["name"] for x in (await bob.api.get(f"/organizations/{bob.org_id}/clients")).json()] == ["Rocket man"]


async def test_every_table_of_the_books_is_protected_also_from_its_owner(app: LocalAPI, tenant: Any) -> None:
    books = {t.name for t in tables.metadata.sorted_tables if "organization_id" in t.c} - {"account_organizations"}
    books |= {"organizations", "recurrence_dates"}
    async with app.services.db.read() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, count(p.polname) AS policies "
                "FROM pg_class c LEFT JOIN pg_policy p ON p.polrelid = c.oid "
                "WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace GROUP BY c.oid"
            )
        )
        protected = {r.relname for r in rows if r.relrowsecurity and r.relforcerowsecurity and r.policies}
        superuser = (await conn.execute(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))).scalar()

    assert books <= protected, books - protected
    assert superuser is False  # a superuser would bypass it all: the tests must not run as one


async def test_the_api_works_for_a_role_that_does_not_own_the_tables(
    tmp_path: Path, app: LocalAPI, database_url: str
) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://local/v1") as owner_api:
        assert (await owner_api.get("/countries")).status_code == 200  # migrated by the owner
    role = "si_mcp_app_" + uuid.uuid4().hex[:8]
    database = database_url.rsplit("/", 1)[1]
    create_role(role)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SI_MCP_")} | {"SI_MCP_DATABASE_URL": database_url}
    migrate = [sys.executable, "-m", "si_mcp", "migrate", "--grant", role]  # as the owner, as docs/deploy.md says
    subprocess.run(migrate, env=env, check=True, capture_output=True)
    not_owner = create_app(database_url=_async_url(database, role), data_dir=tmp_path / "app")
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=not_owner), base_url="http://local/v1") as api:
            account = (await api.post("/accounts", json={"email": "ada@example.com", "password": PASSWORD})).json()
            login = await api.post("/accounts/login", json={"email": "ada@example.com", "password": PASSWORD})
            api.headers["Authorization"] = login.json()["id"]
            org = await api.post(f"/accounts/{account['id']}/organizations", json={"name": "Ada", "country": "Belgium"})
            assert org.status_code == 200, org.text
            body = {
                "_documentClient": {"name": "Rocket man", "country": "Belgium"},
                "_documentItems": [{"name": "Space suit", "price": 100, "_documentItemTaxes": [{"rate": 21}]}],
            }
            invoice = await api.post(f"/organizations/{org.json()['id']}/documents", json=body)
            assert invoice.status_code == 200, invoice.text
        async with not_owner.services.db.read() as conn:
            owns = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
            assert (await conn.execute(sa.text(owns))).scalar() == 0
            with pytest.raises(DBAPIError, match="must be owner"):
                await conn.execute(sa.text("ALTER TABLE documents NO FORCE ROW LEVEL SECURITY"))
    finally:
        await not_owner.aclose()
