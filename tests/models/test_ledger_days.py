"""The organization's day: a stored date by day stays that day; the clock is always an instant."""

from __future__ import annotations

from datetime import UTC, date, datetime

from si_mcp.models.ledger import local_day, organization_today
from si_mcp.models.recurrence import default_first


def test_the_clock_at_midnight_utc_is_still_the_day_before_in_los_angeles() -> None:
    midnight = datetime(2026, 10, 16, tzinfo=UTC)
    assert organization_today("America/Los_Angeles", midnight) == date(2026, 10, 15)
    assert local_day(midnight, "America/Los_Angeles") == date(2026, 10, 16)  # a stored date without a time
    assert organization_today("Not/AZone", midnight) == date(2026, 10, 16)


def test_the_default_first_copy_is_a_period_after_the_template_or_its_first_day_from_today() -> None:
    assert default_first(date(2027, 1, 10), "month", date(2027, 1, 10)) == date(2027, 2, 10)
    assert default_first(date(2026, 10, 10), "month", date(2027, 1, 20)) == date(2027, 2, 10)
    assert default_first(date(2026, 10, 10), "month", date(2027, 1, 10)) == date(2027, 1, 10)
