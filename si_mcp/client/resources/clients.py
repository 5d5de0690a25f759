"""Clients: the customers (and suppliers) an organization keeps on file."""

from __future__ import annotations

import builtins

from si_mcp.models import Client, ClientCreate, ClientUpdate, Filter

from ._resource import Resource, filter_params, path_id

__all__ = ["Clients"]


class Clients(Resource):
    async def create(self, organization_id: str, *, body: ClientCreate) -> Client:
        """Save a client. Never retried: a repeat would leave a duplicate client.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            UnprocessableEntityError: the API refused the body (``error.details`` says why).
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/clients"
        return await self._client.fetch(Client, "POST", path, body=body, retry=False)

    async def get(self, client_id: str) -> Client:
        """One client.

        Raises:
            ValueError: ``client_id`` is empty or not a plain id.
            NotFoundError: no such client (or it was deleted).
            AuthenticationError: no valid token, or the client belongs to another account's organization.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch(Client, "GET", f"/clients/{path_id(client_id, 'client_id')}")

    async def list(self, organization_id: str, *, filter: Filter | None = None) -> builtins.list[Client]:
        """One page of the organization's clients, narrowed and ordered by ``filter``.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            BadRequestError: the filter names an unknown field or operator.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/clients"
        return await self._client.fetch_list(Client, "GET", path, params=filter_params(filter))

    async def search(self, organization_id: str, *, term: str) -> builtins.list[Client]:
        """Clients whose name, email, tax number … contain ``term``.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/clients/search"
        return await self._client.fetch_list(Client, "GET", path, params={"term": term})

    async def update(self, client_id: str, *, body: ClientUpdate) -> Client:
        """Change only the fields set on ``body`` (``PATCH``; not retried).

        Raises:
            ValueError: ``client_id`` is empty or not a plain id.
            NotFoundError: no such client.
            UnprocessableEntityError: the API refused the body.
            SpaceInvoicesError: any other failure.
        """
        path = f"/clients/{path_id(client_id, 'client_id')}"
        return await self._client.fetch(Client, "PATCH", path, body=body)

    async def delete(self, client_id: str) -> int:
        """Delete a client; returns how many were deleted.

        Raises:
            ValueError: ``client_id`` is empty or not a plain id.
            NotFoundError: no such client.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch_count("DELETE", f"/clients/{path_id(client_id, 'client_id')}")
