"""Taxes with dated rates (``_taxRates``, newest ``dateValidFrom`` first)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from ._base import InputNumber, RequestModel, Timestamp, WireModel

__all__ = ["Tax", "TaxCreate", "TaxRate", "TaxRateCreate"]


class TaxRate(WireModel):
    id: str
    rate: Decimal
    date_valid_from: Timestamp
    custom: dict[str, Any] = Field(default_factory=dict)
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class TaxRateCreate(RequestModel):
    rate: InputNumber = Field(ge=0, le=100)
    date_valid_from: Timestamp | None = None
    custom: dict[str, Any] = Field(default_factory=dict)


class Tax(WireModel):
    id: str
    organization_id: str
    name: str
    abbreviation: str = ""
    classification: str | None = None
    country: str | None = None
    country_alpha2_code: str | None = None
    recoverable: bool = True
    compound: bool = False
    reverse_charged: bool = False
    tax_number: str | None = None
    tax_rates: list[TaxRate] = Field(default_factory=list, alias="_taxRates")
    custom: dict[str, Any] = Field(default_factory=dict)
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class TaxCreate(RequestModel):
    """Create or fully replace (PUT) a tax; at least one rate is required."""

    name: str = Field(min_length=1, max_length=200)
    abbreviation: str = Field("", max_length=50)
    classification: str | None = Field(None, max_length=50)
    recoverable: bool = True
    compound: bool = False
    reverse_charged: bool = False
    tax_number: str | None = Field(None, max_length=100)
    tax_rates: list[TaxRateCreate] = Field(alias="_taxRates", min_length=1, max_length=50)
    custom: dict[str, Any] = Field(default_factory=dict)
