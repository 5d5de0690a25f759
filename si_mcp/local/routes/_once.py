"""Actions on a document that must happen once (send, reminder, cancel), asked for under an ``Idempotency-Key``.

The key is recorded in ``action_keys`` (unique per organization) in the transaction that does the action, with a
digest of what was asked and what it answered; the same request again gets that answer and does nothing, another
request under the same key is a 422. So a confirmation spent by two MCP replicas, or a retried request, acts once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from .. import tables
from ..errors import LocalAPIError, bad_request
from ..http import Call
from ..ids import object_id
from ..store import now, request_digest, to_naive

__all__ = ["Once", "check_key", "done_under", "once_of", "previous_answer", "remember", "settle"]

_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII: it is stored and compared as sent


@dataclass(frozen=True)
class Once:
    """An action asked for under an ``Idempotency-Key``: what was asked (a digest) and of which document."""

    key: str
    action: str
    document_id: str
    digest: str


def once_of(call: Call, action: str, asked: Any) -> Once | None:
    """The request's ``Idempotency-Key`` for ``action`` on the document of the route, if it has one."""
    key = call.request.headers.get("idempotency-key")
    if key is None:
        return None
    check_key(key)
    return Once(key, action, call.params["id"], request_digest(asked))


def check_key(key: str) -> None:
    if not _KEY.fullmatch(key):
        raise bad_request("Idempotency-Key takes 1 to 255 visible ASCII characters.", code="INVALID_IDEMPOTENCY_KEY")


def done_under(conn: sa.Connection, organization_id: str, document_id: str, key: str) -> dict[str, Any] | None:
    """``{"action", "answer"}`` of what was done to the document under ``key``, or ``None``: a lookup, nothing more."""
    k = tables.action_keys
    query = sa.select(k.c.action, k.c.answer).where(
        k.c.organization_id == organization_id, k.c.key == key, k.c.document_id == document_id
    )
    row = conn.execute(query).first()
    return None if row is None else {"action": row.action, "answer": json.loads(row.answer)}


def previous_answer(conn: sa.Connection, organization_id: str, once: Once | None) -> dict[str, Any] | None:
    """What the request made under this key answered, when it was made already; a 422 when another request was."""
    if once is None:
        return None
    k = tables.action_keys
    query = sa.select(k.c.action, k.c.document_id, k.c.request_fingerprint, k.c.answer).where(
        k.c.organization_id == organization_id, k.c.key == once.key
    )
    row = conn.execute(query).first()
    if row is None:
        return None
    if (row.action, row.document_id, row.request_fingerprint) != (once.action, once.document_id, once.digest):
        raise LocalAPIError(
            422,
            f"Idempotency-Key was already used for another request ({row.action} of document {row.document_id}); "
            "send the same request to get its answer, or use a new key.",
            code="IDEMPOTENCY_KEY_REUSED",
            name="ValidationError",
        )
    answer: dict[str, Any] = json.loads(row.answer)
    return answer


def remember(conn: sa.Connection, organization_id: str, once: Once | None, answer: dict[str, Any]) -> None:
    """Record the key with the answer, in the transaction that did the action (so both or neither happen)."""
    if once is None:
        return
    conn.execute(
        tables.action_keys.insert().values(
            id=object_id(),
            organization_id=organization_id,
            key=once.key,
            action=once.action,
            document_id=once.document_id,
            request_fingerprint=once.digest,
            answer=json.dumps(answer),
            created_at=to_naive(now()),
        )
    )


def settle(conn: sa.Connection, organization_id: str, once: Once | None, answer: dict[str, Any]) -> None:
    """After the action finished outside the transaction (an email delivered): the answer a repeat gets."""
    if once is None:
        return
    k = tables.action_keys
    mine = sa.and_(k.c.organization_id == organization_id, k.c.key == once.key)
    conn.execute(sa.update(k).where(mine).values(answer=json.dumps(answer)))
