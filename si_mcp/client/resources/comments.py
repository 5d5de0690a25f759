"""Comments on a document: internal notes of the organization's members, never printed or sent."""

from __future__ import annotations

import builtins

from si_mcp.models import Comment, CommentCreate, Filter

from ._resource import Resource, filter_params, path_id

__all__ = ["Comments"]


def _path(document_id: str) -> str:
    return f"/documents/{path_id(document_id, 'document_id')}/comments"


class Comments(Resource):
    async def create(self, document_id: str, *, text: str) -> Comment:
        """Comment on a document (also an issued one: it stays as issued). Never retried: a repeat would comment twice.

        Raises:
            ValueError: ``document_id`` is empty or not a plain id, or ``text`` is empty or too long.
            NotFoundError: no such document.
            AuthenticationError: a read-only member.
            SpaceInvoicesError: any other failure.
        """
        body = CommentCreate(text=text)
        return await self._client.fetch(Comment, "POST", _path(document_id), body=body, retry=False)

    async def list(self, document_id: str, *, filter: Filter | None = None) -> builtins.list[Comment]:
        """The document's comments, narrowed and ordered by ``filter``.

        Raises:
            ValueError: ``document_id`` is empty or not a plain id.
            NotFoundError: no such document.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch_list(Comment, "GET", _path(document_id), params=filter_params(filter))

    async def update(self, document_id: str, comment_id: str, *, text: str) -> Comment:
        """Change the text of one's own comment (``PUT``; retried, since a repeat changes nothing).

        Raises:
            ValueError: an id is empty or not a plain id, or ``text`` is empty or too long.
            NotFoundError: no such comment on that document.
            AuthenticationError: the comment is someone else's.
            SpaceInvoicesError: any other failure.
        """
        path = f"{_path(document_id)}/{path_id(comment_id, 'comment_id')}"
        return await self._client.fetch(Comment, "PUT", path, body=CommentCreate(text=text))

    async def delete(self, document_id: str, comment_id: str) -> None:
        """Delete one's own comment (an admin may delete anyone's).

        Raises:
            ValueError: an id is empty or not a plain id.
            NotFoundError: no such comment on that document.
            AuthenticationError: the comment is someone else's and the caller is not an admin.
            SpaceInvoicesError: any other failure.
        """
        await self._client.fetch_success("DELETE", f"{_path(document_id)}/{path_id(comment_id, 'comment_id')}")
