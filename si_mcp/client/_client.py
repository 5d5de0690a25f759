"""``SpaceInvoices``: the client object, its lifecycle and the resources hung off it."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import anyio
import httpx

from ._base import BaseClient, Clock, SystemClock
from ._constants import DEFAULT_API_URL, DEFAULT_DEADLINE, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, LOCAL_BASE_URL
from .resources import (
    Accounts,
    Categories,
    Clients,
    Comments,
    Countries,
    Currencies,
    Defaults,
    Documents,
    Items,
    Organizations,
    Payments,
    Recurrences,
    Reports,
    Taxes,
    Units,
    Webhooks,
)

if TYPE_CHECKING:
    from si_mcp.settings import Settings

__all__ = ["SpaceInvoices"]


class SpaceInvoices:
    """Async client for the Space Invoices v1 API, or for the embedded one with the same code.

    Example::

        async with SpaceInvoices(token) as api:
            invoices = await api.documents.list(org_id, filter=Filter(where={"type": "invoice"}, limit=10))

        async with SpaceInvoices.local("sqlite+aiosqlite:///books.db") as api:
            account = await api.accounts.signup(email="me@example.com", password="s3cret-Pass!")

    Every call raises a :class:`~si_mcp.client.SpaceInvoicesError` on failure, or ``ValueError``
    for arguments refused before anything is sent (bad ids, invalid bodies).
    """

    def __init__(
        self,
        access_token: str | None = None,
        *,
        base_url: str = DEFAULT_API_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        deadline: float = DEFAULT_DEADLINE,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
    ) -> None:
        """Build a client; nothing is connected until the first call.

        Args:
            access_token: sent as the raw ``Authorization`` header; ``None`` sends none (sign up, log in).
            base_url: the API root, ``/v1`` included.
            timeout: httpx timeouts for each attempt.
            max_retries: extra attempts for calls that are safe to repeat.
            deadline: seconds one call may take in total, retries and waits included.
            transport: an httpx transport to use instead of the network (tests, ASGI apps).
            clock: where retries read the time and sleep; tests pass a fake one.

        Raises:
            ValueError: a malformed token, ``max_retries < 0`` or ``deadline <= 0``.
        """
        self._base = BaseClient(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            access_token=access_token,
            max_retries=max_retries,
            deadline=deadline,
            clock=clock or SystemClock(),
        )
        # Only the embedded API keeps payment keys and Idempotency-Key: elsewhere such a call is not retried.
        # Over HTTP, a ``si-mcp api`` server says it is one in each answer (see ``_base.EMBEDDED_HEADER``).
        self._base.keeps_keys = isinstance(transport, _LocalTransport)

    @classmethod
    def local(
        cls,
        database_url: str,
        *,
        access_token: str | None = None,
        data_dir: Path | None = None,
        settings: Settings | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        deadline: float = DEFAULT_DEADLINE,
    ) -> Self:
        """A client for the embedded v1 API on ``database_url``: no port, no subprocess.

        The app is built on the first request (so creating the client stays cheap) and is
        closed by :meth:`aclose`.

        Raises:
            ValueError: as for the constructor.
        """
        transport = _LocalTransport(database_url=database_url, data_dir=data_dir, settings=settings)
        return cls(
            access_token, base_url=LOCAL_BASE_URL, transport=transport, max_retries=max_retries, deadline=deadline
        )

    # ------------------------------------------------------------------ state

    @property
    def access_token(self) -> str | None:
        return self._base.access_token

    def set_access_token(self, token: str | None) -> None:
        """Use ``token`` for every later request (e.g. after ``accounts.login``); ``None`` sends none.

        Raises:
            ValueError: the token would corrupt the ``Authorization`` header.
        """
        self._base.access_token = token

    @property
    def base_url(self) -> str:
        return self._base.base_url

    @property
    def is_local(self) -> bool:
        """Whether this client talks to si-mcp's embedded API: in process (built by :meth:`local`), or a
        ``si-mcp api`` server over HTTP once one of its answers came back. That API has what Space Invoices lacks
        (reminders, paused recurrences, search) and keeps idempotency keys, so keyed payments and sends are retried."""
        return self._base.keeps_keys

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"  # never the token

    # ------------------------------------------------------------------ lifecycle

    async def aclose(self) -> None:
        """Close the connections (and the embedded app, for a :meth:`local` client)."""
        await self._base.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ resources

    @cached_property
    def accounts(self) -> Accounts:
        return Accounts(self._base)

    @cached_property
    def organizations(self) -> Organizations:
        return Organizations(self._base)

    @cached_property
    def defaults(self) -> Defaults:
        return Defaults(self._base)

    @cached_property
    def documents(self) -> Documents:
        return Documents(self._base)

    @cached_property
    def payments(self) -> Payments:
        return Payments(self._base)

    @cached_property
    def clients(self) -> Clients:
        return Clients(self._base)

    @cached_property
    def items(self) -> Items:
        return Items(self._base)

    @cached_property
    def taxes(self) -> Taxes:
        return Taxes(self._base)

    @cached_property
    def recurrences(self) -> Recurrences:
        return Recurrences(self._base)

    @cached_property
    def reports(self) -> Reports:
        return Reports(self._base)

    @cached_property
    def comments(self) -> Comments:
        return Comments(self._base)

    @cached_property
    def units(self) -> Units:
        return Units(self._base)

    @cached_property
    def categories(self) -> Categories:
        return Categories(self._base)

    @cached_property
    def webhooks(self) -> Webhooks:
        return Webhooks(self._base)

    @cached_property
    def countries(self) -> Countries:
        return Countries(self._base)

    @cached_property
    def currencies(self) -> Currencies:
        return Currencies(self._base)


class _LocalTransport(httpx.AsyncBaseTransport):
    """Builds the embedded app on the first request, then speaks ASGI to it in-process.

    ``si_mcp.local`` (SQLAlchemy, typst, …) is imported here and not at module level, so
    ``import si_mcp.client`` stays cheap for the stdio MCP server, whose start-up is measured.
    """

    def __init__(self, *, database_url: str, data_dir: Path | None, settings: Settings | None) -> None:
        self._options: dict[str, Any] = {"database_url": database_url, "data_dir": data_dir, "settings": settings}
        self._app: Any = None
        self._asgi: httpx.ASGITransport | None = None
        self._lock = anyio.Lock()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        asgi = self._asgi or await self._start()
        return await asgi.handle_async_request(request)

    async def _start(self) -> httpx.ASGITransport:
        async with self._lock:
            if self._asgi is None:
                from si_mcp.local import create_app

                self._app = create_app(**self._options)
                # A crash inside the app becomes a 500 answer (a ServerError), not a stray exception.
                self._asgi = httpx.ASGITransport(app=self._app, raise_app_exceptions=False)
            return self._asgi

    async def aclose(self) -> None:
        app, self._app, self._asgi = self._app, None, None
        if app is not None:
            await app.aclose()
