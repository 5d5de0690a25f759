"""Payments recorded against documents."""

from __future__ import annotations

import builtins

from si_mcp.models import Filter, Payment, PaymentCreate, PaymentUpdate

from ._resource import Resource, filter_params, path_id

__all__ = ["Payments"]


class Payments(Resource):
    async def create(self, document_id: str, *, body: PaymentCreate) -> Payment:
        """Record a payment on a document (``amount`` defaults to what is still due).

        Retried only with ``body.unique_id`` on the embedded API in process (an extension there: the same key and
        body answer the payment already made); Space Invoices keeps no key for payments, and without one a repeat
        after a lost answer would record the money twice, so it is not retried.

        Raises:
            ValueError: ``document_id`` is empty or not a plain id.
            NotFoundError: no such document.
            UnprocessableEntityError: the API refused the payment.
            APIConnectionError: no answer came; the payment may or may not be recorded, so look before repeating.
            SpaceInvoicesError: any other failure.
        """
        path = f"/documents/{path_id(document_id, 'document_id')}/payments"
        return await self._client.fetch(
            Payment, "POST", path, body=body, retry=body.unique_id is not None and self._client.keeps_keys
        )

    async def create_for_organization(self, organization_id: str, *, body: PaymentCreate) -> Payment:
        """Record a payment at organization level; ``body.document_id`` says which document. Retried as
        :meth:`create`.

        Raises:
            ValueError: ``organization_id`` or ``body.document_id`` is missing or not a plain id.
            NotFoundError: no such document in the organization.
            UnprocessableEntityError: the API refused the payment.
            APIConnectionError: no answer came; the payment may or may not be recorded, so look before repeating.
            SpaceInvoicesError: any other failure.
        """
        if not body.document_id:
            raise ValueError("body.document_id is required when creating a payment for an organization")
        path_id(body.document_id, "body.document_id")
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/payments"
        return await self._client.fetch(
            Payment, "POST", path, body=body, retry=body.unique_id is not None and self._client.keeps_keys
        )

    async def list(self, document_id: str) -> builtins.list[Payment]:
        """Every payment recorded on a document.

        Raises:
            ValueError: ``document_id`` is empty or not a plain id.
            NotFoundError: no such document.
            SpaceInvoicesError: any other failure.
        """
        path = f"/documents/{path_id(document_id, 'document_id')}/payments"
        return await self._client.fetch_list(Payment, "GET", path)

    async def list_for_organization(
        self, organization_id: str, *, filter: Filter | None = None
    ) -> builtins.list[Payment]:
        """One page of the organization's payments across documents, narrowed and ordered by ``filter``.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            BadRequestError: the filter names an unknown field or operator.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/payments"
        return await self._client.fetch_list(Payment, "GET", path, params=filter_params(filter))

    async def get(self, payment_id: str) -> Payment:
        """One payment.

        Raises:
            ValueError: ``payment_id`` is empty or not a plain id.
            NotFoundError: no such payment.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch(Payment, "GET", f"/payments/{path_id(payment_id, 'payment_id')}")

    async def update(self, payment_id: str, *, body: PaymentCreate) -> Payment:
        """Replace a payment as a whole (``PUT``); a repeat leaves the same payment, so it is retried.

        Raises:
            ValueError: ``payment_id`` is empty or not a plain id.
            NotFoundError: no such payment.
            UnprocessableEntityError: the API refused the payment.
            SpaceInvoicesError: any other failure.
        """
        path = f"/payments/{path_id(payment_id, 'payment_id')}"
        return await self._client.fetch(Payment, "PUT", path, body=body)

    async def change(self, payment_id: str, *, body: PaymentUpdate) -> Payment:
        """Change only the fields set on ``body`` (``PATCH``; not retried); the document's paid totals follow.

        Raises:
            ValueError: ``payment_id`` is empty or not a plain id.
            NotFoundError: no such payment.
            UnprocessableEntityError: the API refused the change (e.g. a zero amount).
            SpaceInvoicesError: any other failure.
        """
        path = f"/payments/{path_id(payment_id, 'payment_id')}"
        return await self._client.fetch(Payment, "PATCH", path, body=body, retry=False)

    async def delete(self, payment_id: str) -> int:
        """Delete a payment (the document's paid totals follow); returns how many were deleted.

        Raises:
            ValueError: ``payment_id`` is empty or not a plain id.
            NotFoundError: no such payment.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch_count("DELETE", f"/payments/{path_id(payment_id, 'payment_id')}")
