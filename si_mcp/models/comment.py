"""Comments on a document (v1 ``/documents/{id}/comments``): internal notes, never printed."""

from __future__ import annotations

from pydantic import Field

from ._base import RequestModel, Timestamp, WireModel

__all__ = ["Comment", "CommentCreate"]


class Comment(WireModel):
    id: str
    text: str
    document_id: str
    organization_id: str
    account_id: str
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class CommentCreate(RequestModel):
    """Body of ``POST /documents/{id}/comments`` and ``PUT /documents/{id}/comments/{fk}``."""

    text: str = Field(min_length=1, max_length=5000)
