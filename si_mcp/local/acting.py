"""Who the current database work acts for: the request's account, or every account (schedulers, migrations).

On PostgreSQL, :class:`~si_mcp.local.db.Database` names it in each transaction (``SET LOCAL si_mcp.account``), and
row-level security (migration 0013) hides the rows of organizations that account is not a member of. A context
variable, so concurrent requests in one process each keep their own; set only with :func:`acting_for`, which puts
the previous value back (the embedded API also runs inside its caller's task, behind ``httpx.ASGITransport``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["EVERY_ACCOUNT", "acting_for", "current_account"]

EVERY_ACCOUNT = "*"
"""Who schedulers, email delivery and migrations act for: every organization's rows are theirs to see."""

_ACTING: ContextVar[str] = ContextVar("si_mcp_acting_account", default="")  # nobody: no organization's rows


@contextmanager
def acting_for(account_id: str) -> Iterator[None]:
    """Database work in this block acts for ``account_id``."""
    token = _ACTING.set(account_id)
    try:
        yield
    finally:
        _ACTING.reset(token)


def current_account() -> str:
    return _ACTING.get()
