"""Units: the names a line's ``unit`` is picked from ("h", "kg", "pcs")."""

from __future__ import annotations

import builtins

from si_mcp.models import Filter, Unit, UnitCreate

from ._resource import Resource, filter_params, path_id

__all__ = ["Units"]


class Units(Resource):
    async def create(self, organization_id: str, *, name: str) -> Unit:
        """Save a unit. Never retried: a repeat would leave a duplicate.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id, or ``name`` is empty or too long.
            AuthenticationError: no valid token, or no write access to the organization.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/units"
        return await self._client.fetch(Unit, "POST", path, body=UnitCreate(name=name), retry=False)

    async def list(self, organization_id: str, *, filter: Filter | None = None) -> builtins.list[Unit]:
        """The organization's units, narrowed and ordered by ``filter``.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            BadRequestError: the filter names an unknown field or operator.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/units"
        return await self._client.fetch_list(Unit, "GET", path, params=filter_params(filter))

    async def get(self, unit_id: str) -> Unit:
        """One unit.

        Raises:
            ValueError: ``unit_id`` is empty or not a plain id.
            NotFoundError: no such unit.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch(Unit, "GET", f"/units/{path_id(unit_id, 'unit_id')}")

    async def rename(self, unit_id: str, *, name: str) -> Unit:
        """Give a unit another name (``PATCH``). Lines already written keep the name they were written with.

        Raises:
            ValueError: ``unit_id`` is empty or not a plain id, or ``name`` is empty or too long.
            NotFoundError: no such unit.
            SpaceInvoicesError: any other failure.
        """
        path = f"/units/{path_id(unit_id, 'unit_id')}"
        return await self._client.fetch(Unit, "PATCH", path, body=UnitCreate(name=name))

    async def delete(self, unit_id: str) -> int:
        """Delete a unit; returns how many were deleted.

        Raises:
            ValueError: ``unit_id`` is empty or not a plain id.
            NotFoundError: no such unit.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch_count("DELETE", f"/units/{path_id(unit_id, 'unit_id')}")
