"""Plumbing shared by every test folder: the anyio backend, a float trap for money code, and where the books live.

With ``SI_MCP_TEST_POSTGRES`` set to a PostgreSQL server's URL (``scripts/test-postgres`` starts a throwaway one),
every test that takes ``database_url`` gets a new PostgreSQL database instead of a SQLite file; tests marked
``sqlite_only`` (they open the SQLite file itself) are skipped then.
"""

from __future__ import annotations

import decimal
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

_SERVER = os.environ.get("SI_MCP_TEST_POSTGRES", "")


def postgres() -> bool:
    return bool(_SERVER)


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", _SERVER, "-c", sql], check=True)


def _async_url(database: str) -> str:
    """The server's URL for ``database``, with SQLAlchemy's asyncpg scheme (any query string kept)."""
    url = urlsplit(_SERVER)
    return urlunsplit(url._replace(scheme="postgresql+asyncpg", path=f"/{database}"))


@pytest.fixture(scope="session")
def _migrated_template() -> Iterator[str]:
    """A database migrated to head once per run; each test's database is a copy of it (CREATE DATABASE … TEMPLATE).
    Named per run, so that two runs on one server keep out of each other's way."""
    template = "si_mcp_template_" + uuid.uuid4().hex[:12]
    _psql(f"CREATE DATABASE {template}")
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
    _psql(f"CREATE DATABASE {name} TEMPLATE {template}")
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
