"""Background work of the local API (email retries, recurring invoices) with one life cycle.

Served with a lifespan (``si-mcp api``), :meth:`Background.run_forever` runs the loop in the lifespan's task group.
Without one (the app inside the MCP server, behind ``httpx.ASGITransport``, never gets lifespan events),
:meth:`Background.wake` starts a timer task on demand that runs the loop until it has nothing left to wait for;
:meth:`Background.aclose` (called by ``LocalAPI.aclose``) cancels it, so no task outlives the app.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .acting import EVERY_ACCOUNT, acting_for

__all__ = ["Background"]


class Background:
    """Subclasses implement :meth:`_loop`, which waits on ``self._wake`` (an ``anyio.Event`` it creates before each
    look at the work, so that no wake-up is missed) and returns when ``until_idle`` and nothing is left."""

    def __init__(self) -> None:
        self._timer: asyncio.Task[None] | None = None
        self._lifespan = False  # run_forever is looping: no timer needed
        self._wake: Any = None

    def wake(self) -> None:
        """Something changed: wake the loop that waits, or start the timer if none runs."""
        if self._wake is not None:
            self._wake.set()
        if self._lifespan or (self._timer is not None and not self._timer.done()):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on asyncio: the next start or change catches up
            return
        self._timer = loop.create_task(self._run(until_idle=True))

    async def run_forever(self) -> None:
        """Loop until cancelled (the lifespan's background task)."""
        self._lifespan = True
        await self.aclose()  # a timer started before the lifespan loop took over
        try:
            await self._run(until_idle=False)
        finally:
            self._lifespan = False

    async def aclose(self) -> None:
        """Stop the timer, if one runs; the work left keeps its due time for the next start."""
        timer, self._timer = self._timer, None
        if timer is not None and not timer.done():
            timer.cancel()
            await asyncio.wait([timer])

    async def _run(self, *, until_idle: bool) -> None:
        # Background work is everybody's: not the account of the request that happened to wake it.
        with acting_for(EVERY_ACCOUNT):
            await self._loop(until_idle=until_idle)

    async def _loop(self, *, until_idle: bool) -> None:
        raise NotImplementedError
