"""Accounts (users) and their access tokens."""

from __future__ import annotations

from typing import Any

from pydantic import EmailStr, Field

from ._base import RequestModel, Timestamp, WireModel

__all__ = [
    "AccessToken",
    "Account",
    "AccountCreate",
    "AccountUpdate",
    "ChangePasswordRequest",
    "IsUnique",
    "LoginRequest",
    "Session",
    "TokenRequest",
]


class Account(WireModel):
    id: str
    email: str
    firstname: str = ""
    lastname: str = ""
    label: str = ""
    tax_number: str = ""
    email_verified: bool = False
    locale: str = "en"
    custom: dict[str, Any] = Field(default_factory=dict)
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class AccountCreate(RequestModel):
    email: EmailStr
    password: str = Field(min_length=8, max_length=200)
    firstname: str = Field("", max_length=200)
    lastname: str = Field("", max_length=200)
    label: str = Field("", max_length=200)
    tax_number: str = Field("", max_length=100)
    custom: dict[str, Any] = Field(default_factory=dict)


class AccountUpdate(RequestModel):
    """``PATCH /accounts/{id}``: only the fields sent change (the email and password have their own routes)."""

    firstname: str | None = Field(None, max_length=200)
    lastname: str | None = Field(None, max_length=200)
    label: str | None = Field(None, max_length=200)
    tax_number: str | None = Field(None, max_length=100)
    custom: dict[str, Any] | None = None


class LoginRequest(RequestModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=200)
    ttl: int | None = Field(None, ge=-1, le=10 * 365 * 24 * 3600, description="seconds; -1 never expires")


class TokenRequest(RequestModel):
    """Body of ``POST /accounts/{id}/accessTokens``: a new session of the caller's account."""

    ttl: int | None = Field(None, ge=-1, le=10 * 365 * 24 * 3600, description="seconds; -1 never expires")


class Session(WireModel):
    """One live access token of an account, as ``GET /accounts/{id}/accessTokens`` lists it: ``id`` is the token's
    SHA-256 (the embedded API never stores a token itself), ``current`` marks the one asking."""

    id: str
    ttl: int
    user_id: str
    created: Timestamp
    current: bool = False


class ChangePasswordRequest(RequestModel):
    """Body of ``POST /accounts/change-password``."""

    old_password: str = Field(max_length=200)
    new_password: str = Field(min_length=8, max_length=200)


class IsUnique(WireModel):
    """``{"isUnique": true}``: the answer of ``GET /accounts/is-unique?email=``."""

    is_unique: bool


class AccessToken(WireModel):
    """A LoopBack access token; ``id`` is the token itself."""

    id: str
    ttl: int
    user_id: str
    created: Timestamp
    scopes: list[str] | None = None
