"""The one request function: build → send → retry → map errors → parse.

Resources never touch httpx: they call :meth:`BaseClient.request` (or one of the small
``fetch_*`` wrappers that parse the answer into models) and say whether the call is safe to
repeat. Whether a call is *safe* is a money question, decided per endpoint in the resources;
*how* to retry (which failures, how long to wait, when to give up) is decided here.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Mapping
from typing import Any, Protocol, TypeVar

import anyio
import httpx
from pydantic import ValidationError

from si_mcp import __version__
from si_mcp.models import Count, RequestModel, Success, WireModel, wirejson
from si_mcp.models.common import EMBEDDED, EMBEDDED_HEADER

from ._constants import INITIAL_RETRY_DELAY, MAX_RETRY_AFTER, MAX_RETRY_DELAY, MAX_TOKEN_LENGTH, RETRY_JITTER
from ._errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    make_status_error,
    map_httpx_errors,
)

__all__ = ["BaseClient", "Clock", "SystemClock", "check_access_token"]

logger = logging.getLogger("si_mcp.client")

M = TypeVar("M", bound=WireModel)

# Methods that mean the same thing when repeated, so a lost answer can be asked for again.
# PATCH is left out on purpose: the brief for this client treats only these as idempotent.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})


class Clock(Protocol):
    """Where the retry loop reads time and waits; tests pass a fake one so nothing really sleeps."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real monotonic clock and anyio's sleep."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


def check_access_token(token: str | None) -> str | None:
    """Refuse tokens that would corrupt the ``Authorization`` header (or leak into logs as junk)."""
    if token is None:
        return None
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise ValueError(f"access_token must be a non-empty string of at most {MAX_TOKEN_LENGTH} characters")
    if not token.isprintable() or any(char.isspace() for char in token):
        raise ValueError("access_token must not contain whitespace or control characters")
    return token


def retryable_status(status: int) -> bool:
    """408, 429 and 5xx may pass; 501 means "never", so asking again is pointless."""
    return status in (408, 429) or (status >= 500 and status != 501)


def backoff_delay(retry_number: int) -> float:
    """Capped exponential backoff, shortened by up to ``RETRY_JITTER`` at random."""
    delay = min(INITIAL_RETRY_DELAY * 2.0**retry_number, MAX_RETRY_DELAY)
    return delay * (1 - RETRY_JITTER * random.random())


