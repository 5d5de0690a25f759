"""Plumbing shared by every test folder: the anyio backend and a float trap for money code."""

from __future__ import annotations

import decimal
from collections.abc import Iterator

import pytest


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
