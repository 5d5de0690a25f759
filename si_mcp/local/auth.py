"""Passwords and access tokens.

Passwords are hashed with ``hashlib.scrypt`` and a per-account salt, off the event loop. Access tokens are
stored as their SHA-256 (:func:`token_key`; a token is 256 random bits, so no salt or slow hash is needed): a copy
of the books, a backup or an SQL log holds no token that opens them. Token lookups are cached for a few seconds per
app, since every request needs one; logout drops the entry at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import anyio.to_thread
import sqlalchemy as sa
from starlette.requests import Request

from . import tables
from .db import Database
from .errors import LocalAPIError, unauthorized

__all__ = [
    "Throttle",
    "DEFAULT_TTL",
    "LoginGuard",
    "TokenCache",
    "hash_password",
    "token_key",
    "token_from_request",
    "verify_password",
]

DEFAULT_TTL = 60 * 24 * 3600
"""Seconds a login token lives unless the login asks otherwise (two months, as the docs say)."""

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_CACHE_SECONDS = 5.0


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


async def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash``: the parameters travel with the hash so they can be raised later."""
    salt = os.urandom(16)
    digest = await anyio.to_thread.run_sync(_scrypt, password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


async def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = await anyio.to_thread.run_sync(_scrypt, password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(expected, actual)


def token_key(token: str) -> str:
    """What the books store of an access token, and look it up by."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_from_request(request: Request) -> str | None:
    """The raw ``Authorization`` header (a ``Bearer`` prefix is tolerated) or ``?access_token=``."""
    header = request.headers.get("authorization")
    if header:
        token = header.strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        return token or None
    return request.query_params.get("access_token") or None


@dataclass(frozen=True)
class _Entry:
    account_id: str
    expires: datetime | None
    cached_until: float


class TokenCache:
    """Token → account, remembered for a few seconds so hot paths skip one query."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def forget(self, token: str) -> None:
        self._entries.pop(token, None)

    def forget_key(self, key: str) -> None:
        """Drop the cached token whose SHA-256 is ``key`` (a session ended by its id)."""
        for token in [t for t in self._entries if token_key(t) == key]:
            del self._entries[token]

    def forget_all(self, account_id: str, *, keep: str = "") -> None:
        """Drop every cached token of ``account_id`` but ``keep`` (its other sessions just ended)."""
        for token in [t for t, entry in self._entries.items() if entry.account_id == account_id and t != keep]:
            del self._entries[token]

    async def account_for(self, db: Database, token: str | None) -> str:
        """The account id behind ``token``, or a 401."""
        if not token or len(token) > 200:
            raise unauthorized()
        now = datetime.now(UTC).replace(tzinfo=None)
        entry = self._entries.get(token)
        if entry is None or entry.cached_until < time.monotonic():
            entry = await self._load(db, token)
        if entry is None or (entry.expires is not None and entry.expires <= now):
            self._entries.pop(token, None)
            raise unauthorized()
        return entry.account_id

    async def _load(self, db: Database, token: str) -> _Entry | None:
        t = tables.access_tokens
        async with db.read() as conn:
            query = sa.select(t.c.account_id, t.c.ttl, t.c.created).where(t.c.id == token_key(token))
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        expires = None if row.ttl < 0 else row.created + timedelta(seconds=row.ttl)
        if len(self._entries) > 10_000:
            self._entries.clear()
        entry = _Entry(row.account_id, expires, time.monotonic() + _CACHE_SECONDS)
        self._entries[token] = entry
        return entry


@dataclass
class _Failures:
    count: int
    last: datetime


class LoginGuard:
    """Wrong passwords back off: a few are free (typos), then each one more makes the next try wait twice as long
    (1 s, 2 s, 4 s ... at most 15 minutes), counted per account from one client address (5 free), per client address
    (20 free: an office or a NAT shares one) and per account from everywhere (100 free: guessing spread over many
    addresses), an IPv6 address counted by its /64. The account-wide count does not hold up the networks the account
    logged in from before, so guessing elsewhere cannot lock its owner out. A success clears the account's counts; a
    quiet day forgets them. Logins of one account are checked one at a time, so parallel
    guesses are counted like sequential ones. Kept in the process: each process guards its own door (and a password
    is scrypt-hashed, so guessing through many processes stays slow)."""

    FREE_FROM_ADDRESS = 5
    FREE_PER_ADDRESS = 20
    FREE_PER_ACCOUNT = 100
    LONGEST = timedelta(minutes=15)
    FORGET = timedelta(days=1)

    def __init__(self) -> None:
        self._failures: dict[str, _Failures] = {}
        self._locks: dict[str, anyio.Lock] = {}
        # account -> the networks it logged in from: the account-wide count does not hold them up
        self._known: dict[str, set[str]] = {}

    def lock(self, account: str) -> anyio.Lock:
        """Held around one login of ``account`` (check, password, record)."""
        if len(self._locks) > 10_000:
            self._locks = {key: lock for key, lock in self._locks.items() if lock.locked()}
        return self._locks.setdefault(account, anyio.Lock())

    def _keys(self, account: str, address: str | None) -> list[tuple[str, int]]:
        network = _network(address)
        keys = []
        if network is None or network not in self._known.get(account, ()):
            keys.append((f"account:{account}", self.FREE_PER_ACCOUNT))  # the owner's usual places skip this one
        if network is not None:
            keys.append((f"from:{network}:{account}", self.FREE_FROM_ADDRESS))
            keys.append((f"address:{network}", self.FREE_PER_ADDRESS))
        return keys

    def check(self, account: str, address: str | None, now: datetime) -> None:
        """A 429 saying when to try again, while the account, this address, or the pair must wait."""
        wait = max(self._wait(key, free, now) for key, free in self._keys(account, address))
        if wait > 0:
            seconds = max(1, int(wait + 0.999))
            raise LocalAPIError(
                429,
                f"Too many failed logins; try again in {seconds} s.",
                code="TOO_MANY_LOGINS",
                headers={"Retry-After": str(seconds)},
            )

    def failed(self, account: str, address: str | None, now: datetime) -> None:
        for key, _ in self._keys(account, address):
            known = self._failures.get(key)
            fresh = known is None or now - known.last > self.FORGET
            self._failures[key] = _Failures(1 if fresh or known is None else known.count + 1, now)
        if len(self._failures) > 100_000:  # a flood of made-up accounts: forget the oldest half
            for key, _ in sorted(self._failures.items(), key=lambda item: item[1].last)[:50_000]:
                del self._failures[key]

    def succeeded(self, account: str, address: str | None) -> None:
        network = _network(address)
        self._failures.pop(f"account:{account}", None)  # the account's counts (not the address's, shared)
        if network is not None:
            self._failures.pop(f"from:{network}:{account}", None)
            known = self._known.setdefault(account, set())
            if len(known) < 20:
                known.add(network)
        if len(self._known) > 100_000:
            self._known.clear()

    def _wait(self, key: str, free: int, now: datetime) -> float:
        known = self._failures.get(key)
        if known is None or known.count < free or now - known.last > self.FORGET:
            return 0.0
        backoff = min(2.0 ** (known.count - free), self.LONGEST.total_seconds())
        return max(0.0, backoff - (now - known.last).total_seconds())


def _network(address: str | None) -> str | None:
    """Where a login comes from, as counted: the address, or for IPv6 its /64 (one subscriber's whole block)."""
    if not address:
        return None
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


class Throttle:
    """At most ``limit`` calls per ``window`` from one client network (an IPv6 /64 counts as one), for public
    lookups a stranger could otherwise run in bulk: whether an email has an account, a shared document."""

    def __init__(self, limit: int, window: timedelta, what: str) -> None:
        self.limit, self.window, self.what = limit, window, what
        self._calls: dict[str, list[datetime]] = {}

    def hit(self, address: str | None, now: datetime) -> None:
        """Count one call, or a 429 saying when to try again."""
        key = _network(address) or "?"
        recent = [moment for moment in self._calls.get(key, ()) if now - moment < self.window]
        if len(recent) >= self.limit:
            seconds = max(1, int((recent[0] + self.window - now).total_seconds() + 0.999))
            raise LocalAPIError(
                429,
                f"Too many {self.what} from this address; try again in {seconds} s.",
                code="TOO_MANY_REQUESTS",
                headers={"Retry-After": str(seconds)},
            )
        recent.append(now)
        self._calls[key] = recent
        if len(self._calls) > 100_000:  # a flood of addresses: keep those seen within the window
            self._calls = {k: v for k, v in self._calls.items() if v and now - v[-1] < self.window}
