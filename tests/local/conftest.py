"""Plumbing for the local API tests: the app on a real SQLite file, an httpx client over ASGITransport,
tenants (account + token + organization), and the one check of LoopBack's error shape."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import httpx
import pytest

from si_mcp.local import create_app
from si_mcp.local.app import LocalAPI

PASSWORD = "correct horse battery"


def check_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert LoopBack's error body: exactly ``{"error": {statusCode, name, message, code[, details]}}``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert (
        {"statusCode", "name", "message", "code"} <= set(error) <= {"statusCode", "name", "message", "code", "details"}
    )
    assert error["statusCode"] == status
    assert isinstance(error["name"], str) and error["name"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["code"], str) and error["code"]
    if code is not None:
        assert error["code"] == code, error
    if status == 422 and error["name"] == "ValidationError" and "details" in error:
        assert set(error["details"]) == {"context", "codes", "messages"}
        assert set(error["details"]["codes"]) == set(error["details"]["messages"])
    return error  # type: ignore[no-any-return]


@dataclass
class Tenant:
    """A signed-up, logged-in account with one organization, and a client that sends its token."""

    api: httpx.AsyncClient
    account_id: str
    token: str
    email: str
    org_id: str
    org: dict[str, Any]

    async def invoice(self, **overrides: Any) -> dict[str, Any]:
        response = await self.api.post(f"/organizations/{self.org_id}/documents", json=invoice_body(**overrides))
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


def invoice_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "_documentClient": {"name": "Rocket man", "country": "United Kingdom", "email": "rocket@example.com"},
        "_documentItems": [{"name": "Space suit", "quantity": 1, "price": 10000, "_documentItemTaxes": [{"rate": 21}]}],
    }
    body.update(overrides)
    return body


@pytest.fixture
async def app(tmp_path: Path, database_url: str) -> AsyncIterator[LocalAPI]:
    local = create_app(database_url=database_url, data_dir=tmp_path)
    yield local
    await local.aclose()


@pytest.fixture
async def api(app: LocalAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An anonymous client; tenants get their own clients on the same app."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://local/v1") as client:
        yield client


NewTenant = Callable[..., Awaitable[Tenant]]


@pytest.fixture
async def new_tenant(app: LocalAPI) -> AsyncIterator[NewTenant]:
    """Make tenants: ``await new_tenant()`` or ``await new_tenant(country="Germany", name="…")``."""
    clients: list[httpx.AsyncClient] = []
    numbers = count(1)

    async def make(country: str = "Belgium", **org_fields: Any) -> Tenant:
        email = f"user{next(numbers)}@example.com"
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://local/v1")
        clients.append(client)
        account = (await client.post("/accounts", json={"email": email, "password": PASSWORD})).json()
        token = (await client.post("/accounts/login", json={"email": email, "password": PASSWORD})).json()["id"]
        client.headers["Authorization"] = token
        fields = {
            "name": "International Space Agency",
            "address": "Rocket street 1",
            "city": "Brussels",
            "zip": "10000",
            "country": country,
            **org_fields,
        }
        response = await client.post(f"/accounts/{account['id']}/organizations", json=fields)
        assert response.status_code == 200, response.text
        org = response.json()
        return Tenant(client, account["id"], token, email, org["id"], org)

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def tenant(new_tenant: NewTenant) -> Tenant:
    return await new_tenant()


ErrorCheck = Callable[..., dict[str, Any]]


@pytest.fixture
def expect_error() -> ErrorCheck:
    """``expect_error(response, status, code=None)``: assert the error shape, return ``body["error"]``."""
    return check_error


@pytest.fixture
def seed_invoice() -> Callable[..., dict[str, Any]]:
    """The seed's invoice body (without ``payments``/``send``), with overrides."""
    return invoice_body
