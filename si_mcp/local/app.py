"""The ASGI app: a flat, case-insensitive route table under ``/v1``, lazy start, one error renderer.

The database is opened (and migrated) on the first request rather than in the ASGI lifespan only,
because ``httpx.ASGITransport`` never sends lifespan events; uvicorn's lifespan start works too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
from sqlalchemy.exc import IntegrityError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from si_mcp.models.common import EMBEDDED, EMBEDDED_HEADER

from .acting import EVERY_ACCOUNT, acting_for
from .auth import TokenCache, token_from_request
from .engine.calc import AmountTooLarge
from .errors import LocalAPIError, route_not_found
from .http import Call, Route, Services

if TYPE_CHECKING:
    from si_mcp.settings import Settings

    from .db import Database
    from .mail.service import DocumentsOut
    from .scheduler import Scheduler
    from .webhooks import WebhookSender

__all__ = ["LocalAPI", "Router"]

log = logging.getLogger(__name__)

_PARAM = re.compile(r"\{(\w+)\}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")  # control characters, lone surrogates


class Router:
    """Matches ``/v1/...`` paths case-insensitively (LoopBack/Express did), with an optional trailing slash."""

    def __init__(self, routes: list[Route]) -> None:
        self._table: dict[str, list[tuple[re.Pattern[str], Route]]] = {}
        # Literal segments win over parameters, segment by segment (/accounts/authorized before /accounts/{id}),
        # whatever order the modules list their routes in.
        for route in sorted(routes, key=lambda r: [_PARAM.fullmatch(part) is not None for part in r.path.split("/")]):
            pattern = _PARAM.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", route.path)
            compiled = re.compile(f"^/v1{pattern}/?$", re.IGNORECASE)
            self._table.setdefault(route.method, []).append((compiled, route))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        for pattern, route in self._table.get(method, ()):
            found = pattern.match(path)
            if found:
                return route, found.groupdict()
        raise route_not_found(method, path)


class LocalAPI:
    """The embedded Space Invoices v1 API as an ASGI application."""

    def __init__(
        self,
        *,
        database_url: str,
        data_dir: Path | None,
        settings: Settings | None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        from .routes import all_routes

        self.database_url = database_url
        self.data_dir = data_dir
        self.settings = settings
        self.clock = clock
        self.router = Router(all_routes())
        self._services: Services | None = None
        self._scheduler: Scheduler | None = None
        self._start_lock = anyio.Lock()

    @property
    def scheduler(self) -> Scheduler:
        """The scheduler of recurring invoices; only valid after the first request (or :meth:`start`)."""
        if self._scheduler is None:
            raise RuntimeError("the local API has not started yet")
        return self._scheduler

    @property
    def services(self) -> Services:
        """The running services; only valid after the first request (or :meth:`start`)."""
        if self._services is None:
            raise RuntimeError("the local API has not started yet")
        return self._services

    async def start(self) -> Services:
        """Open and migrate the database once, however many requests race for it."""
        if self._services is not None:
            return self._services
        async with self._start_lock:
            if self._services is None:
                from .db import Database

                if self.data_dir is not None:
                    self.data_dir.mkdir(parents=True, exist_ok=True)
                from .mail.service import DocumentsOut
                from .scheduler import Scheduler
                from .webhooks import WebhookSender

                database: Database = await Database.open(self.database_url)
                services = Services(database, TokenCache(), self.settings, self.data_dir)
                if self.clock is not None:
                    services.clock = self.clock
                # One renderer, outbox and e-invoice maker for the app, on its clock (sending limits count by it).
                documents_out = DocumentsOut(database, self.settings, self.data_dir, services.einvoices, services.clock)
                services.documents_out = documents_out
                with acting_for(EVERY_ACCOUNT):
                    await documents_out.recover()  # emails a dead process left half-sent go back in the queue
                services.scheduler = self._scheduler = Scheduler(services)
                allow_private = bool(self.settings is not None and self.settings.webhooks_allow_private)
                services.webhooks = WebhookSender(database, services.clock, allow_private=allow_private)
                await services.webhooks.look()  # deliveries left by the last run go out
                self._services = services
                self._scheduler.start()  # catch up on recurring invoices missed while nothing ran
        return self._services

    async def aclose(self) -> None:
        """Dispose of the engine; the next request would open it again."""
        services, self._services = self._services, None
        if services is not None:
            if self._scheduler is not None:
                await self._scheduler.aclose()
            if services.documents_out is not None:
                await services.documents_out.aclose()  # its retry timer, before the engine goes
            if services.webhooks is not None:
                await services.webhooks.aclose()
            await services.db.dispose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        response = await self._respond(request)
        response.headers[EMBEDDED_HEADER] = EMBEDDED
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        try:
            route, params = self.router.match(request.method, request.url.path)
            if any(_CONTROL.search(value) for value in params.values()):  # no id has one: unknown, not a 500
                raise LocalAPIError(404, "Unknown id.", code="MODEL_NOT_FOUND")
            services = await self.start()
            account_id = ""
            if route.auth:
                account_id = await services.tokens.account_for(services.db, token_from_request(request))
            with acting_for(account_id):  # what the database lets this request see (PostgreSQL's row security)
                response = await route.handler(Call(request, params, services, account_id))
            if request.method != "GET" and response.status_code < 300 and services.webhooks is not None:
                services.webhooks.changed()  # it may have queued webhook events
            return response
        except LocalAPIError as error:
            return error.response()
        except ClientDisconnect:  # gone before its body arrived: nothing was done, and nothing is wrong here
            log.info("client disconnected during %s %s", request.method, request.url.path)
            return LocalAPIError(400, "The client disconnected.", code="CLIENT_DISCONNECTED").response()
        except AmountTooLarge as error:  # e.g. payments summing beyond what the ledger holds
            return LocalAPIError(422, f"{error}.", code="AMOUNT_TOO_LARGE", name="ValidationError").response()
        except IntegrityError:
            # A constraint caught what the checks could not see, e.g. another process on the same file.
            log.warning("constraint violation on %s %s", request.method, request.url.path, exc_info=True)
            message = "The change conflicts with data stored meanwhile; nothing was saved. Retry the request."
            return LocalAPIError(409, message, code="CONFLICT").response()
        except Exception:
            log.exception("unexpected error on %s %s", request.method, request.url.path)
            return LocalAPIError(500, "Internal Server Error", code="INTERNAL_ERROR").response()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        # Served with a lifespan (uvicorn), failed emails are retried and recurring invoices issued in the background.
        retries, recurring, hooks = anyio.CancelScope(), anyio.CancelScope(), anyio.CancelScope()
        async with anyio.create_task_group() as background:
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    try:
                        services = await self.start()
                    except Exception as exc:
                        log.exception("local API failed to start")
                        await send({"type": "lifespan.startup.failed", "message": str(exc)})
                        return
                    if services.documents_out is not None:
                        background.start_soon(_retry_emails, services.documents_out, retries)
                    if self._scheduler is not None:
                        background.start_soon(_issue_recurring, self._scheduler, recurring)
                    if services.webhooks is not None:
                        background.start_soon(_post_webhooks, services.webhooks, hooks)
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    retries.cancel()
                    recurring.cancel()
                    hooks.cancel()
                    break
        await self.aclose()  # after the background loops stopped, so they never see a closed engine
        await send({"type": "lifespan.shutdown.complete"})


async def _retry_emails(documents_out: DocumentsOut, scope: anyio.CancelScope) -> None:
    with scope:
        await documents_out.run_forever()


async def _post_webhooks(sender: WebhookSender, scope: anyio.CancelScope) -> None:
    with scope:
        await sender.run_forever()


async def _issue_recurring(scheduler: Scheduler, scope: anyio.CancelScope) -> None:
    with scope:
        await scheduler.run_forever()
