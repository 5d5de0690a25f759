"""Small shapes used by several resources: results of actions, counts, LoopBack errors."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import WireModel

__all__ = ["Count", "ErrorBody", "ErrorDetail", "Success"]


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
