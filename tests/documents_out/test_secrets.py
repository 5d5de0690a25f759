"""No secret reaches a log: a whole seed conversation (sign-up of the local account, an organization, an invoice
emailed through an SMTP server that asks for a password, a payment) logged at DEBUG, every record searched for every
secret the process holds."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from si_mcp.server import build_server
from si_mcp.settings import Settings

pytestmark = pytest.mark.anyio

SMTP_PASSWORD = "secret"  # what the loopback server accepts (conftest._user_secret)
CONFIRM_SECRET = "replicas-share-this-confirm-secret-0123"
DATABASE_PASSWORD = "db-pass-not-in-logs"


async def test_a_seed_conversation_logged_at_debug_shows_no_secret(
    tmp_path: Path, smtp_auth_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        SI_MCP_DATA_DIR=tmp_path,
        SI_MCP_SMTP_HOST="127.0.0.1",
        SI_MCP_SMTP_PORT=smtp_auth_server.port,
        SI_MCP_SMTP_SECURITY="none",
        SI_MCP_SMTP_USERNAME="user",
        SI_MCP_SMTP_PASSWORD=SMTP_PASSWORD,
        SI_MCP_CONFIRM_SECRET=CONFIRM_SECRET,
        SI_MCP_CONFIRM=False,
    )
    caplog.set_level(logging.DEBUG)
    async with Client(build_server(settings)) as c:
        await c.call_tool("create_organization", {"name": "ISA", "country": "Belgium", "email": "isa@example.com"})
        created = await c.call_tool(
            "create_invoice",
            {"client": "Rocket man", "client_email": "rocket@example.com", "client_country": "BE",
             "items": [{"name": "Space suit", "price": 100, "tax_rates": [21]}], "send": True},
        )  # fmt: skip
        number = (created.structured_content or {})["document"]["number"]
        paid = await c.call_tool("mark_paid", {"document": number})
        logging.getLogger("si_mcp.test").info(
            "connecting to postgresql+asyncpg://si:%s@db.example:5432/books", DATABASE_PASSWORD
        )
    assert not created.is_error and not paid.is_error
    assert len(smtp_auth_server.received.envelopes) == 1  # the email went out, through AUTH

    [account] = json.loads((tmp_path / "local-account.json").read_text())["accounts"].values()
    secrets = {
        "the local account's access token": account["token"],
        "the local account's password": account["password"],
        "the SMTP password": SMTP_PASSWORD,
        "the SMTP AUTH PLAIN credentials": base64.b64encode(f"\0user\0{SMTP_PASSWORD}".encode()).decode(),
        "the confirmation secret": CONFIRM_SECRET,
        "a database password": DATABASE_PASSWORD,
    }
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]  # mail.log: the test's SMTP server
    assert len(ours) > 50  # DEBUG really was on (SQL, HTTP, the SDK)
    logged = "\n".join(r.getMessage() for r in ours)
    assert [what for what, secret in secrets.items() if secret in logged] == []
