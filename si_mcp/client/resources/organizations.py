"""Organizations (the legal entities that issue documents) and access grants to them."""

from __future__ import annotations

import builtins
from typing import Any, Literal

from si_mcp.models import (
    AccountOrganization,
    ChangeRoleRequest,
    DocNumberUnique,
    DocumentType,
    Filter,
    InviteRequest,
    LastDocNumber,
    NextDocNumber,
    Organization,
    OrganizationCreate,
    OrganizationUpdate,
    Role,
)

from ._resource import Resource, filter_params, path_id, where_params

ImageType = Literal["logo", "signature"]

__all__ = ["Organizations"]


class Organizations(Resource):
    async def create(self, account_id: str, *, body: OrganizationCreate) -> Organization:
        """Create an organization for an account. Never retried: a repeat would create a second one.

        Raises:
            ValueError: ``account_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or another account's id.
            UnprocessableEntityError: the API refused the body (e.g. an unknown country).
            SpaceInvoicesError: any other failure.
        """
        path = f"/accounts/{path_id(account_id, 'account_id')}/organizations"
        return await self._client.fetch(Organization, "POST", path, body=body, retry=False)

    async def get(self, organization_id: str) -> Organization:
        """One organization, with its ``_defaults``.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}"
        return await self._client.fetch(Organization, "GET", path)

    async def update(self, organization_id: str, *, body: OrganizationUpdate) -> Organization:
        """Change only the fields set on ``body`` (``PATCH``; not retried).

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            UnprocessableEntityError: the API refused the body.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}"
        return await self._client.fetch(Organization, "PATCH", path, body=body)

    async def list(self, account_id: str, *, filter: Filter | None = None) -> builtins.list[Organization]:
        """The organizations an account has access to, narrowed and ordered by ``filter``.

        Raises:
            ValueError: ``account_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or another account's id.
            BadRequestError: the filter names an unknown field or operator.
            SpaceInvoicesError: any other failure.
        """
        path = f"/accounts/{path_id(account_id, 'account_id')}/organizations"
        return await self._client.fetch_list(Organization, "GET", path, params=filter_params(filter))

    async def list_mine(self, *, filter: Filter | None = None) -> builtins.list[Organization]:
        """The organizations the token's account has access to (``GET /accounts/organizations``).

        Raises:
            AuthenticationError: no valid token.
            BadRequestError: the filter names an unknown field or operator.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch_list(
            Organization, "GET", "/accounts/organizations", params=filter_params(filter)
        )

    async def activate(self, organization_id: str) -> None:
        """Activate a deactivated organization again (admins); nothing changes if it is active.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or not an admin of the organization.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/activate"
        await self._client.fetch_success("POST", path)

    async def deactivate(self, organization_id: str) -> None:
        """Deactivate an organization (admins): its books stay readable; nothing can be written or issued in its
        name (a ``PermissionDeniedError`` with code ``ORGANIZATION_DEACTIVATED``) and its recurring invoices wait, until
        :meth:`activate`.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or not an admin of the organization.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/deactivate"
        await self._client.fetch_success("POST", path)

    async def count(self, account_id: str, *, where: dict[str, Any] | None = None) -> int:
        """How many organizations the account has access to (matching ``where``, if given).

        Raises:
            ValueError: ``account_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or another account's id.
            BadRequestError: ``where`` names an unknown field or operator.
            SpaceInvoicesError: any other failure.
        """
        path = f"/accounts/{path_id(account_id, 'account_id')}/organizations/count"
        return await self._client.fetch_count("GET", path, params=where_params(where))

    async def next_document_number(self, organization_id: str, *, type: DocumentType = "invoice") -> str:
        """The number the next document of ``type`` would get (nothing is reserved).

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/next-doc-number"
        return (await self._client.fetch(NextDocNumber, "GET", path, params={"type": type})).number

    async def last_document_number(self, organization_id: str, *, type: DocumentType = "invoice") -> str | None:
        """The last number this year's series of ``type`` gave (``None`` before the first).

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/last-doc-number"
        return (await self._client.fetch(LastDocNumber, "GET", path, params={"type": type})).number

    async def is_unique_document_number(
        self, organization_id: str, *, number: str, type: DocumentType = "invoice"
    ) -> bool:
        """Whether no document of ``type`` has ``number`` yet (so a create with it would be accepted).

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            UnprocessableEntityError: ``number`` is empty.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/is-unique-doc-number"
        params = {"number": number, "type": type}
        return (await self._client.fetch(DocNumberUnique, "GET", path, params=params)).unique

    async def upload_image(
        self, organization_id: str, *, content: bytes, type: ImageType = "logo", filename: str = "logo"
    ) -> None:
        """Upload the organization's logo (printed at the top of its PDFs) or signature: PNG, JPEG or a
        self-contained SVG, at most 512 KiB; it replaces the one before. Not retried.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no write access to the organization.
            UnprocessableEntityError: not an image that can be printed (the message says why).
            APIStatusError: 413, the image is too large.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/images"
        await self._client.request("POST", path, params={"type": type}, file=(filename, content), retry=False)

    async def image(self, organization_id: str, *, type: ImageType = "logo") -> bytes:
        """The organization's uploaded logo or signature (its bytes).

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            NotFoundError: no image of that type.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/images"
        return await self._client.fetch_bytes("GET", path, params={"type": type}, accept="image/*")

    async def delete_image(self, organization_id: str, *, type: ImageType = "logo") -> None:
        """Remove the organization's logo or signature (its PDFs print none again).

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no write access to the organization.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/images"
        await self._client.request("DELETE", path, params={"type": type})

    async def access(self, organization_id: str) -> builtins.list[AccountOrganization]:
        """Who has access to the organization, and with which role.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/accountorganizations"
        return await self._client.fetch_list(AccountOrganization, "GET", path)

    async def change_role(self, grant_id: str, *, role: Role) -> None:
        """Give a member (an ``AccountOrganization`` from :meth:`access`) another role (admins).

        Raises:
            ValueError: ``grant_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or not an admin of the organization.
            NotFoundError: no such grant.
            UnprocessableEntityError: it would leave the organization without an admin (code ``LAST_ADMIN``).
            SpaceInvoicesError: any other failure.
        """
        path = f"/accountorganizations/{path_id(grant_id, 'grant_id')}/change-role"
        await self._client.fetch_success("POST", path, body=ChangeRoleRequest(role=role), retry=False)

    async def remove_access(self, grant_id: str) -> None:
        """Remove a member from an organization (admins), or leave it (one's own grant).

        Raises:
            ValueError: ``grant_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or neither an admin nor the member.
            NotFoundError: no such grant.
            UnprocessableEntityError: it is the organization's last admin (code ``LAST_ADMIN``).
            SpaceInvoicesError: any other failure.
        """
        await self._client.fetch_success("DELETE", f"/accountorganizations/{path_id(grant_id, 'grant_id')}")

    async def invite(self, organization_id: str, *, body: InviteRequest) -> AccountOrganization:
        """Grant an account access. Never retried: a repeat could send a second invitation email.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, no access, or a read-only member.
            UnprocessableEntityError: the API refused the invitation.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/invite"
        return await self._client.fetch(AccountOrganization, "POST", path, body=body, retry=False)
