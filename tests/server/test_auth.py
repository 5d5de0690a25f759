"""Bearer auth over HTTP with OAuth tokens checked by RFC 7662 introspection against an in-process endpoint."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from si_mcp.client import SpaceInvoices
from si_mcp.server.auth import IntrospectionTokenVerifier
from si_mcp.server.runner import HttpConfigError, check_http, http_app

from .conftest import INITIALIZE, JSON_HEADERS, make_settings

BASE = "http://127.0.0.1:8000"
RESOURCE = f"{BASE}/mcp"
ISSUER = "http://auth.example"
INTROSPECT = f"{ISSUER}/introspect"
OAUTH = {
    "SI_MCP_OAUTH_INTROSPECTION_URL": INTROSPECT,
    "SI_MCP_OAUTH_ISSUER_URL": ISSUER,
    "SI_MCP_OAUTH_CLIENT_ID": "si-mcp",
    "SI_MCP_OAUTH_CLIENT_SECRET": "rs-secret",
}
CLIENT_AUTH = "Basic " + base64.b64encode(b"si-mcp:rs-secret").decode()


def introspection_app(asked: list[str]) -> Starlette:
    """An authorization server's introspection endpoint that knows a few tokens."""
    later = int(time.time()) + 3600
    tokens: dict[str, dict[str, Any]] = {
        "good": {"active": True, "aud": RESOURCE, "scope": "invoices", "client_id": "claude", "exp": later},
        "good-list-aud": {"active": True, "aud": ["https://other.example/mcp", RESOURCE], "exp": later},
        "other-audience": {"active": True, "aud": "https://other.example/mcp", "exp": later},
        "no-audience": {"active": True, "exp": later},
        "expired": {"active": True, "aud": RESOURCE, "exp": int(time.time()) - 10},
        "revoked": {"active": False},
    }

    async def introspect(request: Request) -> JSONResponse:
        if request.headers.get("authorization") != CLIENT_AUTH:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        token = str((await request.form()).get("token"))
        asked.append(token)
        return JSONResponse(tokens.get(token, {"active": False}))

    return Starlette(routes=[Route("/introspect", introspect, methods=["POST"])])


@asynccontextmanager
async def serving(tmp_path: Path, api: SpaceInvoices, asked: list[str], **settings: Any) -> AsyncIterator[Any]:
    introspection = httpx2.ASGITransport(app=introspection_app(asked))
    server, app = http_app(
        make_settings(tmp_path, **settings), host="127.0.0.1", port=8000, api=api, introspection_transport=introspection
    )
    async with server.session_manager.run():
        async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE) as http:

            async def status(token: str) -> int:
                headers = {**JSON_HEADERS, "authorization": f"Bearer {token}"}
                return (await http.post("/mcp", json=INITIALIZE, headers=headers)).status_code

            yield http, status


@pytest.mark.anyio
async def test_only_active_unexpired_tokens_issued_for_this_server_are_accepted(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    asked: list[str] = []
    async with serving(tmp_path, api, asked, **OAUTH) as (http, status):
        statuses = {
            token: await status(token)
            for token in ("good", "good-list-aud", "other-audience", "no-audience", "expired", "revoked", "unknown")
        }
        metadata = (await http.get("/.well-known/oauth-protected-resource/mcp")).json()

    assert statuses == {
        "good": 200,
        "good-list-aud": 200,
        "other-audience": 401,
        "no-audience": 401,
        "expired": 401,
        "revoked": 401,
        "unknown": 401,
    }
    assert asked == list(statuses)
    assert metadata["resource"] == RESOURCE
    assert [url.rstrip("/") for url in metadata["authorization_servers"]] == [ISSUER]


@pytest.mark.anyio
async def test_the_static_token_still_works_next_to_introspection_without_asking_the_endpoint(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    asked: list[str] = []
    async with serving(tmp_path, api, asked, SI_MCP_HTTP_TOKEN="s3cret-token", **OAUTH) as (_, status):
        static, oauth = await status("s3cret-token"), await status("good")
    assert (static, oauth) == (200, 200)
    assert asked == ["good"]


@pytest.mark.anyio
async def test_a_required_scope_missing_from_the_token_is_refused(tmp_path: Path, api: SpaceInvoices) -> None:
    asked: list[str] = []
    scopes: dict[str, Any] = {"SI_MCP_OAUTH_REQUIRED_SCOPES": ["invoices"]}
    async with serving(tmp_path, api, asked, SI_MCP_HTTP_TOKEN="s3cret-token", **OAUTH, **scopes) as (_, status):
        with_scope, without_scope, static = (
            await status("good"),
            await status("good-list-aud"),
            await status("s3cret-token"),
        )
    assert (with_scope, without_scope, static) == (200, 403, 200)


@pytest.mark.anyio
async def test_wrong_client_credentials_or_an_unreachable_endpoint_refuse_the_token() -> None:
    asked: list[str] = []
    endpoint = httpx2.ASGITransport(app=introspection_app(asked))
    wrong_secret = IntrospectionTokenVerifier(
        INTROSPECT, resource=RESOURCE, client_id="si-mcp", client_secret="nope", transport=endpoint
    )

    def unreachable(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    down = IntrospectionTokenVerifier(
        INTROSPECT,
        resource=RESOURCE,
        client_id="si-mcp",
        client_secret="rs-secret",
        transport=httpx2.MockTransport(unreachable),
    )
    assert await wrong_secret.verify_token("good") is None
    assert await down.verify_token("good") is None
    assert asked == []


def test_introspection_without_an_issuer_is_refused_and_it_counts_as_auth_beyond_loopback(tmp_path: Path) -> None:
    no_issuer = {key: value for key, value in OAUTH.items() if key != "SI_MCP_OAUTH_ISSUER_URL"}
    with pytest.raises(HttpConfigError) as refused:
        check_http(make_settings(tmp_path, **no_issuer), "127.0.0.1")
    assert "SI_MCP_OAUTH_ISSUER_URL" in str(refused.value)
    check_http(make_settings(tmp_path, SI_MCP_PUBLIC_URL="https://mcp.example.com", **OAUTH), "0.0.0.0")
