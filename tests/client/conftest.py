"""Plumbing for the client tests: a fake clock, clients over a mock transport, and the embedded API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from si_mcp.client import SpaceInvoices
from si_mcp.models import Account, Organization, OrganizationCreate

Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]
MockClientFactory = Callable[..., SpaceInvoices]

MOCK_BASE_URL = "https://api.test/v1"


class FakeClock:
    """Time moves only when the client sleeps or a handler says so; nothing really waits."""

    def __init__(self) -> None:
        self.time = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.time

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def mock_client(clock: FakeClock) -> MockClientFactory:
    """``mock_client(handler, **options)``: a SpaceInvoices whose requests go to ``handler``."""

    def build(handler: Handler, **options: Any) -> SpaceInvoices:
        options.setdefault("base_url", MOCK_BASE_URL)
        options.setdefault("clock", clock)
        return SpaceInvoices(transport=httpx.MockTransport(handler), **options)

    return build


# ---------------------------------------------------------------- the embedded API, in process

PASSWORD = "Rocket-launch-2024!"


@pytest.fixture
async def local_api(tmp_path: Path, anyio_backend: str, database_url: str) -> AsyncIterator[SpaceInvoices]:
    """A client over ASGITransport to a fresh embedded API (a SQLite file, or PostgreSQL), with no token yet."""
    async with SpaceInvoices.local(database_url, data_dir=tmp_path) as api:
        yield api


@dataclass
class Books:
    """A signed-in client with one account and one Belgian organization."""

    api: SpaceInvoices
    account: Account
    organization: Organization


async def open_books(api: SpaceInvoices, email: str = "ada@example.com") -> Books:
    account = await api.accounts.signup(email=email, password=PASSWORD, firstname="Ada")
    token = await api.accounts.login(email=email, password=PASSWORD)
    api.set_access_token(token.id)
    organization = await api.organizations.create(
        account.id, body=OrganizationCreate(name="International Space Agency", country="Belgium")
    )
    return Books(api, account, organization)


@pytest.fixture
async def books(local_api: SpaceInvoices) -> Books:
    return await open_books(local_api)
