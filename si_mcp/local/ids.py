"""Identifiers in the shapes the real API uses: ObjectIDs, UUIDs for embedded objects, 64-char tokens."""

from __future__ import annotations

import os
import secrets
import string
import time
import uuid

__all__ = ["new_token", "object_id", "sub_id"]

_TOKEN_ALPHABET = string.ascii_letters + string.digits


def object_id() -> str:
    """A MongoDB-style ObjectID: 4 bytes of seconds since the epoch, then 8 random bytes (24 hex chars)."""
    return int(time.time()).to_bytes(4, "big").hex() + os.urandom(8).hex()


def sub_id() -> str:
    """A UUID-v4 string, the id of embedded objects (items, item taxes, tax rates, snapshots)."""
    return str(uuid.uuid4())


def new_token() -> str:
    """An access token: 64 alphanumeric characters from the OS's secure random source."""
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(64))
