"""The tools, grouped by what they touch; read-only mode registers only the read tools."""

from __future__ import annotations

import inspect
from typing import Any

from mcp.server import MCPServer

from . import clients, delivery, documents, invoices, organizations, payments, recurrences, reports
from ._common import ToolSpec

__all__ = ["ALL_TOOLS", "ToolSpec", "register_tools"]

ALL_TOOLS: list[ToolSpec] = [
    *organizations.TOOLS,
    *invoices.TOOLS,
    *payments.TOOLS,
    *delivery.TOOLS,
    *documents.TOOLS,
    *clients.TOOLS,
    *recurrences.TOOLS,
    *reports.TOOLS,
]


def register_tools(server: MCPServer[Any], *, read_only: bool) -> None:
    """Register every tool, or in read-only mode only those that change nothing (hiding is not enough)."""
    for spec in ALL_TOOLS:
        if read_only and not spec.read_only:
            continue
        description = inspect.cleandoc(spec.fn.__doc__ or "")
        server.add_tool(spec.fn, title=spec.title, description=description, annotations=spec.annotations)