class BaseClient:
    """Owns the ``httpx.AsyncClient``, the access token and the retry policy."""

    def __init__(
        self,
        *,
        base_url: str,
        timeout: float | httpx.Timeout,
        transport: httpx.AsyncBaseTransport | None,
        access_token: str | None,
        max_retries: int,
        deadline: float,
        clock: Clock,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if not deadline > 0:
            raise ValueError("deadline must be > 0 seconds")
        self._access_token = check_access_token(access_token)
        # Built last, so that refused arguments never leave an unclosed client behind.
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport, follow_redirects=False)
        self.max_retries = max_retries
        self.deadline = deadline
        self.clock = clock
        self.keeps_keys = False  # the embedded API in process: a keyed payment or send may be retried

    @property
    def access_token(self) -> str | None:
        return self._access_token

    @access_token.setter
    def access_token(self, token: str | None) -> None:
        self._access_token = check_access_token(token)

    @property
    def base_url(self) -> str:
        return str(self._http.base_url).rstrip("/")

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------ the request

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: RequestModel | None = None,
        retry: bool | None = None,
        accept: str = "application/json",
        idempotency_key: str | None = None,
        file: tuple[str, bytes] | None = None,
    ) -> httpx.Response:
        """Send one logical call and return its 2xx response, or raise a client error.

        ``retry=None`` retries exactly the idempotent methods; resources pass ``True`` for a
        POST that carries an idempotency key and ``False`` for anything that must not repeat.
        ``idempotency_key`` goes as the ``Idempotency-Key`` header. ``file`` (name, bytes) is sent as the form field
        ``file`` of a multipart body (v1's image uploads).
        """
        request = self._build(method, path, params=params, body=body, accept=accept, file=file)
        if idempotency_key is not None:
            request.headers["Idempotency-Key"] = idempotency_key
        safe = method in IDEMPOTENT_METHODS if retry is None else retry
        return await self._send_with_retries(request, retry=safe)

    def _build(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None,
        body: RequestModel | None,
        accept: str,
        file: tuple[str, bytes] | None = None,
    ) -> httpx.Request:
        headers = {"Accept": accept, "User-Agent": f"si-mcp/{__version__}"}
        if self._access_token is not None:
            # Space Invoices expects the raw token, without a "Bearer" prefix.
            headers["Authorization"] = self._access_token
        content: bytes | None = None
        if body is not None:
            content = wirejson.dumpb(body.to_wire(exclude_unset=True))
            headers["Content-Type"] = "application/json"
        if file is not None:  # httpx writes the multipart body and its Content-Type boundary
            return self._http.build_request(method, path, params=params, files={"file": file}, headers=headers)
        return self._http.build_request(method, path, params=params, content=content, headers=headers)

    async def _send_with_retries(self, request: httpx.Request, *, retry: bool) -> httpx.Response:
        give_up_at = self.clock.now() + self.deadline
        retries = 0
        while True:
            error: APIStatusError | APIConnectionError
            try:
                response = await self._send_once(request, give_up_at)
            except APITimeoutError as exc:
                if self.clock.now() >= give_up_at:
                    raise  # the deadline itself ran out: there is no time left for another try
                error = exc
            except APIConnectionError as exc:
                error = exc
            else:
                if response.is_success:
                    return response
                error = make_status_error(response)
            delay = self._retry_delay(error, retries) if retry and retries < self.max_retries else None
            if delay is None or self.clock.now() + delay >= give_up_at:
                raise error
            retries += 1
            logger.info(
                "%s %s failed (%s); retry %d/%d in %.2f s",
                request.method,
                request.url.path,
                error.message,
                retries,
                self.max_retries,
                delay,
            )
            await self.clock.sleep(delay)

    async def _send_once(self, request: httpx.Request, give_up_at: float) -> httpx.Response:
        remaining = give_up_at - self.clock.now()
        with map_httpx_errors(request):
            if remaining <= 0:
                raise TimeoutError
            with anyio.fail_after(remaining):
                response = await self._http.send(request)
        if response.headers.get(EMBEDDED_HEADER) == EMBEDDED:
            self.keeps_keys = True
        return response

    @staticmethod
    def _retry_delay(error: APIStatusError | APIConnectionError, retries: int) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` when this failure must not be retried."""
        if isinstance(error, APIConnectionError):
            return backoff_delay(retries)
        if not retryable_status(error.status_code):
            return None
        if error.error.code == "TOO_MANY_EMAILS":  # a business's sending limit, not load: the caller decides
            return None
        asked = error.retry_after
        if asked is None:
            return backoff_delay(retries)
        # Retrying sooner than asked would only earn another 429; waiting longer than
        # MAX_RETRY_AFTER would leave the caller hanging, so hand the error back instead.
        return asked if asked <= MAX_RETRY_AFTER else None

    # ------------------------------------------------------------------ parsing

    async def fetch(self, model: type[M], method: str, path: str, **kwargs: Any) -> M:
        response = await self.request(method, path, **kwargs)
        return parse_model(model, response, json_body(response))

    async def fetch_list(self, model: type[M], method: str, path: str, **kwargs: Any) -> list[M]:
        response = await self.request(method, path, **kwargs)
        data = json_body(response)
        if not isinstance(data, list):
            raise APIResponseValidationError(response, f"expected a JSON array of {model.__name__}")
        return [parse_model(model, response, entry) for entry in data]

    async def fetch_count(self, method: str, path: str, **kwargs: Any) -> int:
        return (await self.fetch(Count, method, path, **kwargs)).count

    async def fetch_success(self, method: str, path: str, **kwargs: Any) -> None:
        response = await self.request(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return
        if not parse_model(Success, response, json_body(response)).success:
            raise APIResponseValidationError(response, "the server answered success=false")

    async def fetch_bytes(self, method: str, path: str, **kwargs: Any) -> bytes:
        return (await self.request(method, path, **kwargs)).content


def json_body(response: httpx.Response) -> Any:
    """The decoded body, with exact Decimals for every number with a fraction."""
    try:
        return wirejson.loads(response.content)
    except (wirejson.JSONDecodeError, UnicodeDecodeError) as exc:
        raise APIResponseValidationError(response, f"the response body is not JSON: {exc}") from exc


def parse_model(model: type[M], response: httpx.Response, data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise APIResponseValidationError(response, f"the response is not a valid {model.__name__}: {exc}") from exc
