"""Taxes (VAT and the like) with dated rates."""

from __future__ import annotations

import builtins

from si_mcp.models import Filter, Tax, TaxCreate, TaxRate, TaxRateCreate

from ._resource import Resource, filter_params, path_id

__all__ = ["Taxes"]


class Taxes(Resource):
    async def create(self, organization_id: str, *, body: TaxCreate) -> Tax:
        """Add a tax. Never retried: a repeat would leave a duplicate tax.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            UnprocessableEntityError: the API refused the body.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/taxes"
        return await self._client.fetch(Tax, "POST", path, body=body, retry=False)

    async def get(self, tax_id: str) -> Tax:
        """One tax with its rates.

        Raises:
            ValueError: ``tax_id`` is empty or not a plain id.
            NotFoundError: no such tax.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch(Tax, "GET", f"/taxes/{path_id(tax_id, 'tax_id')}")

    async def list(self, organization_id: str, *, filter: Filter | None = None) -> builtins.list[Tax]:
        """The organization's taxes, narrowed and ordered by ``filter``.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            BadRequestError: the filter names an unknown field or operator.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/taxes"
        return await self._client.fetch_list(Tax, "GET", path, params=filter_params(filter))

    async def replace(self, tax_id: str, *, body: TaxCreate) -> Tax:
        """Replace a tax as a whole (``PUT``), rates included; retried, since a repeat changes nothing.

        Raises:
            ValueError: ``tax_id`` is empty or not a plain id.
            NotFoundError: no such tax.
            UnprocessableEntityError: the API refused the body.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch(Tax, "PUT", f"/taxes/{path_id(tax_id, 'tax_id')}", body=body)

    async def delete(self, tax_id: str) -> int:
        """Delete a tax; returns how many were deleted.

        Raises:
            ValueError: ``tax_id`` is empty or not a plain id.
            NotFoundError: no such tax.
            UnprocessableEntityError: a document still uses the tax (``error.code`` is ``TAX_IN_USE``).
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch_count("DELETE", f"/taxes/{path_id(tax_id, 'tax_id')}")

    async def add_rate(self, tax_id: str, *, body: TaxRateCreate) -> Tax:
        """Add a rate valid from ``body.date_valid_from``; returns the tax with all its rates.

        The API answers with the new rate alone (a LoopBack relation create), so the tax is read
        back afterwards. The POST is never retried: a repeat would add the rate twice.

        Raises:
            ValueError: ``tax_id`` is empty or not a plain id.
            NotFoundError: no such tax.
            UnprocessableEntityError: the API refused the rate.
            SpaceInvoicesError: any other failure.
        """
        path = f"/taxes/{path_id(tax_id, 'tax_id')}"
        await self._client.fetch(TaxRate, "POST", f"{path}/taxRates", body=body, retry=False)
        return await self._client.fetch(Tax, "GET", path)
