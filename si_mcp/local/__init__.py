"""The embedded Space Invoices v1 API: an ASGI app over SQLAlchemy (SQLite by default).

``create_app`` is cheap: SQLAlchemy and the migrations load on the first request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from si_mcp.settings import Settings

    from .app import LocalAPI

__all__ = ["create_app"]


def create_app(
    *,
    database_url: str,
    data_dir: Path | None = None,
    settings: Settings | None = None,
    clock: Callable[[], datetime] | None = None,
) -> LocalAPI:
    """Build the local API app for the books at ``database_url`` (any SQLAlchemy async URL); ``clock`` (an aware
    UTC datetime) replaces the wall clock for recurring invoices (tests)."""
    from si_mcp.redaction import install

    from .app import LocalAPI

    install()  # no access token, password or URL password of these books in any log record of the process
    return LocalAPI(database_url=database_url, data_dir=data_dir, settings=settings, clock=clock)
