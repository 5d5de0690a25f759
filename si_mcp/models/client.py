"""Clients (customers) of an organization."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ._base import RequestModel, Timestamp, WireModel
from .language import SupportedLanguage

__all__ = ["Client", "ClientCreate", "ClientUpdate"]


class Client(WireModel):
    id: str
    organization_id: str
    name: str
    contact: str | None = None
    note: str | None = None
    is_end_customer: bool = False
    type: str | None = None
    address: str | None = None
    address2: str | None = None
    city: str | None = None
    zip: str | None = None
    state: str | None = None
    country: str | None = None
    country_alpha2_code: str | None = None
    tax_number: str | None = None
    tax_subject: bool | None = None
    company_number: str | None = None
    iban: str | None = Field(None, alias="IBAN")
    bank: str | None = None
    swift: str | None = Field(None, alias="SWIFT")
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    locale: str | None = None
    """The language of this client's documents and emails (embedded API); else the organization's."""
    attach_ubl: bool = False
    """Emails to this client carry the Peppol UBL next to the PDF (embedded API), unless a send says otherwise."""
    custom: dict[str, Any] = Field(default_factory=dict)
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class ClientCreate(RequestModel):
    name: str = Field(min_length=1, max_length=300)
    contact: str | None = Field(None, max_length=300)
    note: str | None = Field(None, max_length=5000)
    is_end_customer: bool = False
    type: Literal["customer", "supplier", "both"] | None = None
    address: str | None = Field(None, max_length=500)
    address2: str | None = Field(None, max_length=500)
    city: str | None = Field(None, max_length=200)
    zip: str | None = Field(None, max_length=50)
    state: str | None = Field(None, max_length=200)
    country: str | None = Field(None, max_length=100)
    tax_number: str | None = Field(None, max_length=100)
    tax_subject: bool | None = None
    company_number: str | None = Field(None, max_length=100)
    iban: str | None = Field(None, alias="IBAN", max_length=100)
    bank: str | None = Field(None, max_length=200)
    swift: str | None = Field(None, alias="SWIFT", max_length=50)
    website: str | None = Field(None, max_length=500)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=100)
    locale: SupportedLanguage | None = None
    attach_ubl: bool = False
    custom: dict[str, Any] = Field(default_factory=dict)


class ClientUpdate(RequestModel):
    """PATCH body: only the fields sent are changed."""

    name: str | None = Field(None, min_length=1, max_length=300)
    contact: str | None = Field(None, max_length=300)
    note: str | None = Field(None, max_length=5000)
    is_end_customer: bool | None = None
    type: Literal["customer", "supplier", "both"] | None = None
    address: str | None = Field(None, max_length=500)
    address2: str | None = Field(None, max_length=500)
    city: str | None = Field(None, max_length=200)
    zip: str | None = Field(None, max_length=50)
    state: str | None = Field(None, max_length=200)
    country: str | None = Field(None, max_length=100)
    tax_number: str | None = Field(None, max_length=100)
    tax_subject: bool | None = None
    company_number: str | None = Field(None, max_length=100)
    iban: str | None = Field(None, alias="IBAN", max_length=100)
    bank: str | None = Field(None, max_length=200)
    swift: str | None = Field(None, alias="SWIFT", max_length=50)
    website: str | None = Field(None, max_length=500)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=100)
    locale: SupportedLanguage | None = None
    attach_ubl: bool | None = None
    custom: dict[str, Any] | None = None
