"""Shared pieces of the tool modules: argument types, the tool registry entry, result building."""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.types import CallToolResult, ContentBlock, TextContent, ToolAnnotations
from pydantic import BaseModel, Field, WithJsonSchema

if TYPE_CHECKING:
    from si_mcp.models import Organization

__all__ = [
    "DocArg",
    "Language",
    "Number",
    "DocTypeArg",
    "OrgArg",
    "PaymentType",
    "VatCategory",
    "TokenArg",
    "ToolSpec",
    "result",
    "today",
]

# A model fills arguments from the schema, not from the server instructions: every shared argument says what it is.
OrgArg = Annotated[str | None, Field(description="Id or name; omit for the default.", max_length=200)]
DocArg = Annotated[str, Field(description="Document number (e.g. 2026-00001) or id.", min_length=1, max_length=100)]
DocTypeArg = Annotated[
    Literal["invoice", "estimate", "advance", "credit-note"] | None,
    Field(description="Only if the number is ambiguous."),
]
TokenArg = Annotated[str | None, Field(description="From the preview, once the user agreed.", max_length=200)]
# Exact decimals: JSON numbers are read through their text (never float math); strings are accepted too.
Number = Annotated[Decimal, WithJsonSchema({"type": "number"})]
PaymentType = Literal["bank", "online", "paypal", "cash", "card", "crypto", "coupon", "other"]
# si_mcp.models.vat.Category, repeated here so that listing tools does not import the models (a test keeps them equal).
VatCategory = Literal["S", "Z", "E", "AE", "K", "G", "O"]
# si_mcp.models.language.LANGUAGES, repeated for the same reason (the test keeps them equal too). A document in a
# language without a region takes the organization's (fr for a Belgian business formats as fr-BE).
Language = Literal["en", "nl", "fr", "de", "sl", "it", "es"]


@dataclass(frozen=True)
class ToolSpec:
    """A tool and the truths about it the client may rely on."""

    fn: Callable[..., Any]
    title: str
    read_only: bool
    destructive: bool = False
    idempotent: bool = False
    open_world: bool = False

    @property
    def annotations(self) -> ToolAnnotations:
        return ToolAnnotations(
            read_only_hint=self.read_only,
            destructive_hint=self.destructive,
            idempotent_hint=self.idempotent,
            open_world_hint=self.open_world,
        )


def result(text: str, data: BaseModel, extra: Sequence[ContentBlock] = ()) -> CallToolResult:
    """A short text for the model plus the structured content (validated against the output schema)."""
    return CallToolResult(
        content=[TextContent(type="text", text=text), *extra],
        # None fields are left out: the listed output schemas declare no nulls (see schema.py).
        structured_content=data.model_dump(mode="json", exclude_none=True),
    )


def today(org: "Organization | None" = None) -> dt.date:
    """Today where the organization is (its timezone), else in UTC: what "today" and "overdue" mean to its books."""
    from si_mcp.models.ledger import organization_today

    return organization_today(org.timezone if org is not None else None, dt.datetime.now(dt.UTC))


def as_timestamp(day: dt.date | None) -> dt.datetime | None:
    """A calendar day as the API's timestamp (midnight UTC)."""
    return None if day is None else dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
