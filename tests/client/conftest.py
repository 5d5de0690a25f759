"""Plumbing for the client tests: a fake clock, and clients over a mock transport."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from si_mcp.client import SpaceInvoices

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
