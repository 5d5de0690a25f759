"""Reading documents (find, get, summarize a period) and cancelling one."""

import datetime as dt
from contextlib import suppress
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import Elicit, ElicitationResult, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from .. import lookup
from ..consent import Confirm, Consent, decide, once_key
from ..errors import api_call
from ..state import Ctx, books_of, state_of
from ..summaries import KIND, cancel_action, document_sentence
from ..text import clean, money, money_text
from ..views import (
    DocumentDetail,
    DocumentSummary,
    ItemView,
    document_detail,
    document_ref,
    document_summary,
    org_ref,
    other_language,
)
from ._common import DocArg, DocTypeArg, OrgArg, TokenArg, ToolSpec, as_timestamp, result, today
from ._target import ActionResult, Target, ask, held_back, target

if TYPE_CHECKING:
    from si_mcp.models import Organization

    from ..backend import Books

__all__ = ["TOOLS"]

StatusFilter = Literal["draft", "unpaid", "overdue", "paid", "canceled", "open"]
_PAYABLE = ["invoice", "advance"]


class DocumentsPage(BaseModel):
    organization: str
    documents: list[DocumentSummary]
    total: int
    total_is_lower_bound: bool | None = None  # true: at least this many match (counting further costs a full scan)
    next_offset: int | None = None


class DocumentResult(BaseModel):
    organization: str
    document: DocumentDetail


class CancelResult(ActionResult):
    status: Literal["canceled", "already_canceled", "declined", "dismissed", "needs_confirmation"]


# ------------------------------------------------------------------ filters


def _status_where(status: StatusFilter | None, doc_type: str | None, start: dt.datetime) -> list[dict[str, Any]]:
    if status is None:
        return []
    if status == "draft":
        return [{"draft": True}]
    if status == "canceled":
        return [{"canceled": True}]
    live: list[dict[str, Any]] = [{"draft": False}, {"canceled": False}]
    if status == "open":
        return [*live, {"type": "estimate"}]
    kinds = [] if doc_type else [{"type": {"inq": _PAYABLE}}]
    if status == "paid":
        return [*live, *kinds, {"paidInFull": True}]
    unpaid = [*live, *kinds, {"paidInFull": False}]
    if status == "overdue":
        return [*unpaid, {"dateDue": {"lt": start}}]
    return unpaid


