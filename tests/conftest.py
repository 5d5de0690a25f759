"""Plumbing shared by every test folder: the anyio backend, a float trap for money code, and where the books live.

With ``SI_MCP_TEST_POSTGRES`` set to a PostgreSQL server's URL (``scripts/test-postgres`` starts a throwaway one),
every test that takes ``database_url`` gets a new PostgreSQL database instead of a SQLite file; tests marked
``sqlite_only`` (they open the SQLite file itself) are skipped then. The books are opened as ``si_mcp_test``, a role
that owns them but is no superuser, so row-level security applies to every test as it does in production (a
superuser would bypass it).
"""

from __future__ import annotations

import decimal
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import pytest

_SERVER = os.environ.get("SI_MCP_TEST_POSTGRES", "")
T = TypeVar("T")
ROLE = "si_mcp_test"


def postgres() -> bool:
    return bool(_SERVER)


def _psql(sql: str, database: str | None = None) -> None:
    """Run ``sql`` as the server's superuser, in its default database or in ``database``."""
    url = _SERVER if database is None else urlunsplit(urlsplit(_SERVER)._replace(path=f"/{database}"))
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True)


def _async_url(database: str, role: str = ROLE) -> str:
    """The URL of ``database`` for ``role`` (no password: the test cluster trusts loopback), with SQLAlchemy's
    asyncpg scheme (any query string kept)."""
    url = urlsplit(_SERVER)
    host = url.netloc.rpartition("@")[2]
    return urlunsplit(url._replace(scheme="postgresql+asyncpg", netloc=f"{role}@{host}", path=f"/{database}"))


def create_role(name: str) -> None:
    """A login role that is no superuser (once per server: roles outlive databases)."""
    _psql(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN "
        f"CREATE ROLE {name} LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$"
    )


@pytest.fixture(scope="session")
def _migrated_template() -> Iterator[str]:
    """A database migrated to head once per run; each test's database is a copy of it (CREATE DATABASE … TEMPLATE).
    Named per run, so that two runs on one server keep out of each other's way."""
    template = "si_mcp_template_" + uuid.uuid4().hex[:12]
    create_role(ROLE)
    _psql(f"CREATE DATABASE {template} OWNER {ROLE}")
    migrate = (
        "import anyio, httpx, sys\n"
        "from si_mcp.local import create_app\n"
        "async def main():\n"
        "    app = create_app(database_url=sys.argv[1])\n"
        "    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url='http://t/v1') as api:\n"
        "        assert (await api.get('/countries')).status_code == 200\n"
        "    await app.aclose()\n"
        "anyio.run(main)\n"
    )
    try:
        subprocess.run([sys.executable, "-c", migrate, _async_url(template)], check=True)
        yield template
    finally:
        _psql(f"DROP DATABASE IF EXISTS {template} WITH (FORCE)")


@pytest.fixture
def database_url(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a new, empty set of books for this test: a SQLite file, or a PostgreSQL database."""
    if not postgres():
        yield f"sqlite+aiosqlite:///{tmp_path}/t.db"
        return
    template = request.getfixturevalue("_migrated_template")
    name = "t_" + uuid.uuid4().hex[:20]
    _psql(f"CREATE DATABASE {name} TEMPLATE {template} OWNER {ROLE}")
    try:
        yield _async_url(name)
    finally:
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: opens the SQLite file itself; skipped on PostgreSQL")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if postgres() and item.get_closest_marker("sqlite_only") is not None:
        pytest.skip("reads or writes the SQLite file itself")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _floats_in_decimal_math_raise() -> Iterator[None]:
    """Any float that leaks into Decimal arithmetic or comparison fails the test."""
    context = decimal.getcontext()
    previous = context.traps[decimal.FloatOperation]
    context.traps[decimal.FloatOperation] = True
    yield
    context.traps[decimal.FloatOperation] = previous


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List where babel's CLDR disagrees with the frozen ISO 4217 table: information for a babel upgrade, not a test."""
    import babel
    from babel.numbers import get_currency_precision

    from si_mcp.models.iso4217 import CURRENCIES, PUBLISHED

    differences = [
        f"{code} {digits}≠{get_currency_precision(code)}"
        for code, (digits, _) in sorted(CURRENCIES.items())
        if get_currency_precision(code) != digits
    ]
    terminalreporter.write_line(
        f"minor units: ISO 4217 ({PUBLISHED}) is what the books use; babel {babel.__version__} (CLDR) differs for "
        f"{len(differences)} codes: {', '.join(differences) or 'none'}"
    )


@asynccontextmanager
async def as_everyone(transaction: AbstractAsyncContextManager[T]) -> AsyncIterator[T]:
    """A test's own look at the books' tables: acting for every account, as the schedulers do (on PostgreSQL, row
    security shows a transaction that acts for nobody no organization's rows)."""
    from si_mcp.local.acting import EVERY_ACCOUNT, acting_for

    with acting_for(EVERY_ACCOUNT):
        async with transaction as conn:
            yield conn
