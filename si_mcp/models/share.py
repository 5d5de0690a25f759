"""A document's public link (v1 ``POST /documents/{id}/share``, read at ``/documents/public/{shareableId}``)."""

from __future__ import annotations

from ._base import RequestModel, WireModel

__all__ = ["Share", "ShareRequest"]


class ShareRequest(RequestModel):
    regenerate: bool = False
    """A new link; the old one stops working."""


class Share(WireModel):
    shareable_id: str
