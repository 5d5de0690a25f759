"""LoopBack query filters: ``where``, ``order``, ``limit``, ``skip``, ``fields``, ``include``.

The client builds a :class:`Filter` and sends it as compact JSON in ``?filter=``; the local
API parses the same model from either that JSON or the bracket form (``filter[where][type]=invoice``).
``where`` stays a plain JSON object because LoopBack's operator syntax is open-ended:
``{"and": [...]}``, ``{"or": [...]}``, ``{"field": value}``, ``{"field": {"gt": 1}}`` with
gt/gte/lt/lte/between/inq/nin/neq/like/nlike.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from ._base import RequestModel
from .wirejson import dumps

__all__ = ["MAX_LIMIT", "Filter", "OrderSpec"]

MAX_LIMIT = 1000
"""The local API never returns more rows than this in one page."""

_MAX_SKIP = 2**63 - 1
"""The largest offset a SQL engine takes (a signed 64-bit integer); larger is a 400, not a 500."""

OrderSpec = str | list[str] | dict[str, Literal["ASC", "DESC", "asc", "desc"]]


class Filter(RequestModel):
    """A LoopBack filter; build one and pass it to any ``list`` call.

    ``where`` uses the API's field names (camelCase) and LoopBack's operators; values may be
    ``Decimal``, ``datetime`` or ``date`` and are sent exactly::

        Filter(
            where={"type": "invoice", "totalDue": {"gt": Decimal("0")}, "date": {"gte": datetime(2026, 1, 1)}},
            order="date DESC",
            limit=50,
        )
    """

    where: dict[str, Any] | None = None
    order: OrderSpec | None = None
    limit: int | None = Field(None, ge=0, le=MAX_LIMIT)
    skip: int | None = Field(None, ge=0, le=_MAX_SKIP)
    offset: int | None = Field(None, ge=0, le=_MAX_SKIP, description="LoopBack 4 spelling of skip")
    fields: dict[str, bool] | list[str] | None = None
    include: str | list[str] | dict[str, Any] | None = None
    deleted: bool | None = None

    @field_validator("order")
    @classmethod
    def _order_terms(cls, value: OrderSpec | None) -> OrderSpec | None:
        terms = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for term in terms:
            parts = term.split()
            if not 1 <= len(parts) <= 2 or (len(parts) == 2 and parts[1].upper() not in ("ASC", "DESC")):
                raise ValueError(f"order term {term!r} must be 'field' or 'field ASC|DESC'")
        return value

    def to_query(self) -> str:
        """The compact JSON to put in ``?filter=``."""
        return dumps(self.model_dump(mode="python", exclude_none=True, by_alias=True))
