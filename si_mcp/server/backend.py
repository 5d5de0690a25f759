"""Which books the tools work on, opened lazily on the first tool or resource call.

* ``SPACEINVOICES_ACCESS_TOKEN`` set: the real Space Invoices API; the account id comes from
  ``SPACEINVOICES_ACCOUNT_ID`` or ``GET /accounts/authorized``.
* Otherwise the embedded local API with its database in the data dir. On the first start a
  local account and a non-expiring token are created and kept in ``local-account.json``
  (mode 0600) in the data dir, so the next start opens the same books.

Nothing here runs at start-up: importing the client (httpx, the wire models) and building
the local app (SQLAlchemy) happen on the first call, behind a lock, so ``initialize`` and
``tools/list`` answer as fast as a bare MCP server.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread
from mcp.server.mcpserver.exceptions import ToolError

from .errors import describe

if TYPE_CHECKING:
    from si_mcp.client import SpaceInvoices
    from si_mcp.settings import Settings

__all__ = ["CREDENTIALS_FILE", "Backend", "Books"]

logger = logging.getLogger("si_mcp.server")

CREDENTIALS_FILE = "local-account.json"


@dataclass(frozen=True)
class Books:
    """An opened backend: the client and the account every tool acts for."""

    api: SpaceInvoices
    account_id: str


class Backend:
    """Opens :class:`Books` once, on first use; safe to call from concurrent requests."""

    def __init__(self, settings: Settings, api: SpaceInvoices | None = None) -> None:
        self.settings = settings
        self._injected = api
        self._books: Books | None = None
        self._lock = anyio.Lock()

    async def books(self) -> Books:
        if self._books is not None:
            return self._books
        async with self._lock:
            if self._books is None:
                self._books = await self._open()
        return self._books

    async def aclose(self) -> None:
        """Close a client this backend created; the next call opens the books again."""
        books, self._books = self._books, None
        if books is not None and books.api is not self._injected:
            await books.api.aclose()

    async def _open(self) -> Books:
        try:
            if self.settings.access_token is not None:
                return await self._open_remote()
            return await self._open_local()
        except ToolError:
            raise
        except Exception as exc:
            message = describe(exc, "open the books")
            if message is None:
                logger.exception("could not open the books")
                message = f"Could not open the books in {self.settings.data_dir}. See the server log (stderr)."
            raise ToolError(message) from None

    async def _open_remote(self) -> Books:
        from si_mcp.client import SpaceInvoices

        token = self.settings.access_token
        assert token is not None
        try:
            api = self._injected or SpaceInvoices(token.get_secret_value(), base_url=self.settings.api_url)
        except ValueError as exc:  # refused before anything is sent: the token or URL is malformed
            raise ToolError(f"SPACEINVOICES_ACCESS_TOKEN or SPACEINVOICES_API_URL is not usable: {exc}") from None
        account_id = self.settings.account_id or (await api.accounts.authorized()).id
        return Books(api=api, account_id=account_id)

    async def _open_local(self) -> Books:
        from si_mcp.client import SpaceInvoices

        data_dir = self.settings.data_dir
        await anyio.to_thread.run_sync(lambda: data_dir.mkdir(parents=True, exist_ok=True, mode=0o700))
        database_url = self.settings.resolved_database_url()
        # The settings carry SMTP and PDF-template configuration into the embedded API.
        api = self._injected or SpaceInvoices.local(database_url, data_dir=data_dir, settings=self.settings)
        store = _CredentialStore(data_dir / CREDENTIALS_FILE)
        entry = await store.load(database_url)
        entry = await _reuse(api, entry) if entry else None
        if entry is None:
            entry = await _sign_up(api)
        await store.save(database_url, entry)
        return Books(api=api, account_id=entry["account_id"])


async def _reuse(api: SpaceInvoices, entry: dict[str, str]) -> dict[str, str] | None:
    """Use stored credentials: the token if still good, else a fresh login; ``None`` if both fail."""
    from si_mcp.client import AuthenticationError, SpaceInvoicesError

    api.set_access_token(entry["token"])
    try:
        account = await api.accounts.authorized()
        return {**entry, "account_id": account.id}
    except AuthenticationError:
        pass
    try:
        token = await api.accounts.login(email=entry["email"], password=entry["password"], ttl=-1)
    except SpaceInvoicesError:
        logger.warning("stored local account no longer exists in this database; creating a new one")
        return None
    api.set_access_token(token.id)
    return {**entry, "token": token.id, "account_id": token.user_id}


async def _sign_up(api: SpaceInvoices) -> dict[str, str]:
    email = f"local-{secrets.token_hex(4)}@si-mcp.example"
    password = secrets.token_urlsafe(24)
    await api.accounts.signup(email=email, password=password)
    token = await api.accounts.login(email=email, password=password, ttl=-1)
    api.set_access_token(token.id)
    logger.info("created local account %s", email)
    return {"email": email, "password": password, "token": token.id, "account_id": token.user_id}


class _CredentialStore:
    """``local-account.json``: one entry per database URL, readable only by the user."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            logger.warning("ignoring unreadable %s", self.path)
            return {}
        return data if isinstance(data, dict) else {}

    async def load(self, database_url: str) -> dict[str, str] | None:
        accounts = (await anyio.to_thread.run_sync(self._read)).get("accounts", {})
        entry = accounts.get(database_url) if isinstance(accounts, dict) else None
        keys = ("email", "password", "token", "account_id")
        if isinstance(entry, dict) and all(isinstance(entry.get(key), str) for key in keys):
            return {key: entry[key] for key in keys}
        return None

    async def save(self, database_url: str, entry: dict[str, str]) -> None:
        def write() -> None:
            stored = self._read().get("accounts")
            accounts: dict[str, Any] = stored if isinstance(stored, dict) else {}
            data = {"version": 1, "accounts": {**accounts, database_url: entry}}
            tmp = self.path.with_name(self.path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2)
            os.chmod(tmp, 0o600)  # in case the file existed with wider permissions
            os.replace(tmp, self.path)

        await anyio.to_thread.run_sync(write)
