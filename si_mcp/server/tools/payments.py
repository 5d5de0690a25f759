"""``mark_paid``: record a (partial) payment after the user agreed."""

import datetime as dt
import hashlib
import json
import weakref
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

import anyio
from mcp.server.mcpserver import Elicit, ElicitationResult, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import Field

from ..consent import Confirm, Consent, decide, once_key
from ..errors import api_call, build
from ..state import Ctx, books_of
from ..summaries import document_sentence, pay_action
from ..text import clean, money, money_text
from ..views import PaymentView, document_ref, document_summary, org_ref, payment_view
from ._common import DocArg, DocTypeArg, Number, OrgArg, PaymentType, TokenArg, ToolSpec, as_timestamp, result, today
from ._target import ActionResult, Target, ask, held_back, target

if TYPE_CHECKING:
    from si_mcp.models import Document, Organization
    from si_mcp.models import Payment as Paid

__all__ = ["TOOLS"]

# One lock per document being paid, gone when no call holds it.
_locks: "weakref.WeakValueDictionary[str, anyio.Lock]" = weakref.WeakValueDictionary()


class PaymentResult(ActionResult):
    status: Literal["recorded", "declined", "dismissed", "needs_confirmation"]
    payment: PaymentView | None = None


@dataclass(frozen=True)
class Payment:
    found: Target
    amount: Decimal
    day: dt.date
    previous: "Paid | None" = None  # recorded already with this confirmation (by this or another replica)
    in_full: bool = False  # no amount given: what is due when it is recorded


async def _plan(
    ctx: Ctx,
    organization: str | None,
    document: str,
    type: str | None,
    amount: Decimal | None,
    date: dt.date | None,
    confirmation_token: str | None,
) -> Payment:
    found = await target(ctx, organization, document, type)
    if confirmation_token:  # acted on already? Then the invoice may be paid now: answer that payment, not an error
        previous = await _paid_under(ctx, found, once_key("pay", confirmation_token))
        if previous is not None:
            return Payment(found, previous.amount, date or today(found.org), previous)
    value = _payable_amount(found.doc, found.org, amount)
    return Payment(found, value, date or today(found.org), in_full=amount is None)


async def _paid_under(ctx: Ctx, found: Target, key: str) -> "Paid | None":
    """The payment recorded under ``key`` on this document, on books that keep payment keys (a token given for
    another document finds nothing here, and is then refused by the consent check)."""
    from si_mcp.models import Filter

    books = await books_of(ctx)
    if not books.api.is_local:
        return None
    with api_call("look for the payment"):
        made = await books.api.payments.list_for_organization(
            found.org.id, filter=Filter(where={"uniqueId": key}, limit=1)
        )
    return made[0] if made and made[0].document_id == found.doc.id else None


def _payable_amount(doc: "Document", org: "Organization", amount: Decimal | None) -> Decimal:
    """``amount`` (default: all that is due) when the document can take it; a ToolError otherwise."""
    label = f"{doc.type} {doc.number or doc.id} of {clean(org.name)}"
    if doc.canceled or doc.draft or doc.type in ("estimate", "credit-note"):
        state = "canceled" if doc.canceled else "a draft" if doc.draft else f"a {doc.type}"
        raise ToolError(f"The {label} is {state}; it cannot take payments.")
    due, currency = doc.total_due, doc.currency_id
    if amount is not None and amount < 0:
        # A refund: money paid back to a client who paid more than it owes (after a credit note, say).
        if due >= 0:
            raise ToolError(f"A negative amount records a refund, but nothing is owed back on the {label}.")
        if amount < due:
            raise ToolError(
                f"A refund of {money_text(-amount, currency)} is more than the {money_text(-due, currency)} owed "
                f"back on the {label}. Pass at most amount={money(due, currency)}."
            )
        return amount
    if doc.paid_in_full or due <= 0:
        settled = "credited in full" if doc.total_credited >= doc.total_with_tax else "already paid in full"
        refund = (
            f" {money_text(-due, currency)} is owed back to the client: to record that refund, call mark_paid with "
            f"amount={money(due, currency)}."
            if due < 0
            else ""
        )
        raise ToolError(f"The {label} is {settled}; nothing was recorded.{refund}")
    value = due if amount is None else amount
    if value == 0:
        raise ToolError("amount must not be zero.")
    if value > due:
        raise ToolError(
            f"{money_text(value, currency)} is more than the {money_text(due, currency)} still due on "
            f"the {label}. Pass at most that amount."
        )
    return value


async def _consent(
    ctx: Ctx,
    plan: Annotated[Payment, Resolve(_plan)],
    payment_type: str,
    note: str | None,
    confirmation_token: str | None,
) -> Consent | Elicit[Confirm]:
    found = plan.found
    if plan.previous is not None:
        return Consent(mode="not_needed")  # nothing will be recorded: the answer is the payment made with it
    action = pay_action(
        found.account_id, found.org, found.doc, amount=plan.amount, payment_type=payment_type, day=plan.day, note=note
    )
    return await ask(ctx, action, confirmation_token)


