"""The client's one error tree. Every failure a caller can see is one of these::

    SpaceInvoicesError
    ├── APIConnectionError                 no answer: DNS, refused, reset, TLS, ...  (.request)
    │   └── APITimeoutError                no answer in time (httpx timeout or the per-call deadline)
    ├── APIResponseValidationError         an answer we cannot read: not JSON, or not the expected shape
    ├── ReportTooLargeError                a report computed from documents would read more than its bound
    ├── EInvoiceIncompleteError            an e-invoice built by the client: the books lack what it needs, or it
    │                                      breaks an EN 16931 rule (the message says what to add)
    └── APIStatusError                     a non-2xx answer  (.status_code, .error, .request, .response)
        ├── BadRequestError                400
        ├── AuthenticationError            401  (no/invalid token, or no access to that id)
        ├── PermissionDeniedError          403  (refused now, e.g. a deactivated organization)
        ├── NotFoundError                  404
        ├── ConflictError                  409
        ├── UnprocessableEntityError       422  (validation; details in .error.details)
        ├── RateLimitError                 429
        └── ServerError                    5xx
            └── NotImplementedByServerError 501 (an endpoint this backend does not offer)

``.error`` is always a :class:`~si_mcp.models.ErrorDetail`: the parsed LoopBack body
(``{"error": {statusCode, name, message, code, details}}``) when there is one, otherwise
one made up from the status line and the start of the body.

httpx's own exceptions are converted in exactly one place, :func:`map_httpx_errors`.
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx

from si_mcp.models import ErrorDetail, wirejson

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "NotFoundError",
    "PermissionDeniedError",
    "NotImplementedByServerError",
    "EInvoiceIncompleteError",
    "ReportTooLargeError",
    "RateLimitError",
    "ServerError",
    "SpaceInvoicesError",
    "UnprocessableEntityError",
    "make_status_error",
    "map_httpx_errors",
]

_BODY_SNIPPET = 500


class SpaceInvoicesError(Exception):
    """Root of every error the client raises (besides ``ValueError`` for bad arguments)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIConnectionError(SpaceInvoicesError):
    """The request got no answer. For a non-idempotent call the outcome is unknown."""

    def __init__(self, request: httpx.Request, message: str = "Connection error.") -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """No answer in time. For a non-idempotent call the outcome is unknown."""

    def __init__(self, request: httpx.Request, message: str = "Request timed out.") -> None:
        super().__init__(request, message)


class APIResponseValidationError(SpaceInvoicesError):
    """A 2xx answer whose body is not JSON or not the shape of the expected model."""

    def __init__(self, response: httpx.Response, message: str) -> None:
        super().__init__(message)
        self.response = response
        self.request = response.request
        self.status_code = response.status_code


class EInvoiceIncompleteError(SpaceInvoicesError):
    """The client built an e-invoice itself (the API has no route for it) and it cannot be truthful or valid."""


class ReportTooLargeError(SpaceInvoicesError):
    """The API has no report route, and computing the report from its documents would read more than ``limit``."""

    def __init__(self, message: str, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class APIStatusError(SpaceInvoicesError):
    """A non-2xx answer; ``error`` holds the parsed LoopBack error."""

    def __init__(self, response: httpx.Response, error: ErrorDetail) -> None:
        label = f"{error.code}: " if error.code else ""
        super().__init__(f"{response.status_code} {error.name}: {label}{error.message}".rstrip(": "))
        self.response = response
        self.request = response.request
        self.status_code = response.status_code
        self.error = error

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked us to wait (``Retry-After``), if it said so."""
        return parse_retry_after(self.response.headers)


class BadRequestError(APIStatusError):
    """400."""


class AuthenticationError(APIStatusError):
    """401: no or invalid token, or the token's account has no access to that id."""


class PermissionDeniedError(APIStatusError):
    """403: allowed in general, refused now (e.g. ``ORGANIZATION_DEACTIVATED``: a deactivated organization)."""


class NotFoundError(APIStatusError):
    """404."""


class ConflictError(APIStatusError):
    """409."""


class UnprocessableEntityError(APIStatusError):
    """422: the body failed validation; ``error.details`` says which fields."""


class RateLimitError(APIStatusError):
    """429."""


class ServerError(APIStatusError):
    """5xx."""


class NotImplementedByServerError(ServerError):
    """501: this backend does not offer the endpoint."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    501: NotImplementedByServerError,
}


def make_status_error(response: httpx.Response) -> APIStatusError:
    """The error for a non-2xx response; the response body must already be read."""
    status = response.status_code
    error_class = _STATUS_ERRORS.get(status, ServerError if status >= 500 else APIStatusError)
    return error_class(response, _error_detail(response))


def _error_detail(response: httpx.Response) -> ErrorDetail:
    """The LoopBack error in the body, or one made from the status line when there is none."""
    try:
        body: Any = wirejson.loads(response.content)
    except (wirejson.JSONDecodeError, UnicodeDecodeError):
        body = None
    inner = body.get("error") if isinstance(body, dict) else None
    if isinstance(inner, dict):
        try:
            return ErrorDetail.model_validate({"statusCode": response.status_code, **inner})
        except ValueError:
            pass  # a malformed error object: fall through to the generic detail
    message = response.text[:_BODY_SNIPPET].strip() if response.content else ""
    return ErrorDetail(status_code=response.status_code, name=response.reason_phrase or "Error", message=message)


def parse_retry_after(headers: httpx.Headers, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` (or ``retry-after-ms``) in seconds; an HTTP date in the past counts as 0."""
    milliseconds = _seconds(headers.get("retry-after-ms"))
    if milliseconds is not None:
        return milliseconds / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def _seconds(value: str | None) -> float | None:
    try:
        number = float(value) if value is not None else math.nan
    except ValueError:
        return None
    return max(number, 0.0) if math.isfinite(number) else None


@contextmanager
def map_httpx_errors(request: httpx.Request) -> Iterator[None]:
    """The one place where httpx exceptions (and the per-call deadline) become client errors."""
    try:
        yield
    except TimeoutError as exc:  # anyio.fail_after: the per-call deadline ran out
        raise APITimeoutError(request, "The call's overall deadline ran out.") from exc
    except httpx.TimeoutException as exc:
        raise APITimeoutError(request) from exc
    except httpx.RequestError as exc:
        raise APIConnectionError(request, f"Connection error: {exc}") from exc
