"""Organizations (legal entities), their defaults (settings) and access grants."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from ._base import RequestModel, Timestamp, WireModel
from .language import LanguageTag

__all__ = [
    "AccountOrganization",
    "ChangeRoleRequest",
    "Default",
    "DefaultCreate",
    "DefaultUpdate",
    "DocNumberUnique",
    "InviteRequest",
    "LastDocNumber",
    "NextDocNumber",
    "Organization",
    "OrganizationCreate",
    "OrganizationUpdate",
    "Role",
]

Role = Literal["admin", "default", "readonly"]

_S = Field("", max_length=500)


class Default(WireModel):
    """One organization setting, e.g. ``{"name": "invoice_dueDays", "value": 30}``."""

    id: str
    organization_id: str
    name: str
    value: Any = None
    description: str | None = None
    l10n: dict[str, Any] | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class DefaultCreate(RequestModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$")
    value: Any = None
    description: str | None = Field(None, max_length=1000)
    l10n: dict[str, Any] | None = None


class DefaultUpdate(RequestModel):
    value: Any = None
    description: str | None = Field(None, max_length=1000)
    l10n: dict[str, Any] | None = None


class Organization(WireModel):
    id: str
    name: str
    address: str = ""
    address2: str = ""
    city: str = ""
    zip: str = ""
    state: str = ""
    country: str = ""
    country_alpha2_code: str = ""
    tax_number: str = ""
    tax_subject: bool = False
    company_number: str = ""
    iban: str = Field("", alias="IBAN")
    bank: str = ""
    swift: str = Field("", alias="SWIFT")
    website: str = ""
    email: str = ""
    phone: str = ""
    locale: str = "en"
    timezone: str = ""
    active: bool = True
    activated_at: Timestamp | None = None
    deactivated_at: Timestamp | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    custom: dict[str, Any] = Field(default_factory=dict)
    data: list[Any] = Field(default_factory=list, alias="_data")
    defaults: list[Default] | None = Field(None, alias="_defaults")


class OrganizationCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    country: str = Field(min_length=2, max_length=100, description="English or native name, or ISO alpha-2 code")
    address: str = _S
    address2: str = _S
    city: str = Field("", max_length=200)
    zip: str = Field("", max_length=50)
    state: str = Field("", max_length=200)
    tax_number: str = Field("", max_length=100)
    tax_subject: bool = False
    company_number: str = Field("", max_length=100)
    iban: str = Field("", alias="IBAN", max_length=100)
    bank: str = Field("", max_length=200)
    swift: str = Field("", alias="SWIFT", max_length=50)
    website: str = _S
    email: str = Field("", max_length=320)
    phone: str = Field("", max_length=100)
    locale: LanguageTag | None = Field(None, description="defaults to the country's locale")
    currency_id: str | None = Field(None, min_length=3, max_length=3, description="defaults to the country's currency")
    custom: dict[str, Any] = Field(default_factory=dict)


# Files of a system's zoneinfo folder that are not IANA zone names (what they mean depends on the machine).
_HOST_ZONES = frozenset({"localtime", "posixrules", "Factory"})


class OrganizationUpdate(RequestModel):
    """PATCH body: only the fields sent are changed."""

    name: str | None = Field(None, min_length=1, max_length=200)
    country: str | None = Field(None, min_length=2, max_length=100)
    address: str | None = Field(None, max_length=500)
    address2: str | None = Field(None, max_length=500)
    city: str | None = Field(None, max_length=200)
    zip: str | None = Field(None, max_length=50)
    state: str | None = Field(None, max_length=200)
    tax_number: str | None = Field(None, max_length=100)
    tax_subject: bool | None = None
    company_number: str | None = Field(None, max_length=100)
    iban: str | None = Field(None, alias="IBAN", max_length=100)
    bank: str | None = Field(None, max_length=200)
    swift: str | None = Field(None, alias="SWIFT", max_length=50)
    website: str | None = Field(None, max_length=500)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=100)
    locale: LanguageTag | None = None
    """The default language of documents and emails (a client's or a document's ``locale`` wins)."""
    timezone: str | None = Field(None, max_length=64)
    """IANA zone (e.g. ``Europe/Brussels``): its calendar day decides dates, rates, numbers' years and "overdue"."""
    custom: dict[str, Any] | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        from zoneinfo import available_timezones

        # The IANA names only: not the host's "localtime" or "posix/..." files, which mean different things per machine.
        host_files = value is not None and (value in _HOST_ZONES or value.startswith(("posix/", "right/")))
        if value is not None and (host_files or value not in available_timezones()):
            raise ValueError(f"{value[:64]!r} is not a known IANA timezone (e.g. Europe/Brussels)")
        return value


class InviteRequest(RequestModel):
    """Grant an account access to an organization, by account id or email."""

    account_id: str | None = Field(None, max_length=64)
    email: str | None = Field(None, max_length=320)
    role: Role = "default"
    require_confirmation: bool = False
    send_email: bool = False


class ChangeRoleRequest(RequestModel):
    """Body of ``POST /accountorganizations/{id}/change-role``."""

    role: Role


class AccountOrganization(WireModel):
    id: str
    account_id: str
    organization_id: str
    role: Role
    active: bool = True
    disabled: bool = False
    rejected: bool = False
    invitation_email: str | None = None
    inviter_id: str | None = None
    custom: dict[str, Any] = Field(default_factory=dict)
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class LastDocNumber(WireModel):
    """``{"number": "2026-00007"}``: the last number of a type this year; ``null`` before the first."""

    number: str | None = None


class DocNumberUnique(WireModel):
    """``{"unique": true}``: the answer of ``GET /organizations/{id}/is-unique-doc-number``."""

    unique: bool


class NextDocNumber(WireModel):
    number: str
