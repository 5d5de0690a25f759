"""v1 routes the official SDKs call, through the client over ASGITransport on the embedded API: account lookups,
the caller's organizations, and organizations deactivated and activated again."""

from __future__ import annotations

from decimal import Decimal

import pytest

from si_mcp.client import (
    AuthenticationError,
    PermissionDeniedError,
    RateLimitError,
    SpaceInvoices,
)
from si_mcp.models import DocumentCreate, InviteRequest, OrganizationUpdate

from .conftest import PASSWORD, Books, open_books

pytestmark = pytest.mark.anyio


def _invoice() -> DocumentCreate:
    return DocumentCreate.model_validate(
        {
            "_documentClient": {"name": "Rocket man", "country": "United Kingdom"},
            "_documentItems": [{"name": "Space suit", "price": Decimal("100"), "_documentItemTaxes": [{"rate": 21}]}],
        }
    )


async def test_is_unique_says_whether_an_email_has_an_account_without_a_token(local_api: SpaceInvoices) -> None:
    await local_api.accounts.signup(email="ada@example.com", password=PASSWORD)

    assert await local_api.accounts.is_unique(email="Ada@Example.com") is False
    assert await local_api.accounts.is_unique(email="grace@example.com") is True


async def test_is_unique_is_throttled_per_client_address_so_accounts_cannot_be_enumerated(
    local_api: SpaceInvoices,
) -> None:
    for n in range(30):
        assert await local_api.accounts.is_unique(email=f"guess{n}@example.com")

    with pytest.raises(RateLimitError) as refused:
        await local_api.accounts.is_unique(email="guess30@example.com")

    assert refused.value.error.code == "TOO_MANY_REQUESTS"
    assert refused.value.retry_after is not None and refused.value.retry_after > 3000  # the hour's window


async def test_the_callers_organizations_are_listed_without_naming_the_account(books: Books) -> None:
    mine = await books.api.organizations.list_mine()

    assert [organization.id for organization in mine] == [books.organization.id]


async def test_a_deactivated_organization_is_read_but_nothing_is_issued_or_changed_until_it_is_activated(
    books: Books,
) -> None:
    api, org = books.api, books.organization
    first = await api.documents.create(org.id, body=_invoice())

    await api.organizations.deactivate(org.id)
    await api.organizations.deactivate(org.id)  # again: nothing changes
    deactivated = await api.organizations.get(org.id)
    with pytest.raises(PermissionDeniedError) as refused:
        await api.documents.create(org.id, body=_invoice())
    with pytest.raises(PermissionDeniedError):
        await api.organizations.update(org.id, body=OrganizationUpdate(city="Ghent"))
    with pytest.raises(PermissionDeniedError):
        await api.documents.cancel(first.id)
    readable = await api.documents.get(first.id)

    await api.organizations.activate(org.id)
    second = await api.documents.create(org.id, body=_invoice())
    active = await api.organizations.get(org.id)

    assert refused.value.error.code == "ORGANIZATION_DEACTIVATED"
    assert deactivated.active is False and deactivated.deactivated_at is not None
    assert readable.number == first.number
    assert (
        active.active is True and active.activated_at is not None and active.activated_at >= deactivated.deactivated_at
    )
    assert (first.number, second.number) == (f"{first.date.year}-00001", f"{first.date.year}-00002")


async def test_only_an_admin_deactivates_an_organization(local_api: SpaceInvoices) -> None:
    owner = await open_books(local_api)
    helper = await local_api.accounts.signup(email="grace@example.com", password=PASSWORD)
    await local_api.organizations.invite(
        owner.organization.id, body=InviteRequest.model_validate({"accountId": helper.id, "role": "default"})
    )
    local_api.set_access_token((await local_api.accounts.login(email="grace@example.com", password=PASSWORD)).id)

    with pytest.raises(AuthenticationError):
        await local_api.organizations.deactivate(owner.organization.id)
