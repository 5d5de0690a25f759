"""Clients: the customers (and suppliers) an organization keeps on file."""

from __future__ import annotations

import builtins

from si_mcp.models import Client, ClientCreate, ClientUpdate, Filter

from ._resource import Resource, filter_params, path_id

__all__ = ["Clients"]


class Clients(Resource):
    async def create(self, organization_id: str, *, body: ClientCreate) -> Client:
        """Save a client. Never retried: a repeat would leave a duplicate client."""
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/clients"
        return await self._client.fetch(Client, "POST", path, body=body, retry=False)

    async def get(self, client_id: str) -> Client:
        return await self._client.fetch(Client, "GET", f"/clients/{path_id(client_id, 'client_id')}")

    async def list(self, organization_id: str, *, filter: Filter | None = None) -> builtins.list[Client]:
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/clients"
        return await self._client.fetch_list(Client, "GET", path, params=filter_params(filter))

    async def search(self, organization_id: str, *, term: str) -> builtins.list[Client]:
        """Clients whose name, email, tax number … contain ``term``."""
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/clients/search"
        return await self._client.fetch_list(Client, "GET", path, params={"term": term})

    async def update(self, client_id: str, *, body: ClientUpdate) -> Client:
        """Change only the fields set on ``body`` (``PATCH``)."""
        path = f"/clients/{path_id(client_id, 'client_id')}"
        return await self._client.fetch(Client, "PATCH", path, body=body)

    async def delete(self, client_id: str) -> int:
        return await self._client.fetch_count("DELETE", f"/clients/{path_id(client_id, 'client_id')}")
