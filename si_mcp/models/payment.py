"""Payments recorded against documents."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from ._base import InputNumber, RequestModel, Timestamp, WireModel

__all__ = ["PAYMENT_TYPES", "Payment", "PaymentCreate", "PaymentType", "PaymentUpdate"]

PaymentType = Literal["bank", "online", "paypal", "cash", "card", "crypto", "coupon", "other"]
PAYMENT_TYPES: tuple[PaymentType, ...] = ("bank", "online", "paypal", "cash", "card", "crypto", "coupon", "other")


class Payment(WireModel):
    id: str
    document_id: str | None = None
    organization_id: str | None = None
    type: str
    date: Timestamp
    amount: Decimal
    note: str | None = None
    tag: str | None = None
    transaction_id: str | None = None
    unique_id: str | None = None
    """Embedded API extension: the idempotency key it was created with."""
    is_deleted: bool = Field(False, alias="_isDeleted")
    custom: dict[str, Any] = Field(default_factory=dict)
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class PaymentCreate(RequestModel):
    """A payment; ``amount`` defaults to what is still due on the document.

    ``documentId`` is required when creating at organization level, and settable on PUT.
    ``description`` is the 2019 name of ``note`` and is accepted for old clients.
    """

    type: PaymentType
    date: Timestamp | None = None
    amount: InputNumber | None = None
    note: str | None = Field(None, max_length=2000)
    description: str | None = Field(None, max_length=2000)
    tag: str | None = Field(None, max_length=100)
    transaction_id: str | None = Field(None, max_length=200)
    document_id: str | None = Field(None, max_length=64)
    unique_id: str | None = Field(None, min_length=1, max_length=255)
    """Embedded API extension: an idempotency key, unique per organization. A create repeated with it and the same
    body answers the payment it made (nothing new is recorded); with another body it is refused (422)."""
    custom: dict[str, Any] = Field(default_factory=dict)


class PaymentUpdate(RequestModel):
    """``PATCH /payments/{id}``: only the fields set change."""

    type: PaymentType | None = None
    date: Timestamp | None = None
    amount: InputNumber | None = None
    note: str | None = Field(None, max_length=2000)
    description: str | None = Field(None, max_length=2000)
    tag: str | None = Field(None, max_length=100)
    transaction_id: str | None = Field(None, max_length=200)
    document_id: str | None = Field(None, max_length=64)
    custom: dict[str, Any] | None = None
