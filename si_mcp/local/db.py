"""The database handle: engine, SQLite pragmas, one writer, migrations at start.

Writes are serialized in-process by one lock (SQLite has one writer anyway) and open with
``BEGIN IMMEDIATE`` on SQLite, so a second process on the same file waits for the write lock
up front instead of failing half-way. Reads run in parallel (WAL).

Two ways in. ``read()``/``write()`` yield an :class:`AsyncConnection`. ``run_read(fn)``/``run_write(fn)``
run a plain function ``fn(conn: sa.Connection)`` as one transaction: on a SQLite file it runs in a
worker thread on a pysqlite connection, one thread hop per transaction instead of several per
statement (SQLAlchemy's aiosqlite adapter costs ~0.4 ms a statement, pysqlite ~0.02 ms); on any other
database it runs through ``AsyncConnection.run_sync`` on the async engine. The hot paths (documents,
payments) use it; both ways share the write lock.

On PostgreSQL each transaction also names the account it acts for (``SET LOCAL si_mcp.account``, see
:mod:`si_mcp.local.acting`): row-level security (migration 0013) hides the other organizations' rows from it, a
second wall behind the filters.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from .acting import EVERY_ACCOUNT, current_account

__all__ = ["Database", "migrate"]

log = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).parent / "migrations"
_IMMEDIATE = "si_mcp_immediate"
OPTIMIZE_EVERY = 1000
"""Write transactions between two ``PRAGMA optimize`` runs on SQLite."""

T = TypeVar("T")

_SCOPE = sa.text("SELECT set_config('si_mcp.account', :account, true)")


def _act(conn: sa.Connection, account: str) -> None:
    """Name the account of this transaction, for row-level security (PostgreSQL; nothing to do on SQLite).
    ``account`` is read by the async caller: the greenlet this runs in need not share its context."""
    if conn.dialect.name == "postgresql":
        conn.execute(_SCOPE, {"account": account})


class Database:
    """One engine plus the write lock. Create it with :meth:`open`."""

    def __init__(self, engine: AsyncEngine, sync_engine: sa.Engine | None = None) -> None:
        self.engine = engine
        self.sync_engine = sync_engine
        self.dialect = engine.dialect.name
        self._write_lock = anyio.Lock()
        self._writes = 0  # since the planner's statistics were last refreshed (SQLite)

    @classmethod
    async def open(cls, url: str, *, run_migrations: bool = True) -> Database:
        # No SQL parameters in logs or error messages: they hold people's data (and, once, tokens).
        engine = create_async_engine(url, hide_parameters=True)
        sync_engine = None
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine.sync_engine)
            if engine.url.database not in (None, "", ":memory:"):
                sync_engine = sa.create_engine(engine.url.set(drivername="sqlite+pysqlite"))
                _configure_sqlite(sync_engine)
        database = cls(engine, sync_engine)
        if run_migrations:
            async with engine.begin() as conn:
                await conn.run_sync(_serialize_writers)  # processes starting together migrate one at a time
                await conn.run_sync(_act, EVERY_ACCOUNT)  # backfills read and write every organization's rows
                await conn.run_sync(migrate)
                await conn.run_sync(analyze_when_stale)
        return database

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                await conn.run_sync(_act, current_account())  # begins the transaction the reads run in
            yield conn

    @asynccontextmanager
    async def write(self, *, serialized: bool = True) -> AsyncIterator[AsyncConnection]:
        """A write transaction: committed when the block ends, rolled back on any exception.

        ``serialized=False`` skips PostgreSQL's writer lock, for a transaction whose rows are claimed with
        ``FOR UPDATE SKIP LOCKED`` and that reads nothing it then writes elsewhere (the outbox claim)."""
        async with self._write_lock, self.engine.connect() as conn:
            await conn.execution_options(**{_IMMEDIATE: True})
            async with conn.begin():
                if serialized:
                    await conn.run_sync(_serialize_writers)
                if self.dialect == "postgresql":
                    await conn.run_sync(_act, current_account())
                yield conn
            if self._optimize_due():
                try:
                    async with conn.begin():  # its ANALYZE writes the statistics: committed like any write
                        await conn.exec_driver_sql("PRAGMA optimize")
                except Exception:  # best effort: the write is committed, statistics can wait for the next time
                    log.warning("PRAGMA optimize failed", exc_info=True)

    def _optimize_due(self) -> bool:
        """Every ``OPTIMIZE_EVERY`` writes on SQLite: ``PRAGMA optimize`` re-analyzes the tables whose statistics a
        large change made stale (cheap when none are), so the planner keeps choosing the right index as books grow
        between starts (which ANALYZE when they have grown past what the statistics saw)."""
        if self.dialect != "sqlite":
            return False
        self._writes += 1
        if self._writes < OPTIMIZE_EVERY:
            return False
        self._writes = 0
        return True

    async def run_read(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(conn, *args)`` in one read transaction (see the module docstring)."""
        if self.sync_engine is not None:
            return await anyio.to_thread.run_sync(self._in_thread, fn, args, False)
        async with self.engine.connect() as conn:
            return await conn.run_sync(_acting, current_account(), fn, args)

    async def run_write(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(conn, *args)`` in one write transaction, committed unless ``fn`` raises."""
        async with self._write_lock:
            if self.sync_engine is not None:
                return await anyio.to_thread.run_sync(self._in_thread, fn, args, True)
            async with self.engine.connect() as conn:
                await conn.execution_options(**{_IMMEDIATE: True})
                async with conn.begin():
                    await conn.run_sync(_serialize_writers)
                    return await conn.run_sync(_acting, current_account(), fn, args)

    def _in_thread(self, fn: Callable[..., T], args: tuple[Any, ...], write: bool) -> T:
        assert self.sync_engine is not None
        with self.sync_engine.connect() as conn:
            if write:
                conn = conn.execution_options(**{_IMMEDIATE: True})
            with conn.begin():
                result = fn(conn, *args)
            if write and self._optimize_due():
                try:
                    with conn.begin():  # its ANALYZE writes the statistics: committed like any write
                        conn.exec_driver_sql("PRAGMA optimize")
                except Exception:  # best effort: the write is committed, statistics can wait for the next time
                    log.warning("PRAGMA optimize failed", exc_info=True)
            return result

    async def grant(self, role: str) -> None:
        """Let ``role`` read and write every table and sequence, also those later migrations make (PostgreSQL).
        Run by the tables' owner; ``role`` then needs no ownership, so it cannot alter or unprotect them."""
        if self.dialect != "postgresql":
            raise ValueError("granting a role is for PostgreSQL books; a SQLite file has no roles")
        if not _ROLE.fullmatch(role) or role == "public" or role.startswith("pg_"):
            raise ValueError(f"{role!r} is not the name of a role of yours (lower-case letters, digits, underscores)")
        async with self.engine.begin() as conn:
            for statement in (
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
            ):
                await conn.exec_driver_sql(statement)

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.sync_engine is not None:
            self.sync_engine.dispose()


_ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")  # as PostgreSQL folds an unquoted name
_WRITER_LOCK = 0x51_4D_43_50  # one constant shared by every process writing to the books


def _serialize_writers(conn: sa.Connection) -> None:
    """PostgreSQL's counterpart of SQLite's BEGIN IMMEDIATE: one writing transaction at a time across processes
    (totals recomputed from payments, number counters and date-order checks read what they then write)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_WRITER_LOCK})")


def _acting(conn: sa.Connection, account: str, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    _act(conn, account)
    return fn(conn, *args)


def _configure_sqlite(engine: sa.Engine) -> None:
    """WAL, a busy timeout, foreign keys, and our own BEGIN (pysqlite's implicit one is too late)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "busy_timeout=10000", "foreign_keys=ON", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def analyze_when_stale(connection: sa.Connection) -> None:
    """Give SQLite's planner statistics when the books grew well past the last ones (or never had any): without
    them it picked a scan of every document over the index of one client's unpaid ones (312 ms instead of 4 ms at
    300,000 documents). Cheap to check: the last rowid against the row count the statistics saw."""
    if connection.dialect.name != "sqlite":
        return  # PostgreSQL's autovacuum analyzes
    seen = 0
    if connection.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is not None:
        stat = connection.exec_driver_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'documents' LIMIT 1").scalar()
        seen = int(str(stat).split()[0]) if stat else 0
    rows = connection.exec_driver_sql("SELECT max(rowid) FROM documents").scalar() or 0
    if rows > 2 * seen + 1000:
        connection.exec_driver_sql("ANALYZE")


def migrate(connection: sa.Connection, revision: str = "head") -> None:
    """Upgrade the schema on ``connection`` to ``revision`` with the migrations shipped in the package."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
