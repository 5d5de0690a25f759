"""Accounts, end to end against the embedded API over ASGITransport."""

from __future__ import annotations

from typing import Any

import pytest

from si_mcp.client import AuthenticationError, SpaceInvoices, UnprocessableEntityError

pytestmark = pytest.mark.anyio

PASSWORD = "Rocket-launch-2024!"


async def test_sign_up_log_in_and_see_who_the_token_belongs_to(local_api: SpaceInvoices) -> None:
    account = await local_api.accounts.signup(email="ada@example.com", password=PASSWORD, firstname="Ada", lastname="L")
    assert (account.email, account.firstname, account.lastname) == ("ada@example.com", "Ada", "L")

    token = await local_api.accounts.login(email="ada@example.com", password=PASSWORD, ttl=3600)
    assert token.user_id == account.id
    assert token.ttl == 3600

    local_api.set_access_token(token.id)
    assert (await local_api.accounts.authorized()).id == account.id
    assert (await local_api.accounts.get(account.id)).email == "ada@example.com"


async def test_a_wrong_password_is_an_authentication_error_with_the_loopback_code(local_api: SpaceInvoices) -> None:
    await local_api.accounts.signup(email="ada@example.com", password=PASSWORD)
    with pytest.raises(AuthenticationError) as caught:
        await local_api.accounts.login(email="ada@example.com", password="not-the-password")
    assert caught.value.error.code == "LOGIN_FAILED"


async def test_without_a_token_authorized_is_refused(local_api: SpaceInvoices) -> None:
    with pytest.raises(AuthenticationError):
        await local_api.accounts.authorized()


async def test_signing_up_twice_with_one_email_is_a_validation_error(local_api: SpaceInvoices) -> None:
    await local_api.accounts.signup(email="ada@example.com", password=PASSWORD)
    with pytest.raises(UnprocessableEntityError) as caught:
        await local_api.accounts.signup(email="ada@example.com", password=PASSWORD)
    assert caught.value.error.details is not None


async def test_another_accounts_id_is_refused(books: Any) -> None:
    other = await books.api.accounts.signup(email="bob@example.com", password=PASSWORD)
    with pytest.raises(AuthenticationError):
        await books.api.accounts.get(other.id)
