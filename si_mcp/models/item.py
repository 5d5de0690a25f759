"""Items: the organization's saved products and services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from ._base import InputNumber, RequestModel, Timestamp, WireModel

__all__ = ["Item", "ItemCreate", "ItemTaxRef"]


class ItemTaxRef(RequestModel):
    """Create-only tax lookup for an item: by rate or by classification."""

    rate: InputNumber | None = Field(None, ge=0, le=100)
    classification: str | None = Field(None, max_length=50)


class Item(WireModel):
    id: str
    organization_id: str
    name: str
    description: str = ""
    unit: str | None = None
    price: Decimal | None = None
    price_gross: Decimal | None = None
    tax_ids: list[str] = Field(default_factory=list)
    sku: str | None = Field(None, alias="SKU")
    l10n: dict[str, Any] | None = None
    custom: dict[str, Any] = Field(default_factory=dict)
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class ItemCreate(RequestModel):
    """Create or fully replace (PUT) an item."""

    name: str = Field(min_length=1, max_length=500)
    description: str = Field("", max_length=5000)
    unit: str | None = Field(None, max_length=50)
    price: InputNumber | None = None
    price_gross: InputNumber | None = None
    tax_ids: list[str] = Field(default_factory=list, max_length=10)
    sku: str | None = Field(None, alias="SKU", max_length=100, pattern=r"^\S+$")
    item_taxes: list[ItemTaxRef] | None = Field(None, alias="_itemTaxes", max_length=10)
    l10n: dict[str, Any] | None = None
    custom: dict[str, Any] = Field(default_factory=dict)