async def mark_paid(
    ctx: Ctx,
    document: DocArg,
    plan: Annotated[Payment, Resolve(_plan)],
    consent: Annotated[ElicitationResult[Confirm], Resolve(_consent)],
    organization: OrgArg = None,
    type: DocTypeArg = None,
    amount: Annotated[
        Number | None, Field(description="Default: what is due. Negative: a refund of money owed back.")
    ] = None,
    payment_type: Annotated[PaymentType, Field(description="How it was paid.")] = "bank",
    date: Annotated[dt.date | None, Field(description="Payment date; default today.")] = None,
    note: Annotated[str | None, Field(description="Kept with the payment.", max_length=2000)] = None,
    confirmation_token: TokenArg = None,
) -> Annotated[CallToolResult, PaymentResult]:
    """Record a (partial) payment on an invoice and report what remains due; asks the user first."""
    decision = decide(consent)
    if decision != "go":
        token, text = held_back("mark_paid", "recorded", decision, consent)
        status: Literal["declined", "dismissed", "needs_confirmation"] = (
            "needs_confirmation" if decision == "needs_token" else decision
        )
        data = PaymentResult(
            organization=org_ref(plan.found.org),
            document=document_ref(plan.found.doc, today(plan.found.org), plan.found.org.timezone),
            status=status,
            confirmation_token=token,
        )
        return result(text, data)
    return await _record(ctx, plan, payment_type, note, confirmation_token)


def _payment_key(plan: Payment, payment_type: str, note: str | None, confirmation_token: str | None) -> str:
    """The payment's idempotency key: the confirmation's (one consent, one payment, whichever replica acts on it),
    else one made of the arguments (an identical repeat is the same payment)."""
    if confirmation_token:
        return once_key("pay", confirmation_token)
    doc = plan.found.doc
    amount = f"{plan.amount.normalize():f}"  # 100 and 100.00 are one amount
    what = [plan.found.account_id, doc.id, amount, payment_type, plan.day.isoformat(), note or ""]
    return "si-mcp-pay-" + hashlib.sha256(json.dumps(what).encode()).hexdigest()[:40]


async def _record(
    ctx: Ctx, plan: Payment, payment_type: str, note: str | None, confirmation_token: str | None
) -> CallToolResult:
    from si_mcp.models import PaymentCreate

    org, doc = plan.found.org, plan.found.doc
    books = await books_of(ctx)
    # Only the embedded API keeps payment keys; Space Invoices would refuse the field.
    key = _payment_key(plan, payment_type, note, confirmation_token) if books.api.is_local else None
    body = build(
        PaymentCreate,
        "payment",
        type=payment_type,
        # "What is due", on books that keep keys, is read in the transaction that records it: two payments in full
        # made at once (two confirmations, two replicas) cannot overpay; the second is refused as nothing is due.
        amount=None if plan.in_full and key else plan.amount,
        date=as_timestamp(plan.day),
        note=note,
        unique_id=key,
    )
    # The API takes overpayments, so two calls racing on one invoice (a retried call, two agents) would each
    # pay what was due when they looked. One payment per document at a time, checked again on fresh data.
    lock = _locks.setdefault(doc.id, anyio.Lock())
    async with lock:
        # Made under this key already? (Found while planning, for a confirmation; else looked up now, under the lock.)
        previous = plan.previous or (await _paid_under(ctx, plan.found, key) if key else None)
        replayed = previous is not None
        if previous is not None:
            payment = previous
        else:
            with api_call("record the payment"):
                fresh = await books.api.documents.get(doc.id)
            _payable_amount(fresh, org, plan.amount)
            try:
                with api_call("record the payment"):
                    payment = await books.api.payments.create(doc.id, body=body)
            except ToolError:
                if plan.in_full and key:  # refused in the transaction: nothing due any more (paid meanwhile)
                    with api_call("record the payment"):
                        _payable_amount(await books.api.documents.get(doc.id), org, plan.amount)
                raise
        with api_call("record the payment"):
            doc = await books.api.documents.get(doc.id)
    data = PaymentResult(
        organization=org_ref(org),
        document=document_ref(doc, today(org), org.timezone),
        status="recorded",
        payment=payment_view(payment, doc.currency_id),
    )
    paid = money_text(payment.amount, doc.currency_id)
    sentence = document_sentence(org.name, document_summary(doc, today(org), org.timezone))
    if replayed:
        how = "with this confirmation" if confirmation_token else "with these same arguments"
        return result(
            f"NOTHING NEW WAS RECORDED: this payment of {paid} was already recorded {how} "
            f"(payment {payment.id}). To record a second, identical payment, give it a note that tells them "
            f"apart. {sentence}",
            data,
        )
    return result(f"Recorded {paid} by {payment_type}. {sentence}", data)


TOOLS = [ToolSpec(mark_paid, "Mark paid", read_only=False)]
