"""``recurring_invoice``: repeat an invoice every week, month or year; list, pause, resume or stop it."""

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Literal

from mcp.server.mcpserver import Elicit, ElicitationResult, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from ..consent import Confirm, Consent, decide
from ..errors import api_call, build
from ..state import Ctx, books_of, state_of
from ..summaries import recur_action
from ..text import clean
from ..views import org_ref
from ._common import OrgArg, TokenArg, ToolSpec, result, today
from ._target import ask, held_back, target

if TYPE_CHECKING:
    from si_mcp.models import Document, Organization, Recurrence

__all__ = ["TOOLS"]

Action = Literal["set_up", "list", "pause", "resume", "stop"]
Every = Literal["week", "month", "year"]
_SHOWN = 30


class RecurrenceRow(BaseModel):
    invoice: str
    every: Every
    next_date: dt.date | None = None
    times: int | None = None
    issued: list[str]
    auto_send: bool
    paused: bool
    problem: str | None = None


class RecurrenceResult(BaseModel):
    organization: str
    status: Literal["done", "declined", "dismissed", "needs_confirmation"]
    recurrences: list[RecurrenceRow]
    confirmation_token: str | None = None


async def _consent(
    ctx: Ctx,
    action: Action,
    document: str | None,
    organization: str | None,
    every: Every,
    first_date: dt.date | None,
    times: int | None,
    auto_send: bool,
    confirmation_token: str | None,
) -> Consent | Elicit[Confirm]:
    if action != "set_up" or not auto_send or document is None:
        return Consent(mode="not_needed")
    found = await target(ctx, organization, document, "invoice")
    client = found.doc.document_client
    if client is None or not client.email:
        raise ToolError(
            f"The client of invoice {found.doc.number} has no email, so copies cannot be emailed: set it up with "
            "auto_send=false, or give the client an email first."
        )
    first = (first_date or _default_first(found.doc, found.org, every)).isoformat()
    return await ask(
        ctx,
        recur_action(found.account_id, found.org, found.doc, every=every, first=first, times=times),
        confirmation_token,
        keyed=False,
    )


def _default_first(doc: "Document", org: "Organization", every: Every) -> dt.date:
    """The dateFirst the API takes when none is given (for the question)."""
    from si_mcp.models.ledger import local_day
    from si_mcp.models.recurrence import default_first

    now = today(org)
    return default_first(local_day(doc.date, org.timezone) if doc.date else now, every, now)


