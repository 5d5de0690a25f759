"""The route table: one module per resource, mirroring ``si_mcp/client/resources``."""

from __future__ import annotations

from ..http import Route

__all__ = ["all_routes"]


def all_routes() -> list[Route]:
    from . import (
        accounts,
        clients,
        defaults,
        documents,
        items,
        organizations,
        payments,
        recurrences,
        reference,
        reports,
        taxes,
    )

    modules = (
        accounts,
        organizations,
        defaults,
        documents,
        payments,
        recurrences,
        clients,
        items,
        taxes,
        reference,
        reports,
    )
    return [route for module in modules for route in module.routes()]
