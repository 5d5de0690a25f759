"""What every resource shares: the client it talks through, path-id checks and query encoding."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from si_mcp.models import Filter, wirejson

from .._base import BaseClient
from .._constants import MAX_ID_LENGTH

__all__ = ["Resource", "filter_params", "path_id", "where_params"]

# Characters that would change which URL we hit if they reached the path.
_UNSAFE = frozenset("/\\?#%")


def path_id(value: str, name: str) -> str:
    """Check an id before it goes into a URL path, and return it ready to be put there.

    An empty id would silently hit the collection route, and ``/`` or ``..`` another route
    altogether, so they are refused here instead of being sent.
    """
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string")
    if len(value) > MAX_ID_LENGTH:
        raise ValueError(f"{name} is longer than {MAX_ID_LENGTH} characters")
    if value in {".", ".."} or any(char in _UNSAFE or char.isspace() or not char.isprintable() for char in value):
        raise ValueError(f"{name} {value!r} must not contain whitespace, control characters or any of / \\ ? # %")
    return quote(value, safe="")


def filter_params(filter: Filter | None) -> dict[str, str] | None:
    """``?filter=<compact JSON>``: unambiguous, unlike the bracket form (numbers and booleans survive)."""
    return None if filter is None else {"filter": filter.to_query()}


def where_params(where: dict[str, Any] | None) -> dict[str, str] | None:
    """``?where=<compact JSON>`` for the count endpoints."""
    return None if where is None else {"where": wirejson.dumps(where)}


class Resource:
    """A group of endpoints hung off :class:`~si_mcp.client.SpaceInvoices` (``api.documents`` …)."""

    def __init__(self, client: BaseClient) -> None:
        self._client = client
