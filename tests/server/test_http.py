"""Streamable HTTP, in process: stateless JSON, bearer token, DNS-rebinding protection, no open binding."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from si_mcp.client import SpaceInvoices
from si_mcp.server.runner import HttpConfigError, http_app, run_server

from .conftest import INITIALIZE, JSON_HEADERS, SEED_INVOICE, SEED_ORGANIZATION, answering, make_settings, structured

BASE = "http://127.0.0.1:8000"


@asynccontextmanager
async def serving(
    tmp_path: Path, api: SpaceInvoices, headers: dict[str, str] | None = None, **settings: Any
) -> AsyncIterator[httpx2.AsyncClient]:
    server, app = http_app(make_settings(tmp_path, **settings), host="127.0.0.1", port=8000, api=api)
    async with server.session_manager.run():
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url=BASE, headers=headers or {}) as http:
            yield http


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_the_seed_conversation_works_over_stateless_http(tmp_path: Path, api: SpaceInvoices, mode: str) -> None:
    with anyio.fail_after(30):
        async with serving(tmp_path, api) as http:
            async with Client(streamable_http_client(f"{BASE}/mcp", http_client=http), mode=mode) as client:
                assert structured(await client.call_tool("create_organization", SEED_ORGANIZATION))
                invoice = structured(await client.call_tool("create_invoice", SEED_INVOICE))
    assert invoice["document"]["gross"] == "12100.00"


@pytest.mark.anyio
async def test_consent_over_http_uses_elicitation_on_2026_and_a_token_on_legacy_json_http(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    results = {}
    with anyio.fail_after(30):
        async with serving(tmp_path, api) as http:
            for mode in ("auto", "legacy"):
                transport = streamable_http_client(f"{BASE}/mcp", http_client=http)
                async with Client(
                    transport, mode=mode, elicitation_callback=answering("accept", {"confirm": True})
                ) as c:
                    if mode == "auto":
                        await c.call_tool("create_organization", SEED_ORGANIZATION)
                    invoice = structured(
                        await c.call_tool("create_invoice", {**SEED_INVOICE, "payments": None, "note": mode})
                    )
                    number = invoice["document"]["number"]
                    results[mode] = structured(await c.call_tool("cancel_document", {"document": number}))["status"]
    # Stateless JSON HTTP has no back-channel for handshake-era elicitation: the token path takes over.
    assert results == {"auto": "canceled", "legacy": "needs_confirmation"}


@pytest.mark.anyio
async def test_a_token_protected_server_refuses_requests_without_the_right_bearer(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with serving(tmp_path, api, SI_MCP_HTTP_TOKEN="s3cret-token") as http:
        missing = await http.post("/mcp", json=INITIALIZE, headers=JSON_HEADERS)
        wrong = await http.post("/mcp", json=INITIALIZE, headers={**JSON_HEADERS, "authorization": "Bearer nope"})
        right = await http.post(
            "/mcp", json=INITIALIZE, headers={**JSON_HEADERS, "authorization": "Bearer s3cret-token"}
        )
        metadata = await http.get("/.well-known/oauth-protected-resource/mcp")

    assert missing.status_code == 401
    assert (
        'resource_metadata="http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp"'
        in missing.headers["www-authenticate"]
    )
    assert wrong.status_code == 401
    assert right.status_code == 200 and right.json()["result"]["serverInfo"]["name"] == "si-mcp"
    assert metadata.json()["resource"] == "http://127.0.0.1:8000/mcp"


@pytest.mark.anyio
async def test_an_mcp_client_with_the_token_can_work(tmp_path: Path, api: SpaceInvoices) -> None:
    headers = {"authorization": "Bearer s3cret-token"}
    async with serving(tmp_path, api, headers=headers, SI_MCP_HTTP_TOKEN="s3cret-token") as http:
        async with Client(streamable_http_client(f"{BASE}/mcp", http_client=http)) as client:
            listed = await client.call_tool("list_organizations", {})
    assert structured(listed)["organizations"] == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("header", "value", "status"),
    [("host", "evil.example.com", 421), ("host", "localhost", 421), ("origin", "https://evil.example.com", 403)],
)
async def test_foreign_host_and_origin_headers_are_refused(
    tmp_path: Path, api: SpaceInvoices, header: str, value: str, status: int
) -> None:
    async with serving(tmp_path, api) as http:
        response = await http.post("/mcp", json=INITIALIZE, headers={**JSON_HEADERS, header: value})
        allowed = await http.post("/mcp", json=INITIALIZE, headers={**JSON_HEADERS, "origin": "http://localhost:6274"})
    assert response.status_code == status
    assert allowed.status_code == 200


@pytest.mark.anyio
async def test_the_public_host_name_is_allowed_when_configured(tmp_path: Path, api: SpaceInvoices) -> None:
    settings = {"SI_MCP_HTTP_TOKEN": "t0ken-value", "SI_MCP_PUBLIC_URL": "https://mcp.example.com"}
    async with serving(tmp_path, api, headers={"authorization": "Bearer t0ken-value"}, **settings) as http:
        public = await http.post("/mcp", json=INITIALIZE, headers={**JSON_HEADERS, "host": "mcp.example.com"})
        other = await http.post("/mcp", json=INITIALIZE, headers={**JSON_HEADERS, "host": "other.example.com"})
    assert (public.status_code, other.status_code) == (200, 421)


def test_binding_beyond_loopback_without_a_token_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HttpConfigError) as refused:
        http_app(make_settings(tmp_path), host="0.0.0.0", port=8000)
    assert "SI_MCP_HTTP_TOKEN" in str(refused.value)
    with pytest.raises(SystemExit) as exited:
        run_server(make_settings(tmp_path), http=True, host="192.168.1.10", port=8000)
    assert exited.value.code not in (0, None)


def test_a_wildcard_binding_needs_the_public_host_name(tmp_path: Path) -> None:
    with pytest.raises(HttpConfigError) as refused:
        http_app(make_settings(tmp_path, SI_MCP_HTTP_TOKEN="t0ken-value"), host="0.0.0.0", port=8000)
    assert "SI_MCP_PUBLIC_URL" in str(refused.value)


@pytest.mark.anyio
async def test_a_client_hanging_up_halfway_through_its_request_is_an_info_line_not_an_error(
    tmp_path: Path, api: SpaceInvoices, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    server, app = http_app(make_settings(tmp_path), host="127.0.0.1", port=8000, api=api)
    messages = [{"type": "http.request", "body": b'{"jsonrpc": ', "more_body": True}, {"type": "http.disconnect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "method": "POST", "path": "/mcp", "raw_path": b"/mcp", "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
                    (b"accept", b"application/json, text/event-stream")],
        "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000), "scheme": "http", "http_version": "1.1",
        "asgi": {"version": "3.0"},
    }  # fmt: skip
    async with server.session_manager.run():
        await app(scope, receive, send)

    assert [r.getMessage() for r in caplog.records if r.levelno >= 30] == []  # no WARNING or ERROR
    assert any("client disconnected during a request" in r.getMessage() for r in caplog.records)
