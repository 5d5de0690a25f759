"""Async client for the Space Invoices v1 API — the real one or the embedded one, same code.

Example::

    from si_mcp.client import SpaceInvoices

    async with SpaceInvoices(access_token) as api:
        document = await api.documents.get(document_id)

Importing this package is cheap: the embedded API (SQLAlchemy, typst) is only imported when a
:meth:`SpaceInvoices.local` client sends its first request.
"""

from ._base import Clock, SystemClock
from ._client import SpaceInvoices
from ._constants import DEFAULT_API_URL, LOCAL_BASE_URL
from ._errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    EInvoiceIncompleteError,
    NotFoundError,
    NotImplementedByServerError,
    PermissionDeniedError,
    RateLimitError,
    ReportTooLargeError,
    ServerError,
    SpaceInvoicesError,
    UnprocessableEntityError,
)

__all__ = [
    "DEFAULT_API_URL",
    "LOCAL_BASE_URL",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "Clock",
    "ConflictError",
    "NotFoundError",
    "NotImplementedByServerError",
    "PermissionDeniedError",
    "EInvoiceIncompleteError",
    "ReportTooLargeError",
    "RateLimitError",
    "ServerError",
    "SpaceInvoices",
    "SpaceInvoicesError",
    "SystemClock",
    "UnprocessableEntityError",
]
