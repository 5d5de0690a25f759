"""Recurring invoices: a document repeated every week, month or year (v1 ``Recurrence``)."""

from __future__ import annotations

import builtins

from si_mcp.models import Count, Recurrence, RecurrenceCreate, RecurrenceUpdate

from ._resource import Resource, path_id

__all__ = ["Recurrences"]


class Recurrences(Resource):
    async def create(self, document_id: str, *, body: RecurrenceCreate) -> Recurrence:
        """Make the document the template of a recurrence (a document has at most one).

        Raises:
            ValueError: ``document_id`` is empty or not a plain id.
            NotFoundError: no such document.
            UnprocessableEntityError: refused (e.g. the document already recurs, ``dateFirst`` is past, ``autoSend``
                without the client's email).
            SpaceInvoicesError: any other failure.
        """
        path = f"/documents/{path_id(document_id, 'document_id')}/recurrence"
        return await self._client.fetch(Recurrence, "POST", path, body=body, retry=False)

    async def for_document(self, document_id: str) -> Recurrence:
        """The recurrence of a document.

        Raises:
            ValueError: ``document_id`` is empty or not a plain id.
            NotFoundError: no such document, or it does not recur.
            SpaceInvoicesError: any other failure.
        """
        path = f"/documents/{path_id(document_id, 'document_id')}/recurrence"
        return await self._client.fetch(Recurrence, "GET", path)

    async def get(self, recurrence_id: str) -> Recurrence:
        """One recurrence, with what it issued (``_recurrenceDates``).

        Raises:
            ValueError: ``recurrence_id`` is empty or not a plain id.
            NotFoundError: no such recurrence.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch(Recurrence, "GET", f"/recurrences/{path_id(recurrence_id, 'recurrence_id')}")

    async def update(self, recurrence_id: str, *, body: RecurrenceUpdate) -> Recurrence:
        """Change the fields set in ``body`` (e.g. ``paused``).

        Raises:
            ValueError: ``recurrence_id`` is empty or not a plain id.
            NotFoundError: no such recurrence.
            UnprocessableEntityError: refused.
            SpaceInvoicesError: any other failure.
        """
        path = f"/recurrences/{path_id(recurrence_id, 'recurrence_id')}"
        return await self._client.fetch(Recurrence, "PUT", path, body=body)

    async def delete(self, recurrence_id: str) -> Count:
        """Stop a recurrence for good (what it issued stays).

        Raises:
            ValueError: ``recurrence_id`` is empty or not a plain id.
            NotFoundError: no such recurrence.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch(Count, "DELETE", f"/recurrences/{path_id(recurrence_id, 'recurrence_id')}")

    async def list(self, organization_id: str) -> builtins.list[Recurrence]:
        """The organization's recurrences, oldest first.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/recurrences"
        return await self._client.fetch_list(Recurrence, "GET", path)
