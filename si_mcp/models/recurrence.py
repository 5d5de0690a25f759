"""Recurring invoices (v1 ``Recurrence``): a document repeated every week, month or year.

``POST /documents/{id}/recurrence`` makes the document the template; from ``dateFirst`` on, every period
issues a copy dated the day it is issued (with the template's payment term), ``numRecurrences`` times or
until the recurrence is paused or deleted. ``_recurrenceDates`` lists what was issued.

Embedded API extensions: ``paused`` (true stops issuing without losing the history) and the read-only
``nextDate`` (the next occurrence, ``null`` once finished) and ``lastError`` (why the last attempt issued
nothing; it is retried at the next run).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from ._base import RequestModel, Timestamp, WireModel

__all__ = [
    "Period",
    "Recurrence",
    "RecurrenceCreate",
    "RecurrenceDate",
    "RecurrenceUpdate",
    "default_first",
    "next_after",
    "occurrence_date",
]

Period = Literal["week", "month", "year"]


def _day(value: Any) -> Any:
    """A day on the wire: ``2027-02-10``, or a timestamp of that day (which the hosted API may send)."""
    return value[:10] if isinstance(value, str) and len(value) > 10 and value[10] == "T" else value


Day = Annotated[date, BeforeValidator(_day)]

_NAME = 200
MAX_RECURRENCES = 1000


class RecurrenceCreate(RequestModel):
    name: str = Field(min_length=1, max_length=_NAME)
    type: Period = "month"
    date_first: date | None = None
    """The first copy's day; default: one period after the template's date."""
    num_recurrences: int | None = Field(None, ge=1, le=MAX_RECURRENCES)
    """How many copies in all; none: until paused or deleted."""
    auto_send: bool = False
    notify: bool = True
    save_as_draft: bool = False
    paused: bool = False
    custom: dict[str, Any] = Field(default_factory=dict)


class RecurrenceUpdate(RequestModel):
    name: str | None = Field(None, min_length=1, max_length=_NAME)
    type: Period | None = None
    date_first: date | None = None
    num_recurrences: int | None = Field(None, ge=1, le=MAX_RECURRENCES)
    auto_send: bool | None = None
    notify: bool | None = None
    save_as_draft: bool | None = None
    paused: bool | None = None
    custom: dict[str, Any] | None = None


class RecurrenceDate(WireModel):
    id: str
    date: Day
    """The occurrence's scheduled day (the document is dated the day it was issued, normally the same)."""
    iteration: int
    document_id: str
    sent: bool | None = None
    """With ``autoSend``: whether its email was queued (see the document's ``sentAt``)."""


class Recurrence(WireModel):
    id: str
    organization_id: str
    document_id: str
    account_id: str | None = None
    name: str
    type: Period
    date_first: Day
    num_recurrences: int | None = None
    auto_send: bool = False
    notify: bool = True
    save_as_draft: bool = False
    paused: bool = False
    next_date: Day | None = None
    last_error: str | None = None
    recurrence_dates: list[RecurrenceDate] = Field(default_factory=list, alias="_recurrenceDates")
    custom: dict[str, Any] = Field(default_factory=dict)
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


def _add_months(day: date, months: int) -> date:
    """``day`` moved by ``months``, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def occurrence_date(first: date, period: Period, iteration: int) -> date:
    """The day of occurrence ``iteration`` (1 = ``first``), always counted from ``first`` so that a
    recurrence on the 31st comes back to the 31st after a short month."""
    steps = iteration - 1
    if period == "week":
        return first + timedelta(weeks=steps)
    return _add_months(first, steps * (12 if period == "year" else 1))


def next_after(first: date, period: Period, after: date | None, issued: int, limit: int | None) -> date | None:
    """The first occurrence of the schedule strictly after ``after`` (from ``first`` when None), or None when
    ``limit`` occurrences were issued already."""
    if limit is not None and issued >= limit:
        return None
    iteration = 1
    while True:
        day = occurrence_date(first, period, iteration)
        if after is None or day > after:
            return day
        iteration += 1


def default_first(template_day: date, period: Period, today: date) -> date:
    """``dateFirst`` when none is given: one period after the template's day, or its schedule's first day from
    today on (never the template's own day)."""
    first = next_after(template_day, period, max(template_day, today - timedelta(days=1)), 0, None)
    assert first is not None  # no limit
    return first