def _start_of_today(org: "Organization") -> dt.datetime:
    """Due before this is overdue: the organization's midnight, or today's date as the API stores a date without
    time (midnight UTC), whichever comes first (a due date is either)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    day = today(org)
    stored = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    try:
        local = dt.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(org.timezone)) if org.timezone else stored
    except (ZoneInfoNotFoundError, ValueError):
        local = stored
    return min(stored, local.astimezone(dt.UTC))


def _contains(text: str) -> dict[str, str]:
    """A case-insensitive "contains" match, the same on LoopBack/MongoDB (regex) and the local API."""
    escaped = "".join("\\" + ch if ch in ".[](){}+?|^$*\\" else ch for ch in text.strip().replace("%", ""))
    return {"like": escaped, "options": "i"}


async def _client_ids(books: "Books", org: "Organization", term: str) -> list[str]:
    found, near = await lookup.find_client(books, org, term)
    return [found.id] if found else [c.id for c in near]


async def _where(
    books: "Books",
    org: "Organization",
    *,
    status: StatusFilter | None,
    doc_type: str | None,
    client: str | None,
    number: str | None,
    text: str | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> dict[str, Any] | None:
    clauses = _status_where(status, doc_type, _start_of_today(org))
    if doc_type:
        clauses.append({"type": doc_type})
    if client:
        clauses.append({"clientId": {"inq": await _client_ids(books, org, client)}})
    if number:
        clauses.append({"number": _contains(number)})
    text = (text or "").strip() or None  # blank text searches nothing, as before
    if text and books.api.is_local:  # the embedded books' search index: number, reference, client, items, note
        clauses.append({"_search": text})
    elif text:
        pattern = _contains(text)
        options: list[dict[str, Any]] = [{"number": pattern}, {"reference": pattern}, {"note": pattern}]
        ids = [c.id for c in (await books.api.clients.search(org.id, term=text.strip()))[:50]]
        clauses.append({"or": [*options, {"clientId": {"inq": ids}}] if ids else options})
    if date_from:
        clauses.append({"date": {"gte": as_timestamp(date_from)}})
    if date_to:
        clauses.append({"date": {"lt": as_timestamp(date_to + dt.timedelta(days=1))}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"and": clauses}


def _line(d: DocumentSummary, reminded: str = "") -> str:
    """``Invoice 2026-00003 Rocket man 2,627.25 EUR unpaid: 1,627.25 EUR due by 2026-12-31 (id …)``: the type always
    (numbers repeat across types), and what is still owed when it differs from the total."""
    gross, due = Decimal(d.gross), Decimal(d.amount_due)
    owed = ""
    if d.status in ("unpaid", "overdue"):
        left = f": {money_text(abs(due), d.currency)} {'to refund' if d.type == 'credit-note' else 'due'}"
        owed = (left if due != gross else "") + (f" by {d.due_date}" if d.due_date else "")
    elif due < 0 and d.type != "credit-note":
        owed = f": {money_text(-due, d.currency)} to refund"
    if d.credited and d.status in ("unpaid", "overdue", "paid"):
        owed += f" (credited {money_text(Decimal(d.credited), d.currency)})"
    label = f"{KIND.get(d.type, d.type)} {d.number or '(draft)'}"
    return f"{label} {clean(d.client, 40)} {money_text(gross, d.currency)} {d.status}{owed}{reminded} (id {d.id})"


_COUNT_CAP = 100  # matches counted from the page on, at most: ~20 ms at 100,000 documents where COUNT took ~180


async def _count(
    books: "Books", org: "Organization", where: dict[str, Any] | None, offset: int, listed: int, limit: int
) -> tuple[int, bool]:
    """(how many match, whether that is only a lower bound): the page tells when it is the last one; otherwise ids
    are counted up to a bound past it."""
    from si_mcp.models import Filter

    if listed <= limit:
        return offset + listed, False
    probe = Filter(where=where, fields=["id", "organizationId"], limit=_COUNT_CAP, skip=offset)
    seen = len(await books.api.documents.list(org.id, filter=probe))
    return offset + seen, seen >= _COUNT_CAP


def _page_text(
    org: "Organization", page: DocumentsPage, status: str | None, offset: int, reminded: dict[str, str]
) -> str:
    matches = "1 document matches" if page.total == 1 else f"{page.total:,} documents match"
    if page.total_is_lower_bound:
        matches = f"At least {page.total:,} documents match"
    head = f"{matches} in {clean(org.name)}" + (f" ({status})" if status else "")
    lines = [_line(d, reminded.get(d.id, "")) for d in page.documents]
    shown = f"; showing {offset + 1}-{offset + len(lines)}:\n" + "\n".join(lines) if lines else "."
    more = f"\nMore: call again with offset={page.next_offset}." if page.next_offset is not None else ""
    return head + shown + more


async def find_documents(
    ctx: Ctx,
    organization: OrgArg = None,
    status: Annotated[
        StatusFilter | None,
        Field(description="unpaid includes overdue; open: issued, not paid, not canceled."),
    ] = None,
    type: Literal["invoice", "estimate", "advance", "credit-note"] | None = None,
    client: Annotated[str | None, Field(description="Name, email or id.", max_length=300)] = None,
    number: Annotated[str | None, Field(description="Exact document number.", max_length=100)] = None,
    text: Annotated[
        str | None, Field(description="In number, reference, client, items or note.", max_length=200)
    ] = None,
    date_from: Annotated[dt.date | None, Field(description="Issued on or after.")] = None,
    date_to: Annotated[dt.date | None, Field(description="Issued on or before.")] = None,
    limit: Annotated[int, Field(description="Rows to list.", ge=1, le=50)] = 20,
    offset: Annotated[int, Field(description="Rows to skip (next page).", ge=0, le=100_000)] = 0,
) -> Annotated[CallToolResult, DocumentsPage]:
    """Find documents, newest first, by status, type, client, number, text or issue dates (inclusive).

    For sums (sales, VAT, who owes what) call report.
    """
    from si_mcp.models import Filter

    books = await books_of(ctx)
    org = await lookup.organization(books, organization, default=state_of(ctx).settings.organization_id)
    with api_call("search the documents"):
        where = await _where(
            books, org, status=status, doc_type=type, client=client, number=number, text=text,
            date_from=date_from, date_to=date_to,
        )  # fmt: skip
        query = Filter(where=where, order=["date DESC", "number DESC"], limit=limit + 1, skip=offset)
        docs = await books.api.documents.list(org.id, filter=query)
        total, bounded = await _count(books, org, where, offset, len(docs), limit)
    more = len(docs) > limit
    page = DocumentsPage(
        organization=org_ref(org),
        documents=[document_summary(doc, today(org), org.timezone) for doc in docs[:limit]],
        total=total,
        total_is_lower_bound=True if bounded else None,
        next_offset=offset + limit if more else None,
    )
    from si_mcp.models.ledger import local_day

    reminded = {
        d.id: f"; reminded {d.reminders}x, last {local_day(d.reminded_at, org.timezone)}"
        for d in docs
        if d.reminders and d.reminded_at
    }
    return result(_page_text(org, page, status, offset, reminded), page)


def _back(doc_type: str, by_type: str) -> str:
    """How ``get_document`` introduces a document that refers to a ``doc_type``."""
    if by_type == "credit-note":
        return "Credited by"
    if doc_type == "advance":
        return "Deducted on"
    return "Invoiced as" if doc_type == "estimate" else "Referred to by"


def _item_line(item: ItemView, currency: str) -> str:
    discount = f" -{item.discount}" if Decimal(item.discount.rstrip("%")) else ""
    taxes = f" +{'/'.join(item.tax_rates)}% VAT" if item.tax_rates else ""
    unit = f" {item.unit}" if item.unit else " x"
    total = money_text(Decimal(item.net), currency)
    price = Decimal(item.price)
    # Unit prices may carry more decimals than the currency (0.1234 EUR); show those exactly.
    shown = money_text(price, currency) if price == Decimal(money(price, currency)) else f"{price:,} {currency}"
    return f"- {item.quantity}{unit} {item.name} at {shown}{discount}{taxes} = {total}"


async def get_document(
    ctx: Ctx, document: DocArg, organization: OrgArg = None, type: DocTypeArg = None
) -> Annotated[CallToolResult, DocumentResult]:
    """Get one document with its items, VAT, payments and note."""
    found = await target(ctx, organization, document, type, include_payments=True)
    detail = document_detail(found.doc, today(found.org), found.org.timezone, org_locale=found.org.locale)
    lines = [document_sentence(found.org.name, detail, detail.vat)]
    relation = "Corrects" if detail.type == "credit-note" else "Refers to"
    lines += [
        f"{relation} {KIND.get(r.type, r.type).lower()} {r.number or '(no number)'}"
        + (f" of {r.date}" if r.date else "")
        for r in detail.related
    ]
    lines += [
        f"{_back(detail.type, r.type)} {KIND.get(r.type, r.type).lower()} {r.number or '(no number)'}"
        + (f" of {r.date}" if r.date else "")
        + (f": {money_text(Decimal(r.amount), detail.currency)}" if r.amount else "")
        for r in detail.referenced_by
    ]
    lines += [_item_line(item, detail.currency) for item in detail.items[:10]]
    if len(detail.items) > 10:
        lines.append(f"- … {len(detail.items) - 10} more items (see structured content)")
    lines += [
        f"Paid {money_text(Decimal(p.amount), detail.currency)} by {p.type} on {p.date}" for p in detail.payments[:5]
    ]
    language = other_language(found.doc, found.org)
    written = f"; written in {language}, get_pdf(language=...) for another" if language else ""
    lines.append(f"id {detail.id}; PDF {detail.pdf}{written}")
    return result("\n".join(lines), DocumentResult(organization=org_ref(found.org), document=detail))


# ------------------------------------------------------------------ cancel


async def _cancel_target(
    ctx: Ctx, organization: str | None, document: str, type: str | None, delete_payments: bool
) -> Target:
    found = await target(ctx, organization, document, type, include_payments=True)
    doc = found.doc
    if not doc.canceled and not delete_payments and any(not p.is_deleted for p in doc.payments or []):
        label = f"{KIND.get(doc.type, doc.type)} {doc.number or doc.id} of {clean(found.org.name)}"
        paid = money_text(doc.total_paid, doc.currency_id)
        if doc.type in ("invoice", "advance") and not doc.draft:
            how = f"To correct it, call create_invoice with type='credit-note' and related_document='{doc.id}'. "
        else:
            how = ""
        raise ToolError(
            f"{label} has payments recorded ({paid}), so it is not canceled. {how}"
            "If the payments were recorded by mistake, call cancel_document again with delete_payments=true "
            "(the user is asked first)."
        )
    dependants = [r for r in doc.referenced_by if r.type in ("credit-note", "invoice")]
    if not doc.canceled and doc.type in ("invoice", "advance") and dependants:
        names = ", ".join(f"{KIND.get(r.type, r.type).lower()} {r.number or r.id}" for r in dependants)
        raise ToolError(
            f"{KIND[doc.type]} {doc.number} of {clean(found.org.name)} is not canceled: {names} refers to it. "
            "Cancel that first (with cancel_document), if it was made by mistake."
        )
    return found


async def _cancel_consent(
    ctx: Ctx,
    found: Annotated[Target, Resolve(_cancel_target)],
    confirmation_token: str | None,
    delete_payments: bool,
) -> Consent | Elicit[Confirm]:
    if found.doc.canceled:
        return Consent(mode="not_needed")
    action = cancel_action(found.account_id, found.org, found.doc, delete_payments=delete_payments)
    return await ask(ctx, action, confirmation_token)


async def cancel_document(
    ctx: Ctx,
    document: DocArg,
    found: Annotated[Target, Resolve(_cancel_target)],
    consent: Annotated[ElicitationResult[Confirm], Resolve(_cancel_consent)],
    organization: OrgArg = None,
    type: DocTypeArg = None,
    delete_payments: Annotated[
        bool, Field(description="Also delete its payments, when they were recorded by mistake (asks first).")
    ] = False,
    confirmation_token: TokenArg = None,
) -> Annotated[CallToolResult, CancelResult]:
    """Cancel a document (it keeps its number); asks first. Correct a paid invoice with a credit note."""
    org, doc = found.org, found.doc
    label = f"{doc.type} {doc.number or doc.id} of {clean(org.name)}"
    if doc.canceled:
        data = CancelResult(
            organization=org_ref(org), document=document_ref(doc, today(org), org.timezone), status="already_canceled"
        )
        return result(f"The {label} was already canceled; nothing changed.", data)
    decision = decide(consent)
    if decision != "go":
        token, text = held_back("cancel_document", "canceled", decision, consent)
        status: Literal["declined", "dismissed", "needs_confirmation"] = (
            "needs_confirmation" if decision == "needs_token" else decision
        )
        data = CancelResult(
            organization=org_ref(org),
            document=document_ref(doc, today(org), org.timezone),
            status=status,
            confirmation_token=token,
        )
        return result(text, data)
    from si_mcp.client import NotFoundError

    books = await books_of(ctx)
    # Exactly the payments the user saw in the question (a token binds their ids), then the cancel itself.
    mistaken = [p for p in doc.payments or [] if not p.is_deleted] if delete_payments else []
    # Under a token, the key is the token's: replicas acting on one confirmation cancel once (see once_key).
    key = once_key("cancel", confirmation_token) if confirmation_token and books.api.is_local else None
    with api_call(f"cancel the {doc.type}"):
        for payment in mistaken:
            with suppress(NotFoundError):  # deleted meanwhile (by another replica acting on the same confirmation)
                await books.api.payments.delete(payment.id)
        await books.api.documents.cancel(doc.id, idempotency_key=key)
        doc = await books.api.documents.get(doc.id)
    if key is not None and not doc.canceled:  # a replay: this confirmation canceled it before, and it was uncanceled
        raise ToolError(
            f"This confirmation was used already: the {label} was canceled with it and has been uncanceled since, so "
            "nothing changed now. To cancel it again, call cancel_document without a confirmation_token."
        )
    data = CancelResult(
        organization=org_ref(org), document=document_ref(doc, today(org), org.timezone), status="canceled"
    )
    deleted = f" after deleting its {len(mistaken)} payment(s)" if mistaken else ""
    return result(f"Canceled the {label}{deleted}.", data)


TOOLS = [
    ToolSpec(find_documents, "Find documents", read_only=True, idempotent=True),
    ToolSpec(get_document, "Get document", read_only=True, idempotent=True),
    ToolSpec(cancel_document, "Cancel document", read_only=False, destructive=True, idempotent=True),
]
