"""Defaults: an organization's named settings (``invoice_dueDays``, ``invoice_note``, …)."""

from __future__ import annotations

import builtins

from si_mcp.models import Default, DefaultCreate, DefaultUpdate, Filter

from ._resource import Resource, filter_params, path_id

__all__ = ["Defaults"]


class Defaults(Resource):
    async def list(self, organization_id: str, *, filter: Filter | None = None) -> builtins.list[Default]:
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/defaults"
        return await self._client.fetch_list(Default, "GET", path, params=filter_params(filter))

    async def create(self, organization_id: str, *, body: DefaultCreate) -> Default:
        """Add a setting. Not retried: a repeat would hit the unique name and fail confusingly."""
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/defaults"
        return await self._client.fetch(Default, "POST", path, body=body, retry=False)

    async def get(self, default_id: str) -> Default:
        return await self._client.fetch(Default, "GET", f"/defaults/{path_id(default_id, 'default_id')}")

    async def update(self, default_id: str, *, body: DefaultUpdate) -> Default:
        path = f"/defaults/{path_id(default_id, 'default_id')}"
        return await self._client.fetch(Default, "PATCH", path, body=body)

    async def delete(self, default_id: str) -> int:
        """Delete a setting; returns how many were deleted."""
        return await self._client.fetch_count("DELETE", f"/defaults/{path_id(default_id, 'default_id')}")
