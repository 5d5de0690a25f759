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
