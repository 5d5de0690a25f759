"""The scheduler of recurring invoices: issues every due occurrence, once, with catch-up after downtime.

It has the outbox's life cycle. Served with a lifespan (``si-mcp api``), :meth:`Scheduler.run_forever` runs in
the lifespan's task group. Without one (the app inside the MCP server, behind ``httpx.ASGITransport``), the app
starts a timer task when it opens the books, which runs while any recurrence is live and ends otherwise;
creating or changing a recurrence wakes it (or starts it again). :meth:`Scheduler.aclose` stops it.

Each pass issues, per due recurrence, every occurrence missed so far (each in its own write transaction, see
``routes.recurrences.issue_next``), then sleeps until the next occurrence may fall due: at most an hour, so a
process that runs for days never oversleeps a day, and at least five minutes, while some organization's day has
not begun yet.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import anyio

from .acting import EVERY_ACCOUNT, acting_for
from .background import Background
from .errors import LocalAPIError
from .routes.recurrences import Issued, due_recurrences, issue_next, next_due, record_failure

if TYPE_CHECKING:
    from .http import Services

__all__ = ["Scheduler"]

logger = logging.getLogger(__name__)

MAX_CATCH_UP = 400
"""Occurrences of one recurrence issued in one pass (a weekly one missed for years stops here, and resumes)."""
_LONGEST_SLEEP = 3600.0
_SHORTEST_SLEEP = 300.0
_EARLIEST_ZONE = timedelta(hours=14)  # UTC+14: the first place where a day begins


class Scheduler(Background):
    """Issues the due occurrences of one app's recurrences (no globals: tests build as many as they like)."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self._pass = anyio.Lock()  # one pass at a time: a pass that returns has delivered what it issued

    async def run_due(self, clock: datetime | None = None) -> list[Issued]:
        """Issue every occurrence due by ``clock`` (default: the services' clock) that nobody issued yet."""
        async with self._pass:
            with acting_for(EVERY_ACCOUNT):
                return await self._run_due(clock or self.services.clock())

    async def _run_due(self, clock: datetime) -> list[Issued]:
        candidates = await self.services.db.run_read(due_recurrences, clock)
        issued: list[Issued] = []
        for recurrence_id in candidates:
            for _ in range(MAX_CATCH_UP):
                try:
                    one = await issue_next(self.services, recurrence_id, clock)
                except LocalAPIError as error:  # recorded on the recurrence; tried again at the next pass
                    logger.warning("recurrence %s: nothing issued: %s", recurrence_id, error.message)
                    break
                except Exception:  # one broken recurrence must not hold up the others (nor the next passes)
                    logger.exception("recurrence %s: nothing issued", recurrence_id)
                    await record_failure(self.services, recurrence_id, "an unexpected error; it is tried again")
                    break
                if one is None:
                    break
                issued.append(one)
        logger.info("recurring invoices: %d of %d due recurrences issued in this pass", len(issued), len(candidates))
        if issued and self.services.webhooks is not None:
            self.services.webhooks.changed()  # their document/create events
        return issued

    def start(self) -> None:
        """Without a lifespan: run a pass now (catch-up) and keep the timer going while recurrences are live."""
        self.wake()

    async def _loop(self, *, until_idle: bool) -> None:
        while True:
            self._wake = wake = anyio.Event()  # before the pass, so no wake-up is missed
            try:
                await self.run_due()
                due = await self.services.db.run_read(next_due)
            except Exception:
                logger.exception("recurring invoices: a pass failed")
                due, delay = None, _LONGEST_SLEEP
            else:
                if due is None and until_idle and not wake.is_set():  # a recurrence made meanwhile keeps it going
                    self._wake = None
                    return
                delay = self._delay(due)
            with anyio.move_on_after(delay):
                await wake.wait()

    def _delay(self, due: Any) -> float:
        if due is None:
            return _LONGEST_SLEEP
        begins = datetime.combine(due, time(), UTC) - _EARLIEST_ZONE
        seconds = (begins - self.services.clock()).total_seconds()
        return min(max(seconds, _SHORTEST_SLEEP), _LONGEST_SLEEP)
