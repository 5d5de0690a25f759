"""Defaults: an organization's named settings (``invoice_dueDays``, ``invoice_note``, …)."""

from __future__ import annotations

import builtins

from si_mcp.models import Default, DefaultCreate, DefaultUpdate, Filter

from ._resource import Resource, filter_params, path_id

__all__ = ["Defaults"]


class Defaults(Resource):
    async def list(self, organization_id: str, *, filter: Filter | None = None) -> builtins.list[Default]:
        """The organization's settings, narrowed by ``filter``.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            BadRequestError: the filter names an unknown field or operator.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/defaults"
        return await self._client.fetch_list(Default, "GET", path, params=filter_params(filter))

    async def create(self, organization_id: str, *, body: DefaultCreate) -> Default:
        """Add a setting. Not retried: a repeat would hit the unique name and fail confusingly.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            UnprocessableEntityError: the name is taken or the body is refused.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/defaults"
        return await self._client.fetch(Default, "POST", path, body=body, retry=False)

    async def get(self, default_id: str) -> Default:
        """One setting.

        Raises:
            ValueError: ``default_id`` is empty or not a plain id.
            NotFoundError: no such setting.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch(Default, "GET", f"/defaults/{path_id(default_id, 'default_id')}")

    async def update(self, default_id: str, *, body: DefaultUpdate) -> Default:
        """Change a setting's value or description (``PATCH``; not retried).

        Raises:
            ValueError: ``default_id`` is empty or not a plain id.
            NotFoundError: no such setting.
            UnprocessableEntityError: the API refused the body.
            SpaceInvoicesError: any other failure.
        """
        path = f"/defaults/{path_id(default_id, 'default_id')}"
        return await self._client.fetch(Default, "PATCH", path, body=body)

    async def delete(self, default_id: str) -> int:
        """Delete a setting; returns how many were deleted.

        Raises:
            ValueError: ``default_id`` is empty or not a plain id.
            NotFoundError: no such setting.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch_count("DELETE", f"/defaults/{path_id(default_id, 'default_id')}")