async def recurring_invoice(
    ctx: Ctx,
    action: Annotated[Action, Field(description="On `document`; list: all when omitted.")],
    consent: Annotated[ElicitationResult[Confirm], Resolve(_consent)],
    document: Annotated[str | None, Field(description="The repeated invoice's number or id.", max_length=100)] = None,
    organization: OrgArg = None,
    every: Annotated[Every, Field(description="Period.")] = "month",
    first_date: Annotated[dt.date | None, Field(description="Default: a period after the invoice.")] = None,
    times: Annotated[int | None, Field(description="Default: until stopped.", ge=1, le=1000)] = None,
    auto_send: Annotated[bool, Field(description="Email each copy (asks first).")] = False,
    confirmation_token: TokenArg = None,
) -> Annotated[CallToolResult, RecurrenceResult]:
    """Repeat an invoice every period (each copy dated the day it is issued); list, pause, resume or stop."""
    books = await books_of(ctx)
    if action == "list" and document is None:
        from .. import lookup

        org = await lookup.organization(books, organization, default=state_of(ctx).settings.organization_id)
        with api_call("list the recurring invoices"):
            found = await books.api.recurrences.list(org.id)
        rows = await _rows(ctx, org, found[:_SHOWN])
        more = f" (the first {_SHOWN} of {len(found)})" if len(found) > _SHOWN else ""
        text = (
            f"{len(found)} recurring invoice(s) of {clean(org.name)}{more}."
            if found
            else f"{clean(org.name)} has no recurring invoice."
        )
        return result(
            "\n".join([text, *(_line(row) for row in rows)]),
            RecurrenceResult(organization=org_ref(org), status="done", recurrences=rows),
        )
    if document is None:
        raise ToolError(f"Pass document: the invoice (number or id) to {action.replace('_', ' ')}.")
    found_doc = await target(ctx, organization, document, "invoice")
    org, doc = found_doc.org, found_doc.doc
    label = f"invoice {doc.number or doc.id} of {clean(org.name)}"
    if action == "set_up":
        decision = decide(consent)
        if decision != "go":
            token, text = held_back("recurring_invoice", "set up", decision, consent)
            status: Literal["declined", "dismissed", "needs_confirmation"] = (
                "needs_confirmation" if decision == "needs_token" else decision
            )
            return result(
                text,
                RecurrenceResult(organization=org_ref(org), status=status, recurrences=[], confirmation_token=token),
            )
        from si_mcp.models import RecurrenceCreate

        body = build(
            RecurrenceCreate,
            "recurrence",
            name=f"{clean(doc.document_client.name if doc.document_client else '', 60) or 'Invoice'} every {every}",
            type=every,
            date_first=first_date,
            num_recurrences=times,
            auto_send=auto_send,
        )
        with api_call(f"set up the recurrence of the {label}"):
            made = await books.api.recurrences.create(doc.id, body=body)
        [row] = await _rows(ctx, org, [made])
        return result(
            f"Set up: {_line(row)}", RecurrenceResult(organization=org_ref(org), status="done", recurrences=[row])
        )
    from si_mcp.client import NotFoundError

    with api_call(f"find the recurrence of the {label}"):
        try:
            current = await books.api.recurrences.for_document(doc.id)
        except NotFoundError:
            raise ToolError(
                f'The {label} does not recur. To repeat it, call recurring_invoice with action="set_up".'
            ) from None
    if action in ("pause", "resume"):
        if not books.api.is_local:
            raise ToolError("The Space Invoices API cannot pause a recurrence: stop it, and set it up again later.")
        from si_mcp.models import RecurrenceUpdate

        with api_call(f"{action} the recurrence of the {label}"):
            current = await books.api.recurrences.update(current.id, body=RecurrenceUpdate(paused=action == "pause"))
        done = "Paused" if action == "pause" else "Resumed"
    elif action == "stop":
        with api_call(f"stop the recurrence of the {label}"):
            await books.api.recurrences.delete(current.id)
        done = "Stopped (what it issued stays)"
    else:
        done = ""
    [row] = await _rows(ctx, org, [current])
    if action == "stop":
        row = row.model_copy(update={"next_date": None, "problem": None})
    text = f"{done}: {_line(row)}" if done else _line(row)
    return result(text, RecurrenceResult(organization=org_ref(org), status="done", recurrences=[row]))


async def _rows(ctx: Ctx, org: "Organization", recurrences: "list[Recurrence]") -> list[RecurrenceRow]:
    """Each recurrence with the numbers of its template and of what it issued (one query for all of them)."""
    from si_mcp.models import Filter

    books = await books_of(ctx)
    ids = {r.document_id for r in recurrences} | {d.document_id for r in recurrences for d in r.recurrence_dates[-3:]}
    numbers: dict[str, str] = {}
    if ids:
        with api_call("look up the invoices"):
            docs = await books.api.documents.list(
                org.id, filter=Filter(where={"id": {"inq": sorted(ids)}}, limit=len(ids))
            )
        numbers = {d.id: d.number or d.id for d in docs}
    return [
        RecurrenceRow(
            invoice=numbers.get(r.document_id, r.document_id),
            every=r.type,
            next_date=r.next_date,
            times=r.num_recurrences,
            issued=[numbers.get(d.document_id, d.document_id) for d in r.recurrence_dates[-3:]],
            auto_send=r.auto_send,
            paused=r.paused,
            problem=clean(r.last_error, 200) if r.last_error else None,
        )
        for r in recurrences
    ]


def _line(row: RecurrenceRow) -> str:
    count = f"{row.times} in all" if row.times else "until stopped"
    state = "paused" if row.paused else (f"next {row.next_date}" if row.next_date else "finished")
    issued = f"; last issued {', '.join(row.issued)}" if row.issued else ""
    sends = ", emailed" if row.auto_send else ""
    problem = f" Problem: {row.problem}" if row.problem else ""
    return f"- invoice {row.invoice} every {row.every} ({count}{sends}), {state}{issued}.{problem}"


TOOLS = [
    ToolSpec(recurring_invoice, "Recurring invoices", read_only=False, destructive=True, open_world=True),
]
