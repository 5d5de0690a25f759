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
