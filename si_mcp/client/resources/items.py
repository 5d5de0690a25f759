"""Items: the organization's saved products and services."""

from __future__ import annotations

import builtins

from si_mcp.models import Filter, Item, ItemCreate

from ._resource import Resource, filter_params, path_id

__all__ = ["Items"]


class Items(Resource):
    async def create(self, organization_id: str, *, body: ItemCreate) -> Item:
        """Save an item. Never retried: a repeat would leave a duplicate item.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            UnprocessableEntityError: the API refused the body.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/items"
        return await self._client.fetch(Item, "POST", path, body=body, retry=False)

    async def get(self, item_id: str) -> Item:
        """One item.

        Raises:
            ValueError: ``item_id`` is empty or not a plain id.
            NotFoundError: no such item.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch(Item, "GET", f"/items/{path_id(item_id, 'item_id')}")

    async def list(self, organization_id: str, *, filter: Filter | None = None) -> builtins.list[Item]:
        """One page of the organization's items, narrowed and ordered by ``filter``.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            BadRequestError: the filter names an unknown field or operator.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/items"
        return await self._client.fetch_list(Item, "GET", path, params=filter_params(filter))

    async def search(self, organization_id: str, *, term: str) -> builtins.list[Item]:
        """Items whose name, description or SKU contain ``term``.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/items/search"
        return await self._client.fetch_list(Item, "GET", path, params={"term": term})

    async def replace(self, item_id: str, *, body: ItemCreate) -> Item:
        """Replace an item as a whole (``PUT``; retried, since a repeat changes nothing).

        Raises:
            ValueError: ``item_id`` is empty or not a plain id.
            NotFoundError: no such item.
            UnprocessableEntityError: the API refused the body.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch(Item, "PUT", f"/items/{path_id(item_id, 'item_id')}", body=body)

    async def delete(self, item_id: str) -> int:
        """Delete an item; returns how many were deleted.

        Raises:
            ValueError: ``item_id`` is empty or not a plain id.
            NotFoundError: no such item.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch_count("DELETE", f"/items/{path_id(item_id, 'item_id')}")
