"""Accounts: sign up, log in, and who the current token belongs to."""

from __future__ import annotations

import builtins

from si_mcp.models import (
    AccessToken,
    Account,
    AccountCreate,
    AccountUpdate,
    ChangePasswordRequest,
    IsUnique,
    LoginRequest,
    Session,
    TokenRequest,
)

from ._resource import Resource, path_id

__all__ = ["Accounts"]


class Accounts(Resource):
    async def signup(
        self, *, email: str, password: str, firstname: str | None = None, lastname: str | None = None
    ) -> Account:
        """Create an account (``POST /accounts``). Never retried: a lost answer may mean it exists already.

        Raises:
            ValueError: the fields do not make a valid :class:`~si_mcp.models.AccountCreate`.
            UnprocessableEntityError: the email is taken or the password too weak.
            SpaceInvoicesError: any other failure.
        """
        fields = {"email": email, "password": password, "firstname": firstname, "lastname": lastname}
        body = AccountCreate.model_validate({key: value for key, value in fields.items() if value is not None})
        return await self._client.fetch(Account, "POST", "/accounts", body=body, retry=False)

    async def login(self, *, email: str, password: str, ttl: int | None = None) -> AccessToken:
        """Get an access token (``POST /accounts/login``); pass its ``id`` to ``api.set_access_token``.

        Not retried: every repeat would mint another live token.

        Raises:
            ValueError: the fields do not make a valid :class:`~si_mcp.models.LoginRequest`.
            AuthenticationError: wrong email or password (``error.code`` says which way).
            SpaceInvoicesError: any other failure.
        """
        fields = {"email": email, "password": password, "ttl": ttl}
        body = LoginRequest.model_validate({key: value for key, value in fields.items() if value is not None})
        return await self._client.fetch(AccessToken, "POST", "/accounts/login", body=body, retry=False)

    async def change_password(self, *, old_password: str, new_password: str) -> None:
        """Change the account's password (``POST /accounts/change-password``); the embedded API also ends the
        account's other sessions. Not retried.

        Raises:
            ValueError: the new password is too short or too long.
            AuthenticationError: no valid token, or the old password is not right (``error.code`` says which).
            RateLimitError: too many wrong old passwords; ``retry_after`` says when to try again.
            SpaceInvoicesError: any other failure.
        """
        body = ChangePasswordRequest(old_password=old_password, new_password=new_password)
        await self._client.fetch_success("POST", "/accounts/change-password", body=body, retry=False)

    async def is_unique(self, *, email: str) -> bool:
        """Whether no account has ``email`` yet (``GET /accounts/is-unique``; needs no token). The embedded API
        answers 30 of these an hour per client network.

        Raises:
            UnprocessableEntityError: ``email`` is empty.
            RateLimitError: too many lookups; ``retry_after`` says when to try again.
            SpaceInvoicesError: any other failure.
        """
        return (await self._client.fetch(IsUnique, "GET", "/accounts/is-unique", params={"email": email})).is_unique

    async def authorized(self) -> Account:
        """The account the current access token belongs to.

        Raises:
            AuthenticationError: no token, or it is invalid or expired.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch(Account, "GET", "/accounts/authorized")

    async def update(self, account_id: str, *, body: AccountUpdate) -> Account:
        """Change one's own names, label, tax number or ``custom`` (``PATCH``; only the fields set are sent).

        Raises:
            ValueError: ``account_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or another account's id.
            UnprocessableEntityError: the API refused the body.
            SpaceInvoicesError: any other failure.
        """
        path = f"/accounts/{path_id(account_id, 'account_id')}"
        return await self._client.fetch(Account, "PATCH", path, body=body, retry=False)

    async def sessions(self, account_id: str) -> builtins.list[Session]:
        """The account's live access tokens (one's own), newest first; ``id`` is a token's SHA-256 and ``current``
        marks the client's own.

        Raises:
            ValueError: ``account_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or another account's id.
            SpaceInvoicesError: any other failure.
        """
        path = f"/accounts/{path_id(account_id, 'account_id')}/accessTokens"
        return await self._client.fetch_list(Session, "GET", path)

    async def create_token(self, account_id: str, *, ttl: int | None = None) -> AccessToken:
        """Another access token of one's own account (e.g. for a script), valid ``ttl`` seconds (-1: no end). Not
        retried: a repeat would mint a second live token.

        Raises:
            ValueError: ``account_id`` is empty or not a plain id, or ``ttl`` is out of range.
            AuthenticationError: no valid token, or another account's id.
            SpaceInvoicesError: any other failure.
        """
        path = f"/accounts/{path_id(account_id, 'account_id')}/accessTokens"
        return await self._client.fetch(AccessToken, "POST", path, body=TokenRequest(ttl=ttl), retry=False)

    async def revoke_token(self, account_id: str, session_id: str) -> None:
        """End one session of one's own account (its ``id`` from :meth:`sessions`).

        Raises:
            ValueError: an id is empty or not a plain id.
            AuthenticationError: no valid token, or another account's id.
            NotFoundError: no such session.
            SpaceInvoicesError: any other failure.
        """
        path = f"/accounts/{path_id(account_id, 'account_id')}/accessTokens/{path_id(session_id, 'session_id')}"
        await self._client.fetch_success("DELETE", path)

    async def get(self, account_id: str) -> Account:
        """One account; only the token's own account is readable.

        Raises:
            ValueError: ``account_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or another account's id.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch(Account, "GET", f"/accounts/{path_id(account_id, 'account_id')}")
