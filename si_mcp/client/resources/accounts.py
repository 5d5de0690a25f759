"""Accounts: sign up, log in, and who the current token belongs to."""

from __future__ import annotations

from si_mcp.models import AccessToken, Account, AccountCreate, LoginRequest

from ._resource import Resource, path_id

__all__ = ["Accounts"]


class Accounts(Resource):
    async def signup(
        self, *, email: str, password: str, firstname: str | None = None, lastname: str | None = None
    ) -> Account:
        """Create an account (``POST /accounts``). Never retried: a lost answer may mean it exists already."""
        fields = {"email": email, "password": password, "firstname": firstname, "lastname": lastname}
        body = AccountCreate.model_validate({key: value for key, value in fields.items() if value is not None})
        return await self._client.fetch(Account, "POST", "/accounts", body=body, retry=False)

    async def login(self, *, email: str, password: str, ttl: int | None = None) -> AccessToken:
        """Get an access token (``POST /accounts/login``); pass its ``id`` to ``api.set_access_token``.

        Not retried: every repeat would mint another live token.
        """
        fields = {"email": email, "password": password, "ttl": ttl}
        body = LoginRequest.model_validate({key: value for key, value in fields.items() if value is not None})
        return await self._client.fetch(AccessToken, "POST", "/accounts/login", body=body, retry=False)

    async def authorized(self) -> Account:
        """The account the current access token belongs to (401 without a valid token)."""
        return await self._client.fetch(Account, "GET", "/accounts/authorized")

    async def get(self, account_id: str) -> Account:
        return await self._client.fetch(Account, "GET", f"/accounts/{path_id(account_id, 'account_id')}")
