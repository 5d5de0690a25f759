"""Base classes and field types shared by every wire model.

Policy, decided once here:

* Python attributes are snake_case; the wire uses the API's own names (camelCase,
  ``_documentItems``-style underscores, ``IBAN``/``SWIFT``/``SKU``) through aliases.
* Response models (``WireModel``) keep unknown fields (``extra="allow"``): the live
  API grew many fields between 2019 and 2024 and a client must not break on them.
* Request models (``RequestModel``) reject unknown fields, so a typo fails loudly.
* Money and quantities are ``Decimal``. JSON bodies are decoded and encoded with
  :mod:`si_mcp.models.wirejson`, never through float.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainSerializer, field_validator
from pydantic.alias_generators import to_camel

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "InputNumber",
    "RequestModel",
    "Timestamp",
    "WireModel",
    "format_timestamp",
]


def format_timestamp(value: datetime) -> str:
    """Render a datetime as the API does: ISO-8601 UTC with milliseconds and a ``Z``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _as_utc(value: datetime) -> datetime:
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+14:00 has no UTC time: a validation error, not a crash
        raise ValueError("is outside the calendar once taken to UTC") from None


Timestamp = Annotated[datetime, AfterValidator(_as_utc), PlainSerializer(format_timestamp, return_type=str)]
"""A date-time on the wire (``2023-04-30T06:14:03.266Z``); naive values are taken as UTC."""

# Inputs larger than this are refused: no real invoice needs them, and they would only
# exercise overflow paths. 10**15 leaves room for 1234567890123.45.
_MAX_DIGITS = 15
_MAX_INPUT = Decimal(10) ** _MAX_DIGITS
_MAX_FRACTION_DIGITS = 12


def _bounded(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("must be a finite number")
    # adjusted() (the exponent of the leading digit) needs no arithmetic: abs() of 1e999999999 overflows.
    if value and value.adjusted() >= _MAX_DIGITS:
        raise ValueError(f"must be smaller than {_MAX_INPUT:,} in absolute value")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > _MAX_FRACTION_DIGITS:
        raise ValueError(f"must have at most {_MAX_FRACTION_DIGITS} decimal places")
    return value


InputNumber = Annotated[Decimal, AfterValidator(_bounded)]
"""A number in a request body: exact Decimal, finite, bounded in size and precision."""


def _wire_name(name: str) -> str:
    # to_camel("l10n") is "l10N"; the API's key is "l10n".
    return "l10n" if name == "l10n" else to_camel(name)


class WireModel(BaseModel):
    """A response object: camelCase on the wire, unknown fields kept."""

    model_config = ConfigDict(
        alias_generator=_wire_name,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="allow",
    )

    def to_wire(self, **kwargs: Any) -> dict[str, Any]:
        """Dump with wire names; Decimals stay Decimal for :func:`wirejson.dumps`."""
        return self.model_dump(mode="python", by_alias=True, **kwargs)


FIRST_DAY = datetime(1900, 1, 1, tzinfo=UTC)
LAST_DAY = datetime(2999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
"""Dates a request may carry: no invoice is older, and dates computed from them (due in N days, the next
occurrence) stay far from the end of the calendar, where they would overflow."""


class RequestModel(WireModel):
    """A request body: like :class:`WireModel`, but unknown fields are an error, and dates are bounded."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _sane_dates(cls, value: Any) -> Any:
        if isinstance(value, datetime):
            sane = FIRST_DAY <= value <= LAST_DAY
        elif isinstance(value, date):
            sane = FIRST_DAY.date() <= value <= LAST_DAY.date()
        else:
            return value
        if not sane:
            raise ValueError(f"must be between {FIRST_DAY:%Y-%m-%d} and {LAST_DAY:%Y-%m-%d}")
        return value
