"""Items: the organization's saved products and services."""

from __future__ import annotations

import builtins

from si_mcp.models import Filter, Item, ItemCreate

from ._resource import Resource, filter_params, path_id

__all__ = ["Items"]


class Items(Resource):
    async def create(self, organization_id: str, *, body: ItemCreate) -> Item:
        """Save an item. Never retried: a repeat would leave a duplicate item."""
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/items"
        return await self._client.fetch(Item, "POST", path, body=body, retry=False)

    async def get(self, item_id: str) -> Item:
        return await self._client.fetch(Item, "GET", f"/items/{path_id(item_id, 'item_id')}")

    async def list(self, organization_id: str, *, filter: Filter | None = None) -> builtins.list[Item]:
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/items"
        return await self._client.fetch_list(Item, "GET", path, params=filter_params(filter))

    async def search(self, organization_id: str, *, term: str) -> builtins.list[Item]:
        """Items whose name, description or SKU contain ``term``."""
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/items/search"
        return await self._client.fetch_list(Item, "GET", path, params={"term": term})

    async def replace(self, item_id: str, *, body: ItemCreate) -> Item:
        """Replace an item as a whole (``PUT``)."""
        return await self._client.fetch(Item, "PUT", f"/items/{path_id(item_id, 'item_id')}", body=body)

    async def delete(self, item_id: str) -> int:
        return await self._client.fetch_count("DELETE", f"/items/{path_id(item_id, 'item_id')}")
