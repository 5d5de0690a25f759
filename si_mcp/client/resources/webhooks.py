"""Webhooks: the books POST an event to a URL when documents, payments or clients change."""

from __future__ import annotations

import builtins

from si_mcp.models import Filter, Webhook, WebhookCreate, WebhookDelivery, WebhookUpdate

from ._resource import Resource, filter_params, path_id

__all__ = ["Webhooks"]


class Webhooks(Resource):
    async def create(self, organization_id: str, *, body: WebhookCreate) -> Webhook:
        """Register a webhook (admins). The answer's ``secret`` is shown this once: keep it to check the
        ``SI-MCP-Signature`` header of each delivery. Never retried: a repeat would register a second webhook.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or not an admin of the organization.
            UnprocessableEntityError: not an http(s) URL, or an unknown event.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/webhooks"
        return await self._client.fetch(Webhook, "POST", path, body=body, retry=False)

    async def list(self, organization_id: str, *, filter: Filter | None = None) -> builtins.list[Webhook]:
        """The organization's webhooks (without their secrets).

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/webhooks"
        return await self._client.fetch_list(Webhook, "GET", path, params=filter_params(filter))

    async def get(self, webhook_id: str) -> Webhook:
        """One webhook (without its secret).

        Raises:
            ValueError: ``webhook_id`` is empty or not a plain id.
            NotFoundError: no such webhook.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch(Webhook, "GET", f"/webhooks/{path_id(webhook_id, 'webhook_id')}")

    async def update(self, webhook_id: str, *, body: WebhookUpdate) -> Webhook:
        """Change only the fields set on ``body`` (``PATCH``, admins); with ``rotate_secret`` the answer carries the
        new secret, and the old one stops signing. Not retried.

        Raises:
            ValueError: ``webhook_id`` is empty or not a plain id.
            NotFoundError: no such webhook.
            UnprocessableEntityError: not an http(s) URL, or an unknown event.
            SpaceInvoicesError: any other failure.
        """
        path = f"/webhooks/{path_id(webhook_id, 'webhook_id')}"
        return await self._client.fetch(Webhook, "PATCH", path, body=body, retry=False)

    async def delete(self, webhook_id: str) -> int:
        """Delete a webhook; deliveries still queued for it are dropped. Returns how many were deleted.

        Raises:
            ValueError: ``webhook_id`` is empty or not a plain id.
            NotFoundError: no such webhook.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch_count("DELETE", f"/webhooks/{path_id(webhook_id, 'webhook_id')}")

    async def deliveries(self, webhook_id: str) -> builtins.list[WebhookDelivery]:
        """The webhook's last 100 deliveries, newest first, with what each attempt got back (embedded API).

        Raises:
            ValueError: ``webhook_id`` is empty or not a plain id.
            NotFoundError: no such webhook.
            SpaceInvoicesError: any other failure.
        """
        path = f"/webhooks/{path_id(webhook_id, 'webhook_id')}/deliveries"
        return await self._client.fetch_list(WebhookDelivery, "GET", path)
