"""The route table: one module per resource, mirroring ``si_mcp/client/resources``."""

from __future__ import annotations

from ..http import Route

__all__ = ["all_routes"]


def all_routes() -> list[Route]:
    from . import (
        accounts,
        categories,
        clients,
        comments,
        defaults,
        documents,
        images,
        items,
        memberships,
        organizations,
        payments,
        recurrences,
        reference,
        reports,
        shares,
        taxes,
        units,
        webhooks,
    )

    modules = (
        accounts,
        organizations,
        memberships,
        images,
        defaults,
        documents,
        comments,
        shares,
        payments,
        recurrences,
        clients,
        items,
        taxes,
        units,
        categories,
        webhooks,
        reference,
        reports,
    )
    return [route for module in modules for route in module.routes()]
