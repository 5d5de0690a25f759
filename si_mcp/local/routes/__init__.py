"""The route table: one module per resource, mirroring ``si_mcp/client/resources``."""

from __future__ import annotations

from ..http import Route

__all__ = ["all_routes"]


def all_routes() -> list[Route]:
    from . import accounts, defaults, documents, organizations

    return [*accounts.routes(), *organizations.routes(), *defaults.routes(), *documents.routes()]
