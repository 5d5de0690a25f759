"""``SpaceInvoices.local``: the embedded app is built lazily, once, and closed with the client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from starlette.responses import JSONResponse

import si_mcp.local
from si_mcp.client import LOCAL_BASE_URL, ServerError, SpaceInvoices

pytestmark = pytest.mark.anyio


class FakeLocalApp:
    """Stands in for the local API: answers every request with an empty list, counts closes."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.closed = 0
        self.requests: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.requests.append(scope["path"])
        await anyio.sleep(0)  # let concurrent first requests interleave
        await JSONResponse([])(scope, receive, send)

    async def aclose(self) -> None:
        self.closed += 1


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[FakeLocalApp]:
    apps: list[FakeLocalApp] = []

    def create_app(**options: Any) -> FakeLocalApp:
        apps.append(FakeLocalApp(**options))
        return apps[-1]

    monkeypatch.setattr(si_mcp.local, "create_app", create_app)
    return apps


async def test_the_app_is_built_on_the_first_request_only_once_and_closed_with_the_client(
    built: list[FakeLocalApp], tmp_path: Path
) -> None:
    api = SpaceInvoices.local("sqlite+aiosqlite:///x.db", data_dir=tmp_path)
    assert api.is_local
    assert api.base_url == LOCAL_BASE_URL
    assert built == []  # nothing is built until a request is sent

    async with api, anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(api.currencies.list)
    assert len(built) == 1
    app = built[0]
    assert app.options == {"database_url": "sqlite+aiosqlite:///x.db", "data_dir": tmp_path, "settings": None}
    assert app.requests == ["/v1/currencies"] * 10
    assert app.closed == 1


async def test_a_local_client_that_never_sent_anything_closes_without_building_the_app(
    built: list[FakeLocalApp],
) -> None:
    async with SpaceInvoices.local("sqlite+aiosqlite:///x.db"):
        pass
    assert built == []


async def test_a_crash_inside_the_app_comes_back_as_a_server_error(monkeypatch: pytest.MonkeyPatch) -> None:
    class CrashingApp(FakeLocalApp):
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            raise RuntimeError("boom")

    monkeypatch.setattr(si_mcp.local, "create_app", lambda **options: CrashingApp(**options))
    async with SpaceInvoices.local("sqlite+aiosqlite:///x.db", max_retries=0) as api:
        with pytest.raises(ServerError):
            await api.currencies.list()


def test_a_network_client_is_not_local() -> None:
    assert not SpaceInvoices("token").is_local
