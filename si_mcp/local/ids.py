"""Identifiers in the shapes the real API uses: ObjectIDs, UUIDs for embedded objects, 64-char tokens."""

from __future__ import annotations

import itertools
import os
import secrets
import string
import time
import uuid

__all__ = ["new_token", "object_id", "sub_id"]

_TOKEN_ALPHABET = string.ascii_letters + string.digits

# MongoDB's ObjectID recipe: seconds, a per-process random value, and a counter, so ids made by one
# process sort in creation order (lists ordered by id keep insertion order within a second).
_PROCESS = os.urandom(5).hex()
_COUNTER = itertools.count(int.from_bytes(os.urandom(3), "big"))


def object_id() -> str:
    """A 24-hex-character ObjectID: 4 bytes of seconds, 5 random bytes, a 3-byte counter."""
    return f"{int(time.time()) & 0xFFFFFFFF:08x}{_PROCESS}{next(_COUNTER) & 0xFFFFFF:06x}"


def sub_id() -> str:
    """A UUID-v4 string, the id of embedded objects (items, item taxes, tax rates, snapshots)."""
    return str(uuid.uuid4())


def new_token() -> str:
    """An access token: 64 alphanumeric characters from the OS's secure random source."""
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(64))
