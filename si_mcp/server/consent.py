"""Asking the user before anything is sent, paid or cancelled.

Tools that email a client, record a payment or cancel a document take their consent from a
resolver (the SDK's ``Resolve``/``Elicit``), which asks the user through elicitation on both
protocol eras: as an ``InputRequiredResult`` on 2026-07-28 and as ``elicitation/create`` on
handshake-era connections. The question shows the organization, document number, amount and
recipients.

When the client cannot elicit, the tool instead returns a preview and a confirmation token and
acts only when called again with it. The token is stateless: an HMAC over (account,
organization, document, action, the normalized arguments, the document's state, expiry). So it
is refused for another document, other recipients or another amount, and it stops working as
soon as the action changed the document (``updatedAt``, paid/cancelled/sent state). A small
in-process set of spent tokens closes the gap until the document changes.

``SI_MCP_CONFIRM=false`` switches confirmation off for automation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from mcp.server.mcpserver import (
    AcceptedElicitation,
    CancelledElicitation,
    Context,
    DeclinedElicitation,
    Elicit,
    ElicitationResult,
)
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types.version import is_version_at_least
from pydantic import BaseModel, Field

from .views import Confirmation

if TYPE_CHECKING:
    from si_mcp.models import Document, Organization

__all__ = ["Action", "Confirm", "Consent", "Decision", "Signer", "can_elicit", "decide", "request_consent"]

TOKEN_TTL_SECONDS = 600
_INPUT_REQUIRED_VERSION = "2026-07-28"

Decision = Literal["go", "declined", "dismissed", "needs_token"]


class Confirm(BaseModel):
    """The form the user sees; accepting it is the consent, unticking it refuses."""

    confirm: bool = Field(True, description="Go ahead")


class Consent(BaseModel):
    """The resolver's answer when no question was put to the user."""

    mode: Literal["not_needed", "off", "token", "needs_token"]
    confirmation: Confirmation | None = None


@dataclass(frozen=True)
class Action:
    """One consequential action on one document, as the user is asked to agree to it."""

    kind: Literal["send", "pay", "cancel", "recur", "remind"]
    account_id: str
    organization: Organization
    document: Document
    args: dict[str, str]
    question: str


def _state(doc: Document) -> dict[str, Any]:
    """What changes when an action happened: a token minted before it no longer matches."""
    extra = {key: value for key, value in (doc.model_extra or {}).items() if "sent" in key.lower()}
    return {
        "u": doc.updated_at.isoformat() if doc.updated_at else None,
        "c": doc.canceled,
        "d": doc.draft,
        "p": str(doc.total_paid),
        "t": str(doc.total_with_tax),
        "s": [doc.sent_at.isoformat() if doc.sent_at else None, doc.sent_to],
        "x": json.dumps(extra, sort_keys=True, default=str),
    }


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass
class Signer:
    """Mints and checks confirmation tokens: ``<expiry>.<mac>``."""

    key: bytes
    ttl: int = TOKEN_TTL_SECONDS
    _spent: dict[str, float] = field(default_factory=dict)

    def _mac(self, action: Action, expires: int) -> str:
        payload = {
            "v": 1,
            "a": action.account_id,
            "o": action.organization.id,
            "d": action.document.id,
            "k": action.kind,
            "x": action.args,
            "s": _state(action.document),
            "e": expires,
        }
        message = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        return _b64(hmac.new(self.key, message, hashlib.sha256).digest())

    def issue(self, action: Action, *, now: float | None = None) -> Confirmation:
        expires = int(now if now is not None else time.time()) + self.ttl
        token = f"{expires}.{self._mac(action, expires)}"
        return Confirmation(token=token, expires_at=datetime.fromtimestamp(expires, UTC), preview=action.question)

    def verify(self, action: Action, token: str, *, now: float | None = None, spend: bool = True) -> None:
        """Raise a ToolError saying why ``token`` does not allow ``action``; an accepted token is spent, unless the
        books spend it (``spend=False``: they keep the action's key, see :func:`once_key`)."""
        moment = now if now is not None else time.time()
        token = token.strip()  # one token however it is padded: spent, keyed and checked alike
        head, _, mac = token.partition(".")
        if not head.isdigit() or not mac:
            raise ToolError("That confirmation_token is malformed. Call again without it to get a new preview.")
        if int(head) < moment:
            raise ToolError("That confirmation_token has expired. Call again without it and ask the user again.")
        if token in self._spent or not hmac.compare_digest(mac, self._mac(action, int(head))):
            raise ToolError(
                "That confirmation_token does not allow this: it was issued for another document, other recipients "
                "or another amount, or the document changed since (the action may already have happened). "
                "Call again without it to get a fresh preview, and ask the user."
            )
        # Spent as soon as it is accepted (no await in between): two calls racing with one token cannot both
        # pass before the first one changed the document.
        if spend:
            self.spend(token, now=moment)

    def spend(self, token: str, *, now: float | None = None) -> None:
        """Remember a used token until it expires anyway."""
        moment = now if now is not None else time.time()
        self._spent = {key: exp for key, exp in self._spent.items() if exp >= moment}
        token = token.strip()
        head = token.partition(".")[0]
        self._spent[token] = float(head) if head.isdigit() else moment + self.ttl


def once_key(action: str, token: str) -> str:
    """The idempotency key of the action a confirmation token allows: the same on every replica that accepts the
    token (sharing the secret), so the books let the action happen once however many of them act on it."""
    return f"si-mcp-{action}-" + hashlib.sha256(f"{action}:{token.strip()}".encode()).hexdigest()[:40]


def can_elicit(ctx: Context[Any, Any]) -> bool:
    """Whether this client can be asked: form elicitation declared and a channel to ask on."""
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    if elicitation is None or (elicitation.form is None and elicitation.url is not None):
        return False
    version = ctx.protocol_version
    if version is not None and is_version_at_least(version, _INPUT_REQUIRED_VERSION):
        return True  # asked through InputRequiredResult: no back-channel needed
    # Handshake era: elicitation/create needs a live back-channel (absent on stateless JSON HTTP).
    return bool(ctx.session.can_send_request)


def request_consent(
    ctx: Context[Any, Any],
    *,
    signer: Signer,
    enabled: bool,
    action: Action,
    token: str | None,
    books_spend: bool = False,
) -> Consent | Elicit[Confirm]:
    """The resolver body shared by every consequential tool. ``books_spend``: the action is made under the token's
    key (:func:`once_key`) in books that keep it, so the books, not this process, make it happen once."""
    if not enabled:
        return Consent(mode="off")
    if token:
        signer.verify(action, token, spend=not books_spend)
        return Consent(mode="token")
    if can_elicit(ctx):
        return Elicit(action.question, Confirm)
    return Consent(mode="needs_token", confirmation=signer.issue(action))


def confirmation_of(outcome: ElicitationResult[Any]) -> Confirmation | None:
    """The token (and the words it stands for) when one replaces the question; None when the user was asked."""
    data = outcome.data if isinstance(outcome, AcceptedElicitation) else None
    return data.confirmation if isinstance(data, Consent) else None


def decide(outcome: ElicitationResult[Any]) -> Decision:
    """What the tool should do with the resolver's outcome."""
    if isinstance(outcome, DeclinedElicitation):
        return "declined"
    if isinstance(outcome, CancelledElicitation):
        return "dismissed"
    assert isinstance(outcome, AcceptedElicitation)
    data = outcome.data
    if isinstance(data, Consent):
        return "needs_token" if data.mode == "needs_token" else "go"
    return "go" if isinstance(data, Confirm) and data.confirm else "declined"
