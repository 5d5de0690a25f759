"""Reference data: countries and currencies."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import WireModel

__all__ = ["Country", "CountryTax", "Currency"]


class CountryTax(WireModel):
    name: str
    abbreviation: str
    rate: str
    classification: str


class Country(WireModel):
    name: str
    alpha2_code: str
    alpha3_code: str | None = None
    native_name: str | None = None
    numeric_code: str | None = None
    currency: str | None = None
    locale: str | None = None
    timezone: str | None = None
    translations: dict[str, str] = Field(default_factory=dict)
    taxes: list[CountryTax] = Field(default_factory=list)


class Currency(WireModel):
    id: str
    name: str
    symbol: str = ""
    type: str = "fiat"
    decimal_digits: int = 2
    extra: dict[str, Any] | None = None
