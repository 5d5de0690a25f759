"""Plumbing for the documents-out tests: the seed bodies, a renderer, a loopback SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from si_mcp.local.pdf import PdfRenderer
from si_mcp.models import wirejson
from tests.conftest import as_everyone

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture
def seed_document_body() -> dict[str, Any]:
    body = wirejson.loads((FIXTURES / "seed_document.json").read_text())
    assert isinstance(body, dict)
    return body


@pytest.fixture
def seed_organization_body() -> dict[str, Any]:
    body = wirejson.loads((FIXTURES / "seed_organization.json").read_text())
    assert isinstance(body, dict)
    return body


@pytest.fixture
def renderer(tmp_path: Path) -> PdfRenderer:
    return PdfRenderer(cache_dir=tmp_path / "pdf-cache")


@dataclass
class Received:
    """What the loopback SMTP server got: one entry per DATA command."""

    envelopes: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass
class SmtpServer:
    port: int
    received: Received
    controller: Any = None
    authenticator: Any = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        options: dict[str, Any] = {}
        if self.authenticator is not None:
            options = {"authenticator": self.authenticator, "auth_require_tls": False}  # AUTH on plain loopback
        self.controller = Controller(self.received, hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real aiosmtpd server on 127.0.0.1 (sync fixture: the Controller runs its own loop in a thread)."""
    server = SmtpServer(free_port(), Received())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_port_down() -> Iterator[SmtpServer]:
    """A loopback port with no server yet; the test may ``start()`` one there later."""
    server = SmtpServer(free_port(), Received())
    yield server
    server.stop()


def _user_secret(server: Any, session: Any, envelope: Any, mechanism: Any, data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"user", b"secret")
    return AuthResult(success=ok, handled=False)  # handled=False makes aiosmtpd answer 535 instead of hanging


@pytest.fixture
def smtp_auth_server() -> Iterator[SmtpServer]:
    """Like ``smtp_server``, but requiring the login user/secret."""
    server = SmtpServer(free_port(), Received(), authenticator=_user_secret)
    server.start()
    yield server
    server.stop()


# ---------------------------------------------------------------- the local API with documents out

PASSWORD = "Rocket-launch-2024!"


@dataclass
class Shop:
    """One account with one Belgian organization on an embedded API, and an httpx client signed in to it."""

    app: Any
    api: Any
    org_id: str
    data_dir: Path

    @property
    def out(self) -> Any:
        return self.app.services.documents_out

    async def invoice(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "_documentClient": {"name": "Rocket man", "country": "United Kingdom", "email": "rocket@example.com"},
            "_documentItems": [
                {"name": "Space suit", "quantity": 1, "price": 10000, "_documentItemTaxes": [{"rate": 21}]}
            ],
        }
        body.update(overrides)
        response = await self.api.post(f"/organizations/{self.org_id}/documents", json=body)
        assert response.status_code == 200, response.text
        document: dict[str, Any] = response.json()
        return document

    async def outbox(self) -> list[dict[str, Any]]:
        import sqlalchemy as sa

        from si_mcp.local import tables

        async with as_everyone(self.app.services.db.read()) as conn:
            rows = await conn.execute(sa.select(tables.outbox).order_by(tables.outbox.c.created_at))
            return [dict(row._mapping) for row in rows]


@pytest.fixture
async def open_shop(tmp_path: Path, anyio_backend: str, database_url: str) -> Any:
    """``await open_shop(smtp_port=None, folder="a", clock=None, peppol_folder=None, **org_fields)``: a Shop; SMTP on
    loopback when a port is given; ``clock`` replaces the wall clock of recurring invoices; ``peppol_folder``: the
    access point's folder; ``settings``: more SI_MCP_* settings."""
    import httpx

    from si_mcp.local import create_app
    from si_mcp.settings import Settings

    opened: list[Shop] = []

    async def make(
        smtp_port: int | None = None,
        folder: str = "books",
        clock: Any = None,
        peppol_folder: Path | None = None,
        settings: dict[str, Any] | None = None,
        **org_fields: Any,
    ) -> Shop:
        data_dir = tmp_path / folder
        smtp: dict[str, Any] = {}
        if smtp_port is not None:
            smtp = {"SI_MCP_SMTP_HOST": "127.0.0.1", "SI_MCP_SMTP_PORT": smtp_port, "SI_MCP_SMTP_SECURITY": "none"}
        if peppol_folder is not None:
            smtp["SI_MCP_PEPPOL_FOLDER"] = peppol_folder
        smtp.update(settings or {})
        settings = Settings(SI_MCP_DATA_DIR=data_dir, **smtp)
        app = create_app(
            database_url=database_url,
            data_dir=data_dir,
            settings=settings,
            clock=clock,
        )
        api = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://local/v1")
        email = f"owner{len(opened)}@example.com"
        account = (await api.post("/accounts", json={"email": email, "password": PASSWORD})).json()
        login = await api.post("/accounts/login", json={"email": email, "password": PASSWORD})
        if login.status_code != 200:  # a second app on the same books: the account exists already
            raise AssertionError(login.text)
        api.headers["Authorization"] = login.json()["id"]
        fields = {
            "name": "International Space Agency",
            "address": "Rocket street 1",
            "city": "Brussels",
            "zip": "10000",
            "country": "Belgium",
            "email": "billing@isa.example.com",
            **org_fields,
        }
        response = await api.post(f"/accounts/{account['id']}/organizations", json=fields)
        assert response.status_code == 200, response.text
        shop = Shop(app, api, response.json()["id"], data_dir)
        opened.append(shop)
        return shop

    yield make
    for shop in opened:
        await shop.api.aclose()
        await shop.app.aclose()
