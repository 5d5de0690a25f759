"""Categories (v1 ``/organizations/{id}/categories``) and a document's allocation to them (``documentCategories``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from ._base import InputNumber, RequestModel, Timestamp, WireModel

__all__ = ["Category", "CategoryCreate", "DocumentCategory", "DocumentCategoryCreate"]


class Category(WireModel):
    id: str
    organization_id: str
    name: str
    description: str = ""
    custom: dict[str, Any] = Field(default_factory=dict)
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class CategoryCreate(RequestModel):
    """Create or fully replace (PUT) a category."""

    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=1000)
    custom: dict[str, Any] = Field(default_factory=dict)


class DocumentCategory(WireModel):
    """A share of a document's amount booked under a category."""

    id: str
    organization_id: str
    document_id: str
    category_id: str
    percent: Decimal
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class DocumentCategoryCreate(RequestModel):
    """Body of ``POST /documents/{id}/documentCategories``: the whole document by default."""

    category_id: str = Field(min_length=1, max_length=64)
    percent: InputNumber = Field(Decimal(100), gt=0, le=100)
