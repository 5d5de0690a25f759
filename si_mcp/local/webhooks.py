"""Webhooks: events written with the change that caused them, delivered signed, retried, and never to a private
network unless the operator allows it.

:func:`emit_tx` runs inside the transaction that changes a document, payment or client: it writes one
``webhook_deliveries`` row per matching webhook, all with one ``uid``, so an event exists if and only if its change
was committed. :class:`WebhookSender` posts the rows (v1's body: ``{"event", "organizationId", "data", "modelName",
"uid"}``), with ``SI-MCP-Signature: sha256=<HMAC-SHA256 of "<timestamp>.<body>" keyed by the webhook's secret>``,
``SI-MCP-Timestamp``, ``SI-MCP-Event`` and ``SI-MCP-Delivery: <uid>``. Any 2xx delivers; anything else is tried
again 2, 4 and 8 minutes later (v1's schedule), then the row is ``dead``. A claim (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL) hands each row to one process; a process that dies between the POST and recording it leaves the row to be
posted again after its lease, with the same ``uid`` for the receiver to drop the repeat.

Before each POST the host is resolved and every address must be public (not loopback, private, link-local,
multicast or reserved) unless ``SI_MCP_WEBHOOKS_ALLOW_PRIVATE``; only ``http`` and ``https`` URLs are accepted, and
redirects are not followed, so a webhook cannot make this server reach into its own network.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
import sqlalchemy as sa

from si_mcp import __version__
from si_mcp.models import wirejson

from . import tables
from .acting import EVERY_ACCOUNT, acting_for
from .background import Background
from .ids import object_id
from .store import loads, to_naive

if TYPE_CHECKING:
    import httpx

    from .db import Database

__all__ = ["RETRY_DELAYS", "WebhookSender", "emit_tx", "new_secret", "sign", "url_problem"]

log = logging.getLogger(__name__)

RETRY_DELAYS = (timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8))
"""v1's schedule after a failed attempt; after the last, the delivery is ``dead``."""
_TIMEOUT = 10.0  # per connect, read and write
_DEADLINE = 15.0  # per POST in all: a receiver that trickles its answer does not hold the queue up
_LOOKUP = 5.0  # per DNS lookup
_BATCH = 5
_LEASE = timedelta(minutes=2)  # > _BATCH * (_LOOKUP + _DEADLINE): a claim outlives its batch: no row goes twice
_ERROR_LIMIT = 500
_W, _D = tables.webhooks, tables.webhook_deliveries
_MODEL_NAMES = {"document": "Document", "payment": "Payment", "client": "Client"}


def new_secret() -> str:
    return "whsec_" + uuid.uuid4().hex + uuid.uuid4().hex[:16]


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``SI-MCP-Signature`` value: ``sha256=`` and the hex HMAC-SHA256 of ``"<timestamp>.<body>"``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _matches(events: list[str], model: str, event: str) -> bool:
    return any(name in ("*", f"{model}/*", f"{model}/{event}") for name in events)


def emit_tx(conn: sa.Connection, organization_id: str, model: str, event: str, data: dict[str, Any]) -> int:
    """Queue ``model/event`` (e.g. ``document/create``) with ``data`` (the object after the change) for every enabled
    webhook of the organization that asked for it; how many deliveries were queued."""
    query = sa.select(_W.c.id, _W.c.data).where(_W.c.organization_id == organization_id, _W.c.is_deleted == sa.false())
    hooks = [(row.id, loads(row.data)) for row in conn.execute(query)]
    wanted = [
        hook_id for hook_id, hook in hooks if hook.get("enabled", True) and _matches(hook["events"], model, event)
    ]
    if not wanted:
        return 0
    uid = str(uuid.uuid4())
    name = f"{model}/{event}"
    body = wirejson.dumps(
        {"event": name, "organizationId": organization_id, "data": data, "modelName": _MODEL_NAMES[model], "uid": uid}
    )
    stamp = to_naive(datetime.now(UTC))
    conn.execute(
        _D.insert(),
        [
            {
                "id": object_id(),
                "organization_id": organization_id,
                "webhook_id": hook_id,
                "uid": uid,
                "event": name,
                "body": body,
                "status": "queued",
                "attempts": 0,
                "next_attempt_at": stamp,
                "created_at": stamp,
            }
            for hook_id in wanted
        ],
    )
    return len(wanted)


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a webhook's address as written (scheme, host), or None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a URL"
    if parts.scheme not in ("http", "https"):
        return "must be an http:// or https:// URL"
    if not parts.hostname:
        return "must name a host"
    if parts.username or parts.password:
        return "must not carry a user name or password (the signature authenticates the sender)"
    try:
        port = parts.port  # raises on a port that is not a number from 0 to 65535
    except ValueError:
        port = 0
    if port == 0:
        return "has a port that is not a number from 1 to 65535"
    return None


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")  # a network's own translation prefix: never public
_IPV4_IN_LOW_BITS = (ipaddress.ip_network("::/96"), ipaddress.ip_network("::ffff:0:0:0/96"))  # compatible, translated


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64, IPv4-compatible): it is what is reached."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64 or any(ip in network for network in _IPV4_IN_LOW_BITS):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _public(address: str) -> bool:
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _LOCAL_NAT64:
            return False
        inner = _embedded_ipv4(ip)
        if inner is not None and not _public(str(inner)):
            return False
    return ip.is_global and not ip.is_multicast


