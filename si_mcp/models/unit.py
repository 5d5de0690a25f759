"""Units (v1 ``/organizations/{id}/units``): the names a line's ``unit`` is picked from ("h", "kg", "pcs")."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import RequestModel, Timestamp, WireModel

__all__ = ["Unit", "UnitCreate"]


class Unit(WireModel):
    id: str
    organization_id: str
    name: str
    l10n: dict[str, Any] | None = None
    custom: dict[str, Any] = Field(default_factory=dict)
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class UnitCreate(RequestModel):
    """Create or fully replace (PUT) a unit."""

    name: str = Field(min_length=1, max_length=100)
    l10n: dict[str, Any] | None = None
    custom: dict[str, Any] = Field(default_factory=dict)
