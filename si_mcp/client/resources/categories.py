"""Categories (income or expense headings) and the allocation of documents to them (``documentCategories``)."""

from __future__ import annotations

import builtins
from decimal import Decimal

from si_mcp.models import Category, CategoryCreate, DocumentCategory, DocumentCategoryCreate, Filter

from ._resource import Resource, filter_params, path_id

__all__ = ["Categories"]


class Categories(Resource):
    async def create(self, organization_id: str, *, body: CategoryCreate) -> Category:
        """Save a category. Never retried: a repeat would leave a duplicate.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no write access to the organization.
            UnprocessableEntityError: the API refused the body.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/categories"
        return await self._client.fetch(Category, "POST", path, body=body, retry=False)

    async def list(self, organization_id: str, *, filter: Filter | None = None) -> builtins.list[Category]:
        """The organization's categories, narrowed and ordered by ``filter``.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            BadRequestError: the filter names an unknown field or operator.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/categories"
        return await self._client.fetch_list(Category, "GET", path, params=filter_params(filter))

    async def get(self, category_id: str) -> Category:
        """One category.

        Raises:
            ValueError: ``category_id`` is empty or not a plain id.
            NotFoundError: no such category.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch(Category, "GET", f"/categories/{path_id(category_id, 'category_id')}")

    async def replace(self, category_id: str, *, body: CategoryCreate) -> Category:
        """Replace a category as a whole (``PUT``; retried, since a repeat changes nothing).

        Raises:
            ValueError: ``category_id`` is empty or not a plain id.
            NotFoundError: no such category.
            UnprocessableEntityError: the API refused the body.
            SpaceInvoicesError: any other failure.
        """
        path = f"/categories/{path_id(category_id, 'category_id')}"
        return await self._client.fetch(Category, "PUT", path, body=body)

    async def delete(self, category_id: str) -> int:
        """Delete a category no document is allocated to; returns how many were deleted.

        Raises:
            ValueError: ``category_id`` is empty or not a plain id.
            NotFoundError: no such category.
            UnprocessableEntityError: documents are allocated to it (code ``CATEGORY_IN_USE``).
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch_count("DELETE", f"/categories/{path_id(category_id, 'category_id')}")

    async def allocate(
        self, document_id: str, *, category_id: str, percent: Decimal = Decimal(100)
    ) -> DocumentCategory:
        """Book ``percent`` of a document under a category (a document's shares add up to at most 100 %). Never
        retried: a repeat would book the share twice.

        Raises:
            ValueError: ``document_id`` is empty or not a plain id, or ``percent`` is not in (0, 100].
            NotFoundError: no such document.
            UnprocessableEntityError: an unknown category, or more than 100 % in all.
            SpaceInvoicesError: any other failure.
        """
        path = f"/documents/{path_id(document_id, 'document_id')}/documentCategories"
        body = DocumentCategoryCreate(category_id=category_id, percent=percent)
        return await self._client.fetch(DocumentCategory, "POST", path, body=body, retry=False)

    async def allocations(self, document_id: str) -> builtins.list[DocumentCategory]:
        """How the document is allocated to categories.

        Raises:
            ValueError: ``document_id`` is empty or not a plain id.
            NotFoundError: no such document.
            SpaceInvoicesError: any other failure.
        """
        path = f"/documents/{path_id(document_id, 'document_id')}/documentCategories"
        return await self._client.fetch_list(DocumentCategory, "GET", path)

    async def delete_allocation(self, allocation_id: str) -> int:
        """Remove one allocation; returns how many were removed.

        Raises:
            ValueError: ``allocation_id`` is empty or not a plain id.
            NotFoundError: no such allocation.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch_count(
            "DELETE", f"/documentCategories/{path_id(allocation_id, 'allocation_id')}"
        )