async def _target_problem(url: str, allow_private: bool) -> str | None:
    """Why a POST to ``url`` must not be made now (a bad URL, a host that does not resolve, a private address)."""
    problem = url_problem(url)
    if problem is not None:
        return f"the URL {problem}"
    if allow_private:
        return None
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with anyio.fail_after(_LOOKUP):
            infos = await anyio.to_thread.run_sync(
                lambda: socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP), abandon_on_cancel=True
            )
    except TimeoutError:
        return f"the host did not resolve within {_LOOKUP:.0f} s"
    except (OSError, UnicodeError) as error:
        return f"the host does not resolve ({error})"
    private = sorted({str(info[4][0]) for info in infos if not _public(str(info[4][0]))})
    if private:
        return (
            f"the host resolves to a private or reserved address ({private[0]}); "
            "set SI_MCP_WEBHOOKS_ALLOW_PRIVATE=true to allow it"
        )
    return None


class WebhookSender(Background):
    """Posts the queued deliveries of one app (no globals: tests build as many as they like)."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        *,
        allow_private: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__()
        self.db, self.clock, self.allow_private, self.transport = db, clock, allow_private, transport
        self.known = False
        """Whether any webhook may exist: writes wake the sender only then (most books have none)."""
        self._pass = anyio.Lock()  # one pass at a time: a pass that returns has posted what was due when it began

    async def look(self) -> None:
        """Learn at start whether there are webhooks at all (another process may have made them)."""
        with acting_for(EVERY_ACCOUNT):
            async with self.db.read() as conn:
                query = sa.select(_W.c.id).where(_W.c.is_deleted == sa.false()).limit(1)
                found = (await conn.execute(query)).first()
        self.known = found is not None
        if self.known:
            self.wake()

    def changed(self) -> None:
        """A write was committed: if it may have queued an event, deliver it."""
        if self.known:
            self.wake()

    async def run_due(self) -> int:
        """Post every delivery due now; how many were delivered."""
        async with self._pass:
            with acting_for(EVERY_ACCOUNT):  # every organization's deliveries (row security on PostgreSQL)
                return await self._run_due()

    async def _run_due(self) -> int:
        delivered = 0
        while True:
            claimed = await self._claim()
            if not claimed:
                return delivered
            for row in claimed:
                try:
                    delivered += await self._deliver(row)
                except Exception as error:  # one broken row must not hold up the others (nor the next passes)
                    log.exception("webhook delivery %s: could not be attempted", row.uid)
                    await self._failed(row, None, f"could not be attempted: {type(error).__name__}")

    async def _claim(self) -> list[Any]:
        now, real = to_naive(self.clock()), to_naive(datetime.now(UTC))
        due = sa.or_(
            _D.c.status == "queued",  # new events go out at once, whatever the books' clock says
            sa.and_(_D.c.status == "failed", _D.c.next_attempt_at <= now),
            sa.and_(_D.c.status == "sending", _D.c.next_attempt_at <= real),  # a claim whose process died
        )
        async with self.db.write(serialized=False) as conn:
            query = (
                sa.select(_D.c.id, _D.c.webhook_id, _D.c.uid, _D.c.event, _D.c.body, _D.c.attempts, _D.c.created_at)
                .where(due)
                .order_by(_D.c.next_attempt_at, _D.c.id)
                .limit(_BATCH)
                .with_for_update(skip_locked=True)
            )
            rows = (await conn.execute(query)).all()
            for row in rows:
                await conn.execute(
                    sa.update(_D)
                    .where(_D.c.id == row.id)
                    .values(status="sending", attempts=_D.c.attempts + 1, next_attempt_at=real + _LEASE)
                )
        return list(rows)

    async def _deliver(self, row: Any) -> int:
        async with self.db.read() as conn:
            hook = (
                await conn.execute(
                    sa.select(_W.c.signing_key, _W.c.data, _W.c.is_deleted).where(_W.c.id == row.webhook_id)
                )
            ).first()
        if hook is None or hook.is_deleted or not loads(hook.data).get("enabled", True):
            await self._finish(row, "dead", None, "the webhook was deleted or disabled")
            return 0
        url = str(loads(hook.data)["url"])
        problem = await _target_problem(url, self.allow_private)
        if problem is not None:
            await self._failed(row, None, f"not sent: {problem}")
            return 0
        body = row.body.encode()
        timestamp = int(datetime.now(UTC).timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"si-mcp-webhooks/{__version__}",
            "SI-MCP-Event": row.event,
            "SI-MCP-Delivery": row.uid,
            "SI-MCP-Timestamp": str(timestamp),
            "SI-MCP-Signature": sign(hook.signing_key, timestamp, body),
        }
        import httpx

        try:
            with anyio.fail_after(_DEADLINE):
                async with httpx.AsyncClient(
                    transport=self.transport, follow_redirects=False, timeout=_TIMEOUT
                ) as client:
                    response = await client.post(url, content=body, headers=headers)
        except TimeoutError:
            await self._failed(row, None, f"no complete answer within {_DEADLINE:.0f} s")
            return 0
        except httpx.HTTPError as error:
            await self._failed(row, None, f"{type(error).__name__}: {error}")
            return 0
        if 200 <= response.status_code < 300:
            await self._finish(row, "delivered", response.status_code, None)
            return 1
        await self._failed(row, response.status_code, f"answered {response.status_code}")
        return 0

    async def _failed(self, row: Any, code: int | None, error: str) -> None:
        attempts = row.attempts + 1
        if attempts > len(RETRY_DELAYS):
            await self._finish(row, "dead", code, error)
        else:
            await self._finish(row, "failed", code, error, retry_at=self.clock() + RETRY_DELAYS[attempts - 1])

    async def _finish(
        self, row: Any, status: str, code: int | None, error: str | None, *, retry_at: datetime | None = None
    ) -> None:
        values: dict[str, Any] = {
            "status": status,
            "last_status_code": code,
            "last_error": (error or None) and error[:_ERROR_LIMIT],
        }
        if status == "delivered":
            values["delivered_at"] = to_naive(datetime.now(UTC))
        if retry_at is not None:
            values["next_attempt_at"] = to_naive(retry_at)
        async with self.db.write() as conn:
            await conn.execute(sa.update(_D).where(_D.c.id == row.id, _D.c.status == "sending").values(**values))
        if status != "delivered":
            log.info("webhook delivery %s (%s): %s", row.uid, row.event, error)

    async def next_due(self) -> datetime | None:
        async with self.db.read() as conn:  # run by the loop, which acts for every account
            query = sa.select(sa.func.min(_D.c.next_attempt_at)).where(_D.c.status.in_(("queued", "failed", "sending")))
            due = (await conn.execute(query)).scalar()
        return None if due is None else due.replace(tzinfo=UTC)

    async def _loop(self, *, until_idle: bool) -> None:
        while True:
            self._wake = wake = anyio.Event()
            try:
                await self.run_due()
                due = await self.next_due()
            except Exception:
                log.exception("webhooks: a delivery pass failed")
                due = None
                if until_idle:
                    self._wake = None
                    return
            if due is None and until_idle and not wake.is_set():
                self._wake = None
                return
            delay = 60.0 if due is None else min(max((due - self.clock()).total_seconds(), 0.5), 60.0)
            with anyio.move_on_after(delay):
                await wake.wait()
