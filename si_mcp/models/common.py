"""Small shapes used by several resources: results of actions, counts, LoopBack errors."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import WireModel

__all__ = ["EMBEDDED", "EMBEDDED_HEADER", "Count", "ErrorBody", "ErrorDetail", "Success"]

EMBEDDED_HEADER = "SI-MCP-Books"
EMBEDDED = "embedded"
"""Every answer of si-mcp's embedded API carries ``SI-MCP-Books: embedded``: a client over HTTP learns from it that
these books keep idempotency keys (payment ``uniqueId``, ``Idempotency-Key`` on sends and cancels), so a keyed
request may be retried and a confirmation spent once across replicas. Space Invoices keeps no such keys."""


class Count(WireModel):
    """``{"count": n}``: the answer of count and delete endpoints."""

    count: int


class Success(WireModel):
    """``{"success": true}``: the answer of action endpoints (cancel, send, …)."""

    success: bool


class ErrorDetail(WireModel):
    """The inside of a LoopBack error body."""

    status_code: int
    name: str = "Error"
    message: str = ""
    code: str | None = None
    details: Any = None


class ErrorBody(WireModel):
    """``{"error": {statusCode, name, message, code, details?}}``, LoopBack's error shape."""

    error: ErrorDetail = Field(alias="error")
