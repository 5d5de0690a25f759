"""Reports on the books: v1 statistics; VAT and sales, receivables aging, client statement (embedded API extension).

The Space Invoices API has no ``reports/`` routes (it answers 404). There :meth:`Reports.vat`, :meth:`Reports.aging`
and :meth:`Reports.statement` compute the same from the documents (and payments) they list, with the definitions the
embedded API sums in SQL (:mod:`si_mcp.models.ledger`), reading at most :data:`SCAN_LIMIT` documents; a period with
more raises :class:`~si_mcp.client.ReportTooLargeError` rather than answering from part of the books.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from si_mcp.models import Filter
from si_mcp.models.ledger import aging_from_documents, statement_from_documents, vat_from_documents
from si_mcp.models.report import AgingReport, Statement, TotalStats, VatReport

from .._base import json_body
from .._errors import APIResponseValidationError, NotFoundError, ReportTooLargeError
from ._resource import Resource, filter_params, path_id

__all__ = ["SCAN_LIMIT", "Reports"]

SCAN_LIMIT = 5000
"""Documents a report computed from documents (the Space Invoices API has no report routes) reads at most."""
_PAGE = 100


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
        try:
            return await self._client.fetch(VatReport, "GET", path, params=params)
        except NotFoundError:  # the Space Invoices API: the same, from its documents
            timezone = await self._timezone(organization_id)
            # A day of slack each side: an instant's day is the organization's, found by the ledger rules.
            where = {
                "date": {
                    "between": [(date_from - timedelta(days=1)).isoformat(), (date_to + timedelta(days=2)).isoformat()]
                }
            }
            what = f"the VAT report from {date_from} to {date_to}"
            documents = await self._scan(organization_id, where, what, advice="ask for a shorter period")
            return vat_from_documents(documents, organization_id, date_from, date_to, timezone)

    async def aging(self, organization_id: str, as_of: date | None = None) -> AgingReport:
        """What issued invoices and advances still have due, per client, by days past due on ``as_of`` (default:
        the organization's today).

        Raises:
            as :meth:`vat`.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/reports/aging"
        try:
            return await self._client.fetch(
                AgingReport, "GET", path, params={"date": as_of.isoformat()} if as_of else None
            )
        except NotFoundError:  # the Space Invoices API: the same, from its unpaid documents
            from datetime import UTC, datetime

            from si_mcp.models.ledger import local_day

            timezone = await self._timezone(organization_id)
            day = as_of or local_day(datetime.now(UTC), timezone)
            where = {"type": {"inq": ["invoice", "advance"]}, "draft": False, "canceled": False, "paidInFull": False}
            documents = await self._scan(organization_id, where, "the receivables aging")
            ids = sorted({str(d["clientId"]) for d in documents if d.get("clientId")})
            names = await self._client_names(organization_id, ids)
            return aging_from_documents(documents, organization_id, day, timezone, names)

    async def _timezone(self, organization_id: str) -> str | None:
        response = await self._client.request("GET", f"/organizations/{path_id(organization_id, 'organization_id')}")
        body = json_body(response)
        return str(body.get("timezone")) if isinstance(body, dict) and body.get("timezone") else None

    async def _scan(
        self,
        organization_id: str,
        where: dict[str, Any],
        what: str,
        collection: str = "documents",
        advice: str = "",
    ) -> list[dict[str, Any]]:
        """Every document (or payment) ``where`` selects, up to :data:`SCAN_LIMIT` (else :class:`ReportTooLargeError`).

        Pages until an empty one (an API may cap its pages below the size asked for), and counts each one once
        (one saved meanwhile shifts the pages)."""
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/{collection}"
        found: dict[str, dict[str, Any]] = {}
        skip = 0
        while True:
            query = Filter(where=where, order=["date ASC", "id ASC"], limit=_PAGE, skip=skip)
            response = await self._client.request("GET", path, params=filter_params(query))
            page = json_body(response)
            if not isinstance(page, list):
                raise APIResponseValidationError(response, f"expected a JSON array of {collection}")
            if not page:
                return list(found.values())
            skip += len(page)
            for document in page:
                if isinstance(document, dict) and document.get("id"):
                    found[str(document["id"])] = document
            if len(found) > SCAN_LIMIT:
                more = f"This API has no reports, and {what} would read more than {SCAN_LIMIT:,} {collection}"
                raise ReportTooLargeError(f"{more}; {advice}." if advice else f"{more}.", SCAN_LIMIT)

    async def _client_names(self, organization_id: str, ids: list[str]) -> dict[str, str]:
        """Clients' current names (the SQL report joins them), in pages of ``_PAGE``."""
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/clients"
        names: dict[str, str] = {}
        for start in range(0, len(ids), _PAGE):
            chunk = ids[start : start + _PAGE]
            query = Filter(where={"id": {"inq": chunk}}, limit=len(chunk))
            page = json_body(await self._client.request("GET", path, params=filter_params(query)))
            for client in page if isinstance(page, list) else []:
                if isinstance(client, dict) and client.get("id") and client.get("name"):
                    names[str(client["id"])] = str(client["name"])
        return names

    async def statement(self, organization_id: str, client_id: str, date_from: date, date_to: date) -> Statement:
        """A client's invoices, credit notes and payments in the period with a running balance from what it owed
        before.

        Raises:
            ValueError: an id is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            NotFoundError: the client is unknown in this organization.
            ReportTooLargeError: computed from documents (an API without report routes), the client's history is
                longer than :data:`SCAN_LIMIT` documents.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/reports/statement"
        params = {"clientId": path_id(client_id, "client_id"), "from": date_from.isoformat(), "to": date_to.isoformat()}
        try:
            return await self._client.fetch(Statement, "GET", path, params=params)
        except NotFoundError as missing:  # the Space Invoices API, or a client unknown in this organization
            response = await self._client.request("GET", f"/clients/{path_id(client_id, 'client_id')}")
            client = json_body(response)
            if not isinstance(client, dict) or client.get("organizationId") != organization_id:
                raise missing from None  # another organization's client is unknown here too
            name = str(client.get("name") or "")
            timezone = await self._timezone(organization_id)
            where = {
                "clientId": client_id,
                "type": {"inq": ["invoice", "advance", "credit-note"]},
                "draft": False,
                "canceled": False,
                "date": {"lt": (date_to + timedelta(days=2)).isoformat()},  # the last day's last instant, any zone
            }
            # A statement needs the client's whole history (its opening balance): the bound is on that.
            what = "the client's statement (its whole history, for the opening balance)"
            documents = await self._scan(organization_id, where, what)
            ids = [str(d["id"]) for d in documents]
            payments: list[dict[str, Any]] = []
            for start in range(0, len(ids), _PAGE):
                chunk = {"documentId": {"inq": ids[start : start + _PAGE]}}
                payments += await self._scan(organization_id, chunk, what, "payments")
            return statement_from_documents(
                documents, payments, organization_id, client_id, name, date_from, date_to, timezone
            )

    async def document_totals(
        self,
        organization_id: str,
        date_from: date,
        date_to: date,
        *,
        type: Literal["invoice", "advance", "credit-note", "estimate"] = "invoice",
        dist: Literal["day", "week", "month", "year"] = "month",
    ) -> TotalStats:
        """v1 ``document-total-stats``: issued documents of ``type`` per period of ``dist`` and currency, with a
        total per currency (drafts and canceled ones do not count).

        Raises:
            as :meth:`vat`.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/document-total-stats"
        params = {"type": type, "from": date_from.isoformat(), "to": date_to.isoformat(), "dist": dist}
        return await self._client.fetch(TotalStats, "GET", path, params=params)

    async def payment_totals(
        self,
        organization_id: str,
        date_from: date,
        date_to: date,
        *,
        dist: Literal["day", "week", "month", "year"] = "month",
    ) -> TotalStats:
        """v1 ``payment-total-stats``: payments received per period of ``dist`` and currency.

        Raises:
            as :meth:`vat`.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/payment-total-stats"
        params = {"from": date_from.isoformat(), "to": date_to.isoformat(), "dist": dist}
        return await self._client.fetch(TotalStats, "GET", path, params=params)

    async def stats(self, organization_id: str) -> TotalStats:
        """v1 ``stats``: this year's issued documents per type and currency.

        Raises:
            as :meth:`vat`.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/stats"
        return await self._client.fetch(TotalStats, "GET", path)
