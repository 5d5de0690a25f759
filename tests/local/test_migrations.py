"""The schema is versioned: a fresh database migrates to head, upgrades keep data, migrations == tables.py."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from si_mcp.local import create_app
from si_mcp.local.db import migrate
from si_mcp.local.tables import metadata

pytestmark = pytest.mark.anyio

MIGRATIONS = Path(__file__).parent.parent.parent / "si_mcp" / "local" / "migrations"


def downgrade(path: Path, revision: str) -> None:
    """Take a database made by this release back to ``revision``'s schema, as an older release left it. The sessions
    of the test survive (the downgrade of 0015 ends every session; they are put back as stored, so the upgrade on the
    next request keeps them)."""
    from alembic import command

    with sqlite3.connect(path) as db:
        sessions = db.execute("SELECT id, account_id, ttl, created FROM access_tokens").fetchall()
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
    engine.dispose()
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT OR IGNORE INTO access_tokens (id, account_id, ttl, created) VALUES (?, ?, ?, ?)", sessions
        )


def head() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    revision = ScriptDirectory.from_config(config).get_current_head()
    assert revision is not None
    return revision


def test_migrations_produce_exactly_the_schema_of_tables_py(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path}/schema.db")
    with engine.begin() as conn:
        migrate(conn)
        # SQLite's FTS5 index of document_search (a virtual table and its shadow tables) is not in tables.py.
        opts = {
            "include_name": lambda name, kind, _parent: not (kind == "table" and name.startswith("document_search_fts"))
        }
        assert compare_metadata(MigrationContext.configure(conn, opts=opts), metadata) == []
    engine.dispose()


async def test_the_first_request_migrates_a_fresh_database_to_head(tmp_path: Path) -> None:
    app = create_app(database_url=f"sqlite+aiosqlite:///{tmp_path}/fresh.db")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://local/v1") as api:
        assert (await api.get("/currencies")).status_code == 200
    await app.aclose()
    with sqlite3.connect(tmp_path / "fresh.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(head(),)]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert set(metadata.tables) <= tables
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_books_survive_a_restart_and_a_second_upgrade(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/books.db"
    first = create_app(database_url=url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://local/v1") as api:
        account = (await api.post("/accounts", json={"email": "keep@example.com", "password": "keep-password"})).json()
        token = (
            await api.post(
                "/accounts/login", json={"email": "keep@example.com", "password": "keep-password", "ttl": -1}
            )
        ).json()["id"]
        api.headers["Authorization"] = token
        org = (
            await api.post(f"/accounts/{account['id']}/organizations", json={"name": "Keep", "country": "BE"})
        ).json()
        body = {
            "_documentClient": {"name": "C"},
            "_documentItems": [{"name": "x", "price": "19.99", "_documentItemTaxes": [{"rate": 21}]}],
        }
        invoice = (await api.post(f"/organizations/{org['id']}/documents", json=body)).json()
    await first.aclose()

    second = create_app(database_url=url)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=second), base_url="http://local/v1", headers={"Authorization": token}
    ) as api:
        again = (await api.get(f"/documents/{invoice['id']}")).json()
        assert again["totalWithTax"] == invoice["totalWithTax"] == 24.19
        assert (await api.get(f"/organizations/{org['id']}/next-doc-number")).json()["number"].endswith("-00002")
    await second.aclose()


async def test_an_upgrade_links_credit_notes_written_before_documents_knew_their_references(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/old.db"
    first = create_app(database_url=url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://local/v1") as api:
        account = (await api.post("/accounts", json={"email": "old@example.com", "password": "old-password"})).json()
        login = {"email": "old@example.com", "password": "old-password", "ttl": -1}
        api.headers["Authorization"] = (await api.post("/accounts/login", json=login)).json()["id"]
        org = (await api.post(f"/accounts/{account['id']}/organizations", json={"name": "Old", "country": "BE"})).json()
        documents = f"/organizations/{org['id']}/documents"

        def body(price: int, **extra: object) -> dict:
            lines = [{"name": "x", "price": price, "_documentItemTaxes": [{"rate": 21}]}]
            return {"_documentClient": {"name": "C"}, "_documentItems": lines, **extra}

        invoice = (await api.post(documents, json=body(1000))).json()  # 1,210.00
        credit = (await api.post(documents, json=body(100, type="credit-note", documentIds=[invoice["id"]]))).json()
        # A paid invoice credited in full, the refund recorded on the credit note (the old way).
        paid = (await api.post(documents, json=body(1000, payments=[{"type": "bank"}]))).json()
        refunded = (await api.post(documents, json=body(1000, type="credit-note"))).json()
        refund = {"type": "bank", "date": "2026-12-01", "amount": 1210}
        assert (await api.post(f"/documents/{refunded['id']}/payments", json=refund)).status_code == 200
        # A canceled credit note credits nothing.
        other = (await api.post(documents, json=body(1000))).json()
        canceled = (await api.post(documents, json=body(50, type="credit-note", documentIds=[other["id"]]))).json()
        assert (await api.post(f"/documents/{canceled['id']}/cancel")).status_code == 200
        token = api.headers["Authorization"]
    await first.aclose()

    # What the first release stored: documentIds only, no links, the invoice's totalDue ignoring the credit note.
    with sqlite3.connect(tmp_path / "old.db") as db:
        for document_id, data in db.execute("SELECT id, data FROM documents").fetchall():
            stored = json.loads(data)
            for key in ("_relatedDocuments", "_referencedBy", "totalCredited"):
                stored.pop(key, None)
            if document_id == refunded["id"]:
                stored["documentIds"] = [paid["id"]]
            paid_amount = 1210 if document_id in (paid["id"], refunded["id"]) else 0
            stored["totalDue"] = stored["totalWithTax"] - paid_amount
            stored["paidInFull"] = bool(paid_amount)
            compact = json.dumps(stored, separators=(",", ":"))  # as the books write it
            db.execute("UPDATE documents SET data = ? WHERE id = ?", (compact, document_id))

    downgrade(tmp_path / "old.db", "0002")
    second = create_app(database_url=url)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=second), base_url="http://local/v1", headers={"Authorization": token}
    ) as api:
        upgraded = (await api.get(f"/documents/{invoice['id']}")).json()
        upgraded_credit = (await api.get(f"/documents/{credit['id']}")).json()
        after = {d["id"]: d for d in (await api.get(documents, params={"filter": '{"include":"payments"}'})).json()}
    await second.aclose()

    assert (upgraded["totalCredited"], upgraded["totalDue"]) == (121, 1089)
    assert [(r["id"], r["amount"]) for r in upgraded["_referencedBy"]] == [(credit["id"], 121)]
    assert upgraded_credit["_relatedDocuments"][0]["amount"] == 121 and upgraded_credit["totalDue"] == 0
    # The refund moved to the invoice as money paid back: both documents are settled.
    assert sorted(p["amount"] for p in after[paid["id"]]["payments"]) == [-1210, 1210]
    assert (after[paid["id"]]["totalCredited"], after[paid["id"]]["totalDue"]) == (1210, 0)
    assert (after[refunded["id"]]["payments"], after[refunded["id"]]["totalDue"]) == ([], 0)
    assert (after[other["id"]].get("_referencedBy") or [], after[other["id"]]["totalDue"]) == ([], 1210)
    assert after[canceled["id"]]["totalCredited"] == 0


async def test_an_upgrade_replaces_the_first_releases_english_notes_unless_the_organization_changed_them(
    tmp_path: Path,
) -> None:
    from si_mcp.models.notes import FIRST_RELEASE_NOTES

    url = f"sqlite+aiosqlite:///{tmp_path}/notes.db"
    first = create_app(database_url=url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://local/v1") as api:
        account = (await api.post("/accounts", json={"email": "n@example.com", "password": "notes-password"})).json()
        login = {"email": "n@example.com", "password": "notes-password", "ttl": -1}
        api.headers["Authorization"] = token = (await api.post("/accounts/login", json=login)).json()["id"]
        org = (await api.post(f"/accounts/{account['id']}/organizations", json={"name": "N", "country": "FR"})).json()
    await first.aclose()

    with sqlite3.connect(tmp_path / "notes.db") as db:  # as the first release seeded them; one was edited since
        rows = db.execute("SELECT id, name, data FROM defaults WHERE organization_id = ?", (org["id"],)).fetchall()
        for row_id, name, data in rows:
            if name in FIRST_RELEASE_NOTES:
                stored = json.loads(data)
                stored["value"] = "Our own words" if name == "advance_note" else FIRST_RELEASE_NOTES[name]
                compact = json.dumps(stored, separators=(",", ":"), ensure_ascii=False)
                db.execute("UPDATE defaults SET data = ? WHERE id = ?", (compact, row_id))

    downgrade(tmp_path / "notes.db", "0003")
    second = create_app(database_url=url)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=second), base_url="http://local/v1", headers={"Authorization": token}
    ) as api:
        defaults = {d["name"]: d["value"] for d in (await api.get(f"/organizations/{org['id']}/defaults")).json()}
    await second.aclose()

    assert defaults["invoice_note"] == "Merci pour votre confiance."
    assert defaults["estimate_note"].startswith("Ce devis est valable jusqu'au [valid till].")
    assert defaults["advance_note"] == "Our own words"


async def test_an_upgrade_records_the_organizations_language_on_documents_written_before_documents_had_one(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/language.db"
    first = create_app(database_url=url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://local/v1") as api:
        account = (await api.post("/accounts", json={"email": "l@example.com", "password": "language-password"})).json()
        login = {"email": "l@example.com", "password": "language-password", "ttl": -1}
        api.headers["Authorization"] = token = (await api.post("/accounts/login", json=login)).json()["id"]
        org = (await api.post(f"/accounts/{account['id']}/organizations", json={"name": "L", "country": "BE"})).json()
        body = {"_documentClient": {"name": "C"}, "_documentItems": [{"name": "Work", "price": 100}]}
        made = [(await api.post(f"/organizations/{org['id']}/documents", json=body)).json() for _ in range(2)]
    await first.aclose()

    with sqlite3.connect(tmp_path / "language.db") as db:  # as the previous release stored them: no locale
        for document in made:
            stored = json.loads(db.execute("SELECT data FROM documents WHERE id = ?", (document["id"],)).fetchone()[0])
            del stored["locale"]
            compact = json.dumps(stored, separators=(",", ":"), ensure_ascii=False)
            db.execute("UPDATE documents SET data = ? WHERE id = ?", (compact, document["id"]))

    downgrade(tmp_path / "language.db", "0004")
    second = create_app(database_url=url)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=second), base_url="http://local/v1", headers={"Authorization": token}
    ) as api:
        await api.patch(f"/organizations/{org['id']}", json={"locale": "en"})
        after = [(await api.get(f"/documents/{document['id']}")).json() for document in made]
    await second.aclose()

    assert [document["locale"] for document in after] == ["nl-BE", "nl-BE"]  # not the language chosen afterwards


async def test_tokens_issued_before_they_were_stored_hashed_keep_working_and_none_is_stored_in_clear(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/tokens.db"
    first = create_app(database_url=url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://local/v1") as api:
        await api.post("/accounts", json={"email": "t@example.com", "password": "old-password"})
        login = {"email": "t@example.com", "password": "old-password"}
        token = (await api.post("/accounts/login", json=login)).json()["id"]
    await first.aclose()
    downgrade(tmp_path / "tokens.db", "0014")
    with sqlite3.connect(tmp_path / "tokens.db") as db:  # what the older release stored: the token itself
        db.execute("UPDATE access_tokens SET id = ?", (token,))

    second = create_app(database_url=url)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=second), base_url="http://local/v1", headers={"Authorization": token}
    ) as api:
        still = await api.get("/accounts/authorized")
        fresh = (await api.post("/accounts/login", json=login)).json()["id"]
    await second.aclose()

    assert still.status_code == 200, still.text
    with sqlite3.connect(tmp_path / "tokens.db") as db:
        stored = {row[0] for row in db.execute("SELECT id FROM access_tokens")}
    assert token not in stored and fresh not in stored and len(stored) == 2
    dump = (tmp_path / "tokens.db").read_bytes()
    assert fresh.encode() not in dump  # (the old one was in the file before the upgrade: SQLite may keep a free copy)


def test_a_downgrade_past_hashed_tokens_ends_every_session(tmp_path: Path) -> None:
    """The older release looks tokens up as stored: a hash left behind would be a working token to whoever holds
    a copy of the books."""
    from alembic import command

    url = f"sqlite:///{tmp_path}/down.db"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.upgrade(config, "0015")
        conn.execute(sa.text("INSERT INTO accounts (id, email, password_hash, created_at, updated_at, data) "
                             "VALUES ('a', 'a@example.com', 'x', '2026-01-01', '2026-01-01', '{}')"))  # fmt: skip
        conn.execute(sa.text("INSERT INTO access_tokens VALUES ('" + "ab" * 32 + "', 'a', -1, '2026-01-01')"))
        command.downgrade(config, "0014")
        left = conn.execute(sa.text("SELECT count(*) FROM access_tokens")).scalar()
    engine.dispose()

    assert left == 0
