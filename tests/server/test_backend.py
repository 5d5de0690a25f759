"""Which books the server opens, when, and with which account."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client

from si_mcp.client import SpaceInvoices
from si_mcp.server import build_server
from si_mcp.server.backend import CREDENTIALS_FILE

from .conftest import SEED_ORGANIZATION, make_settings, structured, text_of

HEAVY = ["aiosmtplib", "babel", "httpx", "si_mcp.client", "si_mcp.local", "si_mcp.models", "sqlalchemy", "typst"]


def test_starting_and_listing_tools_imports_nothing_heavy() -> None:
    script = (
        "import sys, anyio\n"
        "import si_mcp.cli, si_mcp.server.runner\n"
        "from si_mcp.settings import Settings\n"
        "from si_mcp.server import build_server\n"
        "anyio.run(build_server(Settings()).list_tools)\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.anyio
async def test_the_books_open_on_the_first_call_not_at_start(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    async with Client(build_server(settings)) as client:
        await client.list_tools()
        await client.list_prompts()
        assert not settings.data_dir.exists()
        structured(await client.call_tool("list_organizations", {}))
        assert (settings.data_dir / CREDENTIALS_FILE).exists()


@pytest.mark.anyio
async def test_the_next_start_reuses_the_local_account(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/books.db"
    settings = make_settings(tmp_path)
    async with SpaceInvoices.local(url) as api, Client(build_server(settings, api=api)) as client:
        structured(await client.call_tool("create_organization", SEED_ORGANIZATION))
    stored = json.loads((settings.data_dir / CREDENTIALS_FILE).read_text())
    async with SpaceInvoices.local(url) as api, Client(build_server(settings, api=api)) as client:
        listed = structured(await client.call_tool("list_organizations", {}))
    assert [org["name"] for org in listed["organizations"]] == ["International Space Agency"]
    assert json.loads((settings.data_dir / CREDENTIALS_FILE).read_text()) == stored


@pytest.mark.anyio
async def test_an_expired_token_is_renewed_with_the_stored_password(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/books.db"
    settings = make_settings(tmp_path)
    async with SpaceInvoices.local(url) as api, Client(build_server(settings, api=api)) as client:
        structured(await client.call_tool("create_organization", SEED_ORGANIZATION))
    path = settings.data_dir / CREDENTIALS_FILE
    stored = json.loads(path.read_text())
    entry = next(iter(stored["accounts"].values()))
    entry["token"] = "revoked-token"
    path.write_text(json.dumps(stored))
    async with SpaceInvoices.local(url) as api, Client(build_server(settings, api=api)) as client:
        listed = structured(await client.call_tool("list_organizations", {}))
    assert len(listed["organizations"]) == 1
    assert next(iter(json.loads(path.read_text())["accounts"].values()))["token"] != "revoked-token"


@pytest.mark.anyio
async def test_with_an_access_token_the_server_acts_for_that_account(tmp_path: Path) -> None:
    async with SpaceInvoices.local(f"sqlite+aiosqlite:///{tmp_path}/remote.db") as api:
        await api.accounts.signup(email="ada@example.com", password="Rocket-launch-2024!")
        token = await api.accounts.login(email="ada@example.com", password="Rocket-launch-2024!")
        api.set_access_token(token.id)
        settings = make_settings(tmp_path, SPACEINVOICES_ACCESS_TOKEN=token.id)
        async with Client(build_server(settings, api=api)) as client:
            created = structured(await client.call_tool("create_organization", SEED_ORGANIZATION))
        mine = await api.organizations.list(token.user_id)
    assert [org.id for org in mine] == [created["organization"]["id"]]
    assert not (settings.data_dir / CREDENTIALS_FILE).exists()  # no local account for the real API


@pytest.mark.anyio
async def test_books_that_cannot_be_opened_are_a_clear_tool_error(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    async with Client(build_server(make_settings(tmp_path))) as client:
        result = await client.call_tool("list_organizations", {})
    assert result.is_error
    assert "Could not open the books" in text_of(result) and "Traceback" not in text_of(result)


@pytest.mark.anyio
async def test_a_malformed_access_token_is_a_clear_tool_error(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, SPACEINVOICES_ACCESS_TOKEN="two words")
    async with Client(build_server(settings)) as client:
        result = await client.call_tool("list_organizations", {})
    assert result.is_error and "SPACEINVOICES_ACCESS_TOKEN" in text_of(result)
