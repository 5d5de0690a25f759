"""Organizations and defaults, end to end against the embedded API."""

from __future__ import annotations

from typing import Any

import pytest

from si_mcp.client import AuthenticationError, NotFoundError, UnprocessableEntityError
from si_mcp.models import (
    DefaultCreate,
    DefaultUpdate,
    Filter,
    InviteRequest,
    OrganizationCreate,
    OrganizationUpdate,
)

pytestmark = pytest.mark.anyio


async def test_an_organization_is_derived_from_its_country(books: Any) -> None:
    organization = books.organization
    assert organization.country_alpha2_code == "BE"
    assert organization.locale == "nl-BE"
    fetched = await books.api.organizations.get(organization.id)
    assert fetched.id == organization.id
    assert fetched.defaults
    assert {default.name for default in fetched.defaults} >= {"invoice_dueDays", "currencyId"}


async def test_an_unknown_country_is_a_validation_error(books: Any) -> None:
    with pytest.raises(UnprocessableEntityError) as caught:
        await books.api.organizations.create(books.account.id, body=OrganizationCreate(name="X", country="Atlantis"))
    assert "country" in caught.value.error.message


async def test_update_list_and_count_organizations(books: Any) -> None:
    api, account = books.api, books.account
    updated = await api.organizations.update(books.organization.id, body=OrganizationUpdate(city="Brussels"))
    assert updated.city == "Brussels"
    assert updated.name == "International Space Agency"
    second = await api.organizations.create(account.id, body=OrganizationCreate(name="Moon Base", country="Slovenia"))

    listed = await api.organizations.list(account.id, filter=Filter(order="name ASC"))
    assert [organization.id for organization in listed] == [books.organization.id, second.id]
    only = await api.organizations.list(account.id, filter=Filter(where={"name": "Moon Base"}))
    assert [organization.id for organization in only] == [second.id]
    assert await api.organizations.count(account.id) == 2
    assert await api.organizations.count(account.id, where={"countryAlpha2Code": "SI"}) == 1


async def test_next_document_number_starts_the_year_at_one(books: Any) -> None:
    number = await books.api.organizations.next_document_number(books.organization.id)
    assert number.endswith("-00001")
    assert len(number) == len("2024-00001")
    assert (await books.api.organizations.next_document_number(books.organization.id, type="estimate")).endswith(
        "-00001"
    )


async def test_invite_grants_another_account_access(books: Any) -> None:
    other = await books.api.accounts.signup(email="bob@example.com", password="Rocket-launch-2024!")
    grant = await books.api.organizations.invite(
        books.organization.id, body=InviteRequest(account_id=other.id, role="readonly")
    )
    assert (grant.account_id, grant.organization_id, grant.role) == (other.id, books.organization.id, "readonly")


async def test_an_organization_the_caller_does_not_belong_to_is_refused(books: Any) -> None:
    with pytest.raises(AuthenticationError):
        await books.api.organizations.get("000000000000000000000000")


async def test_defaults_can_be_created_read_updated_listed_and_deleted(books: Any) -> None:
    api, organization_id = books.api, books.organization.id
    created = await api.defaults.create(organization_id, body=DefaultCreate(name="rocket_color", value="red"))
    assert (created.name, created.value) == ("rocket_color", "red")
    assert (await api.defaults.get(created.id)).value == "red"
    updated = await api.defaults.update(created.id, body=DefaultUpdate(value={"hex": "ff0000"}))
    assert updated.value == {"hex": "ff0000"}
    listed = await api.defaults.list(organization_id, filter=Filter(where={"name": "rocket_color"}))
    assert [default.id for default in listed] == [created.id]
    assert len(await api.defaults.list(organization_id)) > 1
    assert await api.defaults.delete(created.id) == 1
    with pytest.raises(NotFoundError):
        await api.defaults.get(created.id)
