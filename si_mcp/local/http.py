"""Request and response plumbing shared by the route modules.

A handler gets a :class:`Call`: the request, the path parameters, the app's services and the caller's
account. Bodies are read with a size limit, parsed with :mod:`wirejson` (exact Decimals), screened for
control characters and validated by the shared request models; failures become LoopBack errors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from si_mcp.models import Filter, wirejson

from .einvoicing import EInvoices
from .errors import LocalAPIError, bad_request, from_validation_error
from .inputs import check_text

if TYPE_CHECKING:
    from si_mcp.settings import Settings

    from .auth import LoginGuard, Throttle, TokenCache
    from .db import Database
    from .mail.service import DocumentsOut
    from .webhooks import WebhookSender

__all__ = [
    "MAX_BODY_BYTES",
    "Call",
    "Handler",
    "Route",
    "Services",
    "json_response",
    "raw_json_response",
]

MAX_BODY_BYTES = 1024 * 1024
"""Bodies above 1 MiB are refused with 413: a thousand-line invoice is far below this."""

M = TypeVar("M", bound=BaseModel)

# C0 controls except tab, newline and carriage return, plus DEL: never meaningful in invoice text.


class Waker(Protocol):
    def wake(self) -> None: ...


def _login_guard() -> LoginGuard:
    from .auth import LoginGuard  # auth imports the database layer; http does not

    return LoginGuard()


def _email_lookups() -> Throttle:
    from .auth import Throttle

    return Throttle(30, timedelta(hours=1), "account lookups")


def _share_reads() -> Throttle:
    from .auth import Throttle

    return Throttle(120, timedelta(minutes=1), "reads of shared documents")


@dataclass
class Services:
    """What the handlers share: built once per app by :func:`si_mcp.local.create_app`."""

    db: Database
    tokens: TokenCache
    settings: Settings | None
    data_dir: Path | None
    documents_out: DocumentsOut | None = None
    """PDF renderer, mailer and outbox (built on first use by ``routes.documents_out``)."""
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    """What time it is for the books' schedules (recurring invoices); tests inject their own."""
    scheduler: Waker | None = None
    """The app's ``scheduler.Scheduler``, which issues recurring invoices as they fall due (built at start)."""
    einvoices: EInvoices = field(default_factory=EInvoices)
    """The app's e-invoice maker: validators compiled on first use, checked XML, Factur-X embedding."""
    logins: LoginGuard = field(default_factory=lambda: _login_guard())
    """Failed logins per account and client address (``auth.LoginGuard``)."""
    email_lookups: Throttle = field(default_factory=lambda: _email_lookups())
    """``GET /accounts/is-unique`` per client network: 30 an hour (it tells whether an email has an account)."""
    share_reads: Throttle = field(default_factory=lambda: _share_reads())
    """Public reads of shared documents per client network: 120 a minute."""
    webhooks: WebhookSender | None = None
    """Posts the queued webhook deliveries (built at start)."""

    def wake_scheduler(self) -> None:
        """A recurrence changed: the scheduler looks at the due dates again."""
        if self.scheduler is not None:
            self.scheduler.wake()


class Call:
    """One request as a handler sees it."""

    __slots__ = ("account_id", "params", "request", "services")

    def __init__(self, request: Request, params: dict[str, str], services: Services, account_id: str) -> None:
        self.request = request
        self.params = params
        self.services = services
        self.account_id = account_id

    @property
    def db(self) -> Database:
        return self.services.db

    @property
    def base_url(self) -> str:
        """The API root as the caller reached it, e.g. ``http://127.0.0.1:8080/v1``."""
        url = self.request.url
        root = self.request.scope.get("root_path", "")
        return f"{url.scheme}://{url.netloc}{root}/v1"

    def query(self, name: str) -> str | None:
        """A query parameter; control characters are refused (422), as in bodies."""
        value = self.request.query_params.get(name)
        if value is not None:
            check_text(value, name)
        return value

    async def json(self) -> dict[str, Any]:
        """The body as a JSON object: 413 when too big, 400 when not JSON, 422 on control characters."""
        raw = await self._read()
        if not raw.strip():
            return {}
        try:
            value = wirejson.loads(raw)
        except (wirejson.JSONDecodeError, UnicodeDecodeError, RecursionError, ValueError) as exc:
            raise bad_request(f"Malformed JSON body: {_reason(exc)}", code="MALFORMED_JSON") from None
        if not isinstance(value, dict):
            raise bad_request("The request body must be a JSON object.", code="MALFORMED_JSON")
        check_text(value, "body")
        return value

    async def body(self, model: type[M], context: str) -> M:
        """The body validated by ``model``; ``context`` names the model in a 422."""
        return validate(model, await self.json(), context)

    def filter(self) -> Filter:
        from .filters import filter_from_query

        return filter_from_query(self.request.query_params)

    def where(self) -> dict[str, Any] | None:
        from .filters import where_from_query

        return where_from_query(self.request.query_params)

    async def _read(self) -> bytes:
        declared = self.request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise _too_large()
        chunks: list[bytes] = []
        size = 0
        async for chunk in self.request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise _too_large()
            chunks.append(chunk)
        return b"".join(chunks)


Handler = Callable[[Call], Awaitable[Response]]


@dataclass(frozen=True)
class Route:
    """One endpoint: method, path under ``/v1`` with ``{name}`` parameters, and its handler."""

    method: str
    path: str
    handler: Handler
    auth: bool = True


def validate(model: type[M], data: dict[str, Any], context: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(context, exc) from None


def raw_json_response(body: bytes, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type="application/json")


def json_response(value: Any, status: int = 200) -> Response:
    return raw_json_response(wirejson.dumpb(value), status)


def _too_large() -> LocalAPIError:
    return LocalAPIError(
        413, f"The request body is larger than {MAX_BODY_BYTES} bytes.", code="REQUEST_ENTITY_TOO_LARGE"
    )


def _reason(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8"
    return str(exc).splitlines()[0][:200]
