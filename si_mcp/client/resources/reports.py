"""Reports on the books: VAT and sales, receivables aging, client statement (embedded API extension).

The Space Invoices API has no such routes (it answers 404): the MCP tools say so instead of guessing.
"""

from __future__ import annotations

from datetime import date

from si_mcp.models.report import AgingReport, Statement, VatReport

from ._resource import Resource, path_id

__all__ = ["Reports"]


class Reports(Resource):
    async def vat(self, organization_id: str, date_from: date, date_to: date) -> VatReport:
        """Sales and VAT of documents dated in [date_from, date_to] (the organization's days), per currency, VAT
        category and rate: invoices and advances minus credit notes; estimates, drafts and canceled ones counted apart.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            UnprocessableEntityError: the period is refused.
            NotFoundError: the API has no reports (the Space Invoices API).
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/reports/vat"
        params = {"from": date_from.isoformat(), "to": date_to.isoformat()}
        return await self._client.fetch(VatReport, "GET", path, params=params)

    async def aging(self, organization_id: str, as_of: date | None = None) -> AgingReport:
        """What issued invoices and advances still have due, per client, by days past due on ``as_of`` (default:
        the organization's today).

        Raises:
            as :meth:`vat`.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/reports/aging"
        return await self._client.fetch(AgingReport, "GET", path, params={"date": as_of.isoformat()} if as_of else None)

    async def statement(self, organization_id: str, client_id: str, date_from: date, date_to: date) -> Statement:
        """A client's invoices, credit notes and payments in the period with a running balance from what it owed
        before.

        Raises:
            as :meth:`vat`; NotFoundError also when the client is unknown.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/reports/statement"
        params = {"clientId": path_id(client_id, "client_id"), "from": date_from.isoformat(), "to": date_to.isoformat()}
        return await self._client.fetch(Statement, "GET", path, params=params)
