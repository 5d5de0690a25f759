"""Every number the client's network behaviour depends on, in one place.

The retry numbers follow the anthropic SDK (2 retries, 0.5 s doubling to an 8 s cap, up to
25 % jitter, ``Retry-After`` honoured up to 60 s); the per-call deadline bounds the whole
logical call, retries and waits included, so a caller is never stuck longer than that.
"""

from __future__ import annotations

import httpx

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "INITIAL_RETRY_DELAY",
    "LOCAL_BASE_URL",
    "MAX_ID_LENGTH",
    "MAX_TOKEN_LENGTH",
    "MAX_RETRY_AFTER",
    "MAX_RETRY_DELAY",
    "RETRY_JITTER",
]

DEFAULT_API_URL = "https://api.spaceinvoices.com/v1"
"""The real Space Invoices v1 API (same value as ``si_mcp.settings.DEFAULT_API_URL``; a test pins that)."""

LOCAL_BASE_URL = "http://si-mcp.local/v1"
"""Base URL used for the embedded API over ASGITransport; the host is never resolved."""

# httpx's default is a 5 s inactivity timeout for every phase; a PDF render or a slow
# database can legitimately take longer to answer, connecting should not.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0, pool=10.0)

DEFAULT_MAX_RETRIES = 2
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
RETRY_JITTER = 0.25
"""A delay is shortened by up to this fraction, so clients that failed together retry apart."""

MAX_RETRY_AFTER = 60.0
"""A server asking us to wait longer than this gets an error back instead of a waiting caller."""

DEFAULT_DEADLINE = 120.0
"""Seconds one logical call may take in total: every attempt, wait and retry."""

MAX_ID_LENGTH = 128
"""Longest id the client puts into a URL path; anything longer is refused before sending."""

MAX_TOKEN_LENGTH = 2048
"""Longest access token the client sends; anything longer is refused before sending."""
