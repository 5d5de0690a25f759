"""The client's e-invoice: served by the embedded API, built by the client itself against Space Invoices (which has no
such route), the same bytes either way."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from si_mcp.client import EInvoiceIncompleteError, SpaceInvoices, UnprocessableEntityError
from si_mcp.local import create_app
from si_mcp.models import DocumentCreate, OrganizationCreate

pytestmark = pytest.mark.anyio

PASSWORD = "Rocket-launch-2024!"
INVOICE = {
    "_documentClient": {"name": "Rocket man", "country": "Belgium", "taxNumber": "BE0403170701", "city": "Gent"},
    "_documentItems": [{"name": "Space suit", "price": 100, "_documentItemTaxes": [{"rate": 21}]}],
}


class SpaceInvoicesLike(httpx.AsyncBaseTransport):
    """The embedded API without what only si-mcp has: its e-invoice route and the header that announces it."""

    def __init__(self, app: object) -> None:
        self.inner = httpx.ASGITransport(app=app)  # type: ignore[arg-type]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/ubl"):
            return httpx.Response(404, json={"error": {"statusCode": 404, "name": "Error", "message": "no route"}})
        response = await self.inner.handle_async_request(request)
        del response.headers["SI-MCP-Books"]
        return response


async def _invoice(api: SpaceInvoices, tax_number: str) -> str:
    account = await api.accounts.signup(email="ada@example.com", password=PASSWORD)
    api.set_access_token((await api.accounts.login(email="ada@example.com", password=PASSWORD)).id)
    organization = await api.organizations.create(
        account.id,
        body=OrganizationCreate.model_validate(
            {"name": "International Space Agency", "country": "Belgium", "taxNumber": tax_number, "city": "Brussels"}
        ),
    )
    return (await api.documents.create(organization.id, body=DocumentCreate.model_validate(INVOICE))).id


async def test_the_client_builds_the_same_e_invoice_the_embedded_api_serves(tmp_path: Path, database_url: str) -> None:
    app = create_app(database_url=database_url, data_dir=tmp_path)
    try:
        async with SpaceInvoices(base_url="http://local/v1", transport=httpx.ASGITransport(app=app)) as embedded:
            document_id = await _invoice(embedded, "BE0477472701")
            served = await embedded.documents.ubl(document_id)
            token = embedded.access_token
        async with SpaceInvoices(token, base_url="http://local/v1", transport=SpaceInvoicesLike(app)) as remote:
            built = await remote.documents.ubl(document_id)
    finally:
        await app.aclose()

    assert served.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Invoice ')
    assert built == served


async def test_an_incomplete_organization_gets_what_to_add_from_both_ways(tmp_path: Path, database_url: str) -> None:
    app = create_app(database_url=database_url, data_dir=tmp_path)
    try:
        async with SpaceInvoices(base_url="http://local/v1", transport=httpx.ASGITransport(app=app)) as embedded:
            document_id = await _invoice(embedded, "")
            with pytest.raises(UnprocessableEntityError, match="electronic address for your organization"):
                await embedded.documents.ubl(document_id)
            token = embedded.access_token
        async with SpaceInvoices(token, base_url="http://local/v1", transport=SpaceInvoicesLike(app)) as remote:
            with pytest.raises(EInvoiceIncompleteError, match="electronic address for your organization"):
                await remote.documents.ubl(document_id)
    finally:
        await app.aclose()
