"""Webhooks (v1 ``/organizations/{id}/webhooks``): the books tell a URL when documents, payments and clients change."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator

from ._base import RequestModel, Timestamp, WireModel

__all__ = ["WEBHOOK_EVENTS", "Webhook", "WebhookCreate", "WebhookDelivery", "WebhookUpdate"]

WEBHOOK_EVENTS = tuple(
    f"{model}/{event}" for model in ("document", "payment", "client") for event in ("create", "update", "delete")
)
"""The events the books emit; a webhook names some of them, ``model/*`` or ``*``."""

_EVENT = re.compile(r"^(\*|(document|payment|client)/(\*|create|update|delete))$")


def _events(value: list[str]) -> list[str]:
    for event in value:
        if not _EVENT.match(event):
            raise ValueError(f"{event!r} is not an event: use e.g. 'document/create', 'payment/*' or '*'")
    return value


class Webhook(WireModel):
    id: str
    organization_id: str
    url: str
    events: list[str]
    enabled: bool = True
    secret: str | None = None
    """Only in the answer that creates it (and to ``rotateSecret``): the key of the ``SI-MCP-Signature`` header."""
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class WebhookCreate(RequestModel):
    url: str = Field(min_length=8, max_length=2000)
    events: list[str] = Field(min_length=1, max_length=20)
    enabled: bool = True

    _check_events = field_validator("events")(_events)


class WebhookUpdate(RequestModel):
    """PATCH body: only the fields sent change. ``rotateSecret`` makes a new signing secret (answered once)."""

    url: str | None = Field(None, min_length=8, max_length=2000)
    events: list[str] | None = Field(None, min_length=1, max_length=20)
    enabled: bool | None = None
    rotate_secret: bool = False

    @field_validator("events")
    @classmethod
    def _check(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _events(value)


class WebhookDelivery(WireModel):
    """One event on its way to one webhook: ``queued``, ``delivered``, ``failed`` (retried) or ``dead``."""

    id: str
    webhook_id: str
    uid: str
    event: str
    status: Literal["queued", "sending", "delivered", "failed", "dead"]
    attempts: int
    last_status_code: int | None = None
    last_error: str | None = None
    next_attempt_at: Timestamp | None = None
    created_at: Timestamp | None = None
    delivered_at: Timestamp | None = None
    data: dict[str, Any] | None = None
