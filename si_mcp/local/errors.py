"""The one error type of the local API and the one place it is rendered.

Every failure leaves the app as LoopBack's body ``{"error": {statusCode, name, message, code, details?}}``,
so the client parses the embedded backend and the real API the same way.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.responses import Response

from si_mcp.models import wirejson

__all__ = [
    "LocalAPIError",
    "bad_request",
    "from_validation_error",
    "invalid",
    "not_found",
    "route_not_found",
    "unauthorized",
]


class LocalAPIError(Exception):
    """An HTTP failure with a LoopBack error body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        name: str = "Error",
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.name = name
        self.details = details
        self.headers = headers  # e.g. Retry-After on a 429

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"statusCode": self.status, "name": self.name, "message": self.message}
        error["code"] = self.code
        if self.details is not None:
            error["details"] = self.details
        return {"error": error}

    def response(self) -> Response:
        return Response(
            wirejson.dumpb(self.body()), status_code=self.status, media_type="application/json", headers=self.headers
        )

    def __repr__(self) -> str:
        return f"LocalAPIError({self.status}, {self.message!r}, code={self.code!r})"


def unauthorized(message: str = "Authorization Required") -> LocalAPIError:
    """401, LoopBack's answer both for a missing token and for an object the caller may not touch."""
    return LocalAPIError(401, message, code="AUTHORIZATION_REQUIRED")


def not_found(model: str, object_id: str) -> LocalAPIError:
    return LocalAPIError(404, f'Unknown "{model}" id "{_clip(object_id)}".', code="MODEL_NOT_FOUND")


def route_not_found(method: str, path: str) -> LocalAPIError:
    return LocalAPIError(404, f"There is no method to handle {method} {_clip(path, 200)}", code="ROUTE_NOT_FOUND")


def bad_request(message: str, code: str = "BAD_REQUEST") -> LocalAPIError:
    return LocalAPIError(400, message, code=code)


def invalid(context: str, field: str, message: str, code: str = "invalid") -> LocalAPIError:
    """422 ValidationError about one field, in LoopBack's ``details`` shape."""
    return _validation(context, {field: [(code, message)]})


def from_validation_error(context: str, exc: ValidationError) -> LocalAPIError:
    """Turn a pydantic error into LoopBack's 422, naming every offending field by its wire name."""
    fields: dict[str, list[tuple[str, str]]] = {}
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        field = ".".join(str(part) for part in error["loc"]) or "body"
        fields.setdefault(field, []).append((error["type"], error["msg"]))
    return _validation(context, fields)


def _validation(context: str, fields: dict[str, list[tuple[str, str]]]) -> LocalAPIError:
    codes = {field: [code for code, _ in entries] for field, entries in fields.items()}
    messages = {field: [message for _, message in entries] for field, entries in fields.items()}
    summary = "; ".join(f"`{field}` {'; '.join(m.rstrip('.') for m in msgs)}" for field, msgs in messages.items())
    return LocalAPIError(
        422,
        f"The `{context}` instance is not valid. Details: {summary}.",
        code="VALIDATION_ERROR",
        name="ValidationError",
        details={"context": context, "codes": codes, "messages": messages},
    )


def _clip(text: str, limit: int = 80) -> str:
    """Echo at most a little of what the caller sent, without control characters."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in text[:limit])
    return clean + ("…" if len(text) > limit else "")
