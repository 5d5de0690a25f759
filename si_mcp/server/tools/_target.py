"""What the consequential tools (send, pay, cancel) share: the target document, consent, results."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import Elicit, ElicitationResult
from pydantic import BaseModel

from .. import lookup
from ..consent import Action, Confirm, Consent, Decision, confirmation_of, request_consent
from ..state import Ctx, books_of, state_of
from ..views import DocRef

if TYPE_CHECKING:
    from si_mcp.models import Document, Organization

__all__ = ["ActionResult", "Target", "ask", "held_back", "target"]


@dataclass(frozen=True)
class Target:
    account_id: str
    org: "Organization"
    doc: "Document"


class ActionResult(BaseModel):
    organization: str
    document: DocRef
    confirmation_token: str | None = None


async def target(
    ctx: Ctx, organization: str | None, document: str, doc_type: str | None, *, include_payments: bool = False
) -> Target:
    books = await books_of(ctx)
    default = state_of(ctx).settings.organization_id
    org, doc = await lookup.organization_and_document(
        books, organization, document, default=default, doc_type=doc_type, include_payments=include_payments
    )
    return Target(books.account_id, org, doc)


async def ask(ctx: Ctx, action: Action, token: str | None, *, keyed: bool = True) -> Consent | Elicit[Confirm]:
    """Consent for an action; ``keyed``: made under the token's key (a send, payment or cancel), so on books that
    keep keys the books spend the token, and two replicas or two calls acting on it act once."""
    state = state_of(ctx)
    keyed = keyed and (await books_of(ctx)).api.is_local
    return request_consent(
        ctx, signer=state.signer, enabled=state.settings.confirm, action=action, token=token, books_spend=keyed
    )


def held_back(tool: str, verb: str, decision: Decision, consent: ElicitationResult[Any]) -> tuple[str | None, str]:
    """(confirmation token, text) when the action did not run: awaiting approval, declined or dismissed."""
    confirmation = confirmation_of(consent)
    if decision == "needs_token" and confirmation is not None:
        return confirmation.token, (
            f"NOT {verb} yet. Ask the user to approve:\n{confirmation.preview}\n"
            f"If they agree, call {tool} again with the same arguments and confirmation_token="
            f"'{confirmation.token}' (valid until {confirmation.expires_at:%H:%M} UTC)."
        )
    return None, f"Not {verb}: the user {decision} it. Nothing changed."
