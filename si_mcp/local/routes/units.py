"""Units (v1): the names a line's ``unit`` is picked from; CRUD."""

from __future__ import annotations

from si_mcp.models import Unit, UnitCreate

from ..http import Route
from ..resources import UNITS, named_row
from ._crud import simple_routes

__all__ = ["routes"]


def routes() -> list[Route]:
    return simple_routes(UNITS, Unit, UnitCreate, named_row, "units")
