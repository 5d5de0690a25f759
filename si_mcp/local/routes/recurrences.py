"""Recurring invoices (v1 ``Recurrence``): set up on a template document, listed, changed, deleted, and issued.

``POST /documents/{id}/recurrence`` makes the document the template; ``GET /documents/{id}/recurrence``,
``GET/PUT/DELETE /recurrences/{id}`` and ``GET /organizations/{id}/recurrences`` (``/count``) manage it.

Issuing (:func:`issue_next`, run by :class:`si_mcp.local.scheduler.Scheduler`) copies the template into a new
document for the next due occurrence, records the occurrence and moves the schedule on, in one write
transaction; with ``autoSend`` the email is queued in the outbox in that same transaction. The occurrence is
recorded under a unique (recurrence, iteration) key and the document under a ``uniqueId`` derived from it, so
a restart or a second process never issues one twice.

The copy is dated the day it is issued (normally the occurrence's day; later when catching up after downtime,
because numbers must follow dates), with the template's payment term, client, lines (taxes by id, so the rate
in force applies), currency, language and a note someone wrote; footer, signature and the default note come
from the organization's current defaults, so payment instructions stay true.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from si_mcp.models import (
    Count,
    Document,
    DocumentCreate,
    Filter,
    RecurrenceCreate,
    RecurrenceUpdate,
    copied_line,
    wirejson,
)
from si_mcp.models.language import supported
from si_mcp.models.ledger import organization_today
from si_mcp.models.recurrence import Period, default_first, next_after

from .. import tables
from ..access import Need, load_owned_tx, require_org_tx
from ..einvoicing import IssueCheck
from ..engine.autofill import local_day
from ..engine.smartcodes import states_own_facts
from ..errors import LocalAPIError, invalid, not_found
from ..filters import compile_order, compile_where, page
from ..http import Call, Route, json_response
from ..ids import object_id
from ..resources import RECURRENCES
from ..store import count_rows_tx, loads, now, to_naive
from . import documents as documents_routes
from . import documents_out

if TYPE_CHECKING:
    from ..http import Services
    from ..mail.service import Queued

from ._crud import member_count_handler

__all__ = ["Issued", "due_recurrences", "issue_next", "next_due", "record_failure", "routes"]

log = logging.getLogger(__name__)

_MODEL = "Recurrence"
_TEMPLATE_TYPES = frozenset({"invoice"})
_R = tables.recurrences
_RD = tables.recurrence_dates


# ---------------------------------------------------------------- schedule (pure)


def _today(organization: dict[str, Any], clock: datetime) -> date:
    return organization_today(organization.get("timezone"), clock)


# ---------------------------------------------------------------- rows and answers


def _dates_of(conn: sa.Connection, recurrence_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {rid: [] for rid in recurrence_ids}
    if not recurrence_ids:
        return found
    query = sa.select(_RD).where(_RD.c.recurrence_id.in_(recurrence_ids)).order_by(_RD.c.iteration)
    for row in conn.execute(query):
        entry: dict[str, Any] = {
            "id": row.id,
            "date": row.date.isoformat(),
            "iteration": row.iteration,
            "documentId": row.document_id,
        }
        if row.sent is not None:
            entry["sent"] = row.sent
        found[row.recurrence_id].append(entry)
    return found


# Stored, not answered: the day a defaulted schedule counts from (see create_recurrence).
_ANCHOR = "_anchor"


def _start(data: dict[str, Any]) -> date:
    """The day the schedule's occurrences are counted from: the template's day when dateFirst was defaulted."""
    return date.fromisoformat(data.get(_ANCHOR) or data["dateFirst"])


def _answer(row: Any, dates: list[dict[str, Any]]) -> dict[str, Any]:
    answer = loads(row.data)
    answer.pop(_ANCHOR, None)
    answer.update(
        paused=row.paused,
        nextDate=row.next_date.isoformat() if row.next_date is not None else None,
        _recurrenceDates=dates,
    )
    return answer


def _answers(conn: sa.Connection, rows: list[Any]) -> list[dict[str, Any]]:
    dates = _dates_of(conn, [row.id for row in rows])
    return [_answer(row, dates[row.id]) for row in rows]


def _load(conn: sa.Connection, recurrence_id: str, account_id: str, need: Need = "read") -> Any:
    owned = load_owned_tx(conn, _R, recurrence_id, account_id, _MODEL, need, columns=("id",))
    return conn.execute(_locked(sa.select(_R).where(_R.c.id == owned.id), conn, need != "read")).one()


def _locked(query: sa.Select[Any], conn: sa.Connection, lock: bool) -> sa.Select[Any]:
    """On PostgreSQL a change holds the recurrence's row, so a scheduler issuing it (which holds it too) and a PUT
    never work from the same stale schedule; SQLite's writes are serialized anyway."""
    return query.with_for_update() if lock and conn.dialect.name == "postgresql" else query


def _store(conn: sa.Connection, recurrence_id: str, data: dict[str, Any], **columns: Any) -> None:
    conn.execute(sa.update(_R).where(_R.c.id == recurrence_id).values(data=wirejson.dumps(data), **columns))


# ---------------------------------------------------------------- checks


def _template(conn: sa.Connection, document_id: str, account_id: str, need: Need) -> tuple[str, dict[str, Any]]:
    row = load_owned_tx(conn, tables.documents, document_id, account_id, "Document", need)
    return row.organization_id, loads(row.data)


def _organization(conn: sa.Connection, organization_id: str) -> dict[str, Any]:
    o = tables.organizations
    return loads(conn.execute(sa.select(o.c.data).where(o.c.id == organization_id)).scalar_one())


def _check(settings: dict[str, Any], template: dict[str, Any]) -> None:
    if template.get("type") not in _TEMPLATE_TYPES:
        raise invalid(_MODEL, "documentId", "only an invoice can recur; make the recurrence on an invoice")
    if settings.get("autoSend"):
        if settings.get("saveAsDraft"):
            raise invalid(_MODEL, "autoSend", "a draft cannot be sent: set saveAsDraft to false or autoSend to false")
        if not ((template.get("_documentClient") or {}).get("email") or "").strip():
            raise invalid(
                _MODEL,
                "autoSend",
                "the template's client has no email address: give the invoice's client an email first",
            )


# ---------------------------------------------------------------- REST


async def create_recurrence(call: Call) -> Response:
    body = await call.body(RecurrenceCreate, _MODEL)
    clock = call.services.clock()

    def run(conn: sa.Connection) -> dict[str, Any]:
        organization_id, template = _template(conn, call.params["id"], call.account_id, "write")
        taken = conn.execute(
            sa.select(_R.c.id).where(_R.c.document_id == template["id"], _R.c.is_deleted == sa.false())
        ).scalar()
        if taken is not None:
            raise invalid(
                _MODEL,
                "documentId",
                f"the document already recurs (recurrence {taken}); change it with PUT /recurrences/{taken}",
                code="uniqueness",
            )
        settings = body.model_dump(by_alias=True, mode="json")
        _check(settings, template)
        organization = _organization(conn, organization_id)
        today = _today(organization, clock)
        period: Period = body.type
        first, anchor = body.date_first, None
        if first is None:
            anchor = local_day(datetime.fromisoformat(template["date"]), organization.get("timezone"))
            first = default_first(anchor, period, today)
        if first < today:
            raise invalid(
                _MODEL,
                "dateFirst",
                f"{first.isoformat()} is before today ({today.isoformat()}): a recurrence issues from today on; "
                "start it today or later (and issue a missed invoice yourself)",
            )
        stamp = now()
        data = {
            **settings,
            "dateFirst": first.isoformat(),
            # Counted from the template's day: an invoice of 31 January recurs on 28 February, then 31 March.
            _ANCHOR: anchor.isoformat() if anchor is not None else None,
            "id": object_id(),
            "organizationId": organization_id,
            "documentId": template["id"],
            "accountId": call.account_id,
            "lastError": None,
            "createdAt": stamp,
            "updatedAt": stamp,
        }
        next_date = next_after(_start(data), period, first - timedelta(days=1), 0, body.num_recurrences)
        conn.execute(
            _R.insert().values(
                id=data["id"],
                organization_id=organization_id,
                document_id=template["id"],
                account_id=call.account_id,
                is_deleted=False,
                paused=body.paused,
                next_iteration=1,
                next_date=next_date,
                created_at=to_naive(stamp),
                updated_at=to_naive(stamp),
                data=wirejson.dumps(data),
            )
        )
        return _answer(conn.execute(sa.select(_R).where(_R.c.id == data["id"])).one(), [])

    answer = await call.db.run_write(run)
    call.services.wake_scheduler()
    return json_response(answer)


async def get_document_recurrence(call: Call) -> Response:
    def run(conn: sa.Connection) -> dict[str, Any]:
        _template(conn, call.params["id"], call.account_id, "read")
        row = conn.execute(
            sa.select(_R).where(_R.c.document_id == call.params["id"], _R.c.is_deleted == sa.false())
        ).first()
        if row is None:
            raise not_found(_MODEL, f"of document {call.params['id']}")
        return _answers(conn, [row])[0]

    return json_response(await call.db.run_read(run))


async def get_recurrence(call: Call) -> Response:
    def run(conn: sa.Connection) -> dict[str, Any]:
        return _answers(conn, [_load(conn, call.params["id"], call.account_id)])[0]

    return json_response(await call.db.run_read(run))


def _org_rows(conn: sa.Connection, call: Call, flt: Filter) -> list[Any]:
    """The organization's live recurrences matching ``flt`` (LoopBack where, order, limit and skip)."""
    require_org_tx(conn, call.account_id, call.params["id"])
    dialect = conn.dialect.name
    limit, offset = page(flt)
    query = (
        sa.select(_R)
        .where(
            _R.c.organization_id == call.params["id"],
            _R.c.is_deleted == sa.false(),
            compile_where(flt.where, RECURRENCES, dialect),
        )
        .order_by(*compile_order(flt.order, RECURRENCES, dialect))
        .limit(limit)
        .offset(offset)
    )
    return list(conn.execute(query))


async def list_recurrences(call: Call) -> Response:
    flt = call.filter()

    def run(conn: sa.Connection) -> list[dict[str, Any]]:
        return _answers(conn, _org_rows(conn, call, flt))

    return json_response(await call.db.run_read(run))


async def count_recurrences(call: Call) -> Response:
    where = call.where()

    def run(conn: sa.Connection) -> int:
        require_org_tx(conn, call.account_id, call.params["id"])
        scope = sa.and_(_R.c.organization_id == call.params["id"])
        return count_rows_tx(conn, RECURRENCES, scope, where)

    return json_response(Count(count=await call.db.run_read(run)).to_wire())


async def update_recurrence(call: Call) -> Response:
    body = await call.body(RecurrenceUpdate, _MODEL)
    changes = body.model_dump(by_alias=True, mode="json", exclude_unset=True)
    for name in ("name", "type", "dateFirst", "autoSend", "notify", "saveAsDraft", "paused"):
        if name in changes and changes[name] is None:
            raise invalid(_MODEL, name, "can't be null")
    clock = call.services.clock()

    def run(conn: sa.Connection) -> dict[str, Any]:
        row = _load(conn, call.params["id"], call.account_id, "write")
        data = loads(row.data)
        merged = {**data, **changes, "paused": changes.get("paused", row.paused)}
        if merged.get("custom") is None:
            merged["custom"] = {}
        if {"autoSend", "saveAsDraft"} & changes.keys():  # only what changes is checked: pausing always works
            d = tables.documents
            template = loads(conn.execute(sa.select(d.c.data).where(d.c.id == row.document_id)).scalar_one())
            _check(merged, template)
        organization = _organization(conn, row.organization_id)
        today = _today(organization, clock)
        if "dateFirst" in changes and date.fromisoformat(changes["dateFirst"]) < today:
            raise invalid(
                _MODEL, "dateFirst", f"is before today ({today.isoformat()}): a recurrence issues from today on"
            )
        next_date = row.next_date
        resumed = row.paused and not merged["paused"]
        if {"type", "dateFirst", "numRecurrences"} & changes.keys() or resumed:
            # The new schedule continues after the last issued occurrence; what fell due while paused is skipped.
            last = conn.execute(sa.select(sa.func.max(_RD.c.date)).where(_RD.c.recurrence_id == row.id)).scalar()
            after = max(last, today - timedelta(days=1)) if resumed and last else last
            if resumed and last is None:
                after = today - timedelta(days=1)
            if after is None:  # nothing issued yet: from dateFirst on (a defaulted schedule's anchor is before it)
                after = date.fromisoformat(merged["dateFirst"]) - timedelta(days=1)
            if any(key in changes and changes[key] != data.get(key) for key in ("type", "dateFirst")):
                merged[_ANCHOR] = None  # a schedule set anew counts from its own first day
            limit = merged.get("numRecurrences")
            next_date = next_after(_start(merged), merged["type"], after, row.next_iteration - 1, limit)
            merged["lastError"] = None
        merged["updatedAt"] = now()
        merged.pop("_recurrenceDates", None)
        merged.pop("nextDate", None)
        stamp = to_naive(merged["updatedAt"])
        _store(conn, row.id, merged, paused=merged["paused"], next_date=next_date, updated_at=stamp)
        return _answers(conn, [conn.execute(sa.select(_R).where(_R.c.id == row.id)).one()])[0]

    answer = await call.db.run_write(run)
    call.services.wake_scheduler()
    return json_response(answer)


async def delete_recurrence(call: Call) -> Response:
    def run(conn: sa.Connection) -> None:
        row = _load(conn, call.params["id"], call.account_id, "write")
        stamp = now()
        data = {**loads(row.data), "_isDeleted": True, "deletedAt": stamp, "updatedAt": stamp}
        _store(conn, row.id, data, is_deleted=True, updated_at=to_naive(stamp))

    await call.db.run_write(run)
    return json_response(Count(count=1).to_wire())


# ---------------------------------------------------------------- issuing


@dataclass(frozen=True)
class Issued:
    """One occurrence issued: which, its document, and the email queued with it (autoSend)."""

    recurrence_id: str
    iteration: int
    date: date
    document: dict[str, Any]
    queued: Queued | None


def _live() -> sa.ColumnElement[bool]:
    """Recurrences that go on: not deleted, not paused, of an active organization (a deactivated one's wait)."""
    active = sa.select(tables.organizations.c.id).where(tables.organizations.c.active == sa.true())
    return sa.and_(_R.c.is_deleted == sa.false(), _R.c.paused == sa.false(), _R.c.organization_id.in_(active))


def due_recurrences(conn: sa.Connection, clock: datetime) -> list[str]:
    """Recurrences whose next occurrence may be due (the organization's today is at most a day off UTC's)."""
    horizon = clock.astimezone(UTC).date() + timedelta(days=1)
    query = sa.select(_R.c.id).where(_R.c.next_date <= horizon, _live()).order_by(_R.c.next_date, _R.c.id)
    return list(conn.execute(query).scalars())


def next_due(conn: sa.Connection) -> date | None:
    """The earliest day any live recurrence falls due."""
    return conn.execute(sa.select(sa.func.min(_R.c.next_date)).where(_live())).scalar()


@dataclass(frozen=True)
class _Due:
    row: Any
    data: dict[str, Any]
    template: Document
    day: date
    """the organization's today: the copy's date"""
    organization: dict[str, Any]
    client_live: bool
    """the template's client still exists: the copy takes its current details"""


def _bound_note(template: Document, organization: dict[str, Any]) -> bool:
    issuer = template.document_issuer.model_dump(mode="json", by_alias=True) if template.document_issuer else None
    return states_own_facts(template.note, issuer or organization, template.model_dump(mode="json", by_alias=True))


def _occurrence_body(due: _Due) -> DocumentCreate:
    template, data = due.template, due.data
    issued_on = datetime.combine(due.day, time(), UTC)  # a calendar day, as the tools send dates
    fields: dict[str, Any] = {
        "type": template.type,
        "draft": bool(data.get("saveAsDraft")),
        "date": issued_on,
        "currency_id": template.currency_id,
        "document_items": [copied_line(item) for item in template.document_items],
        "reference": template.reference or None,
        "decimal_places": template.decimal_places,
        "unique_id": f"recurrence-{due.row.id}-{due.row.next_iteration}",
    }
    if supported(template.locale):
        fields["locale"] = template.locale
    zone = due.organization.get("timezone")
    if template.date and template.date_due:  # the same payment term, in the organization's days
        term = (local_day(template.date_due, zone) - local_day(template.date, zone)).days
        fields["date_due"] = issued_on + timedelta(days=max(term, 0))
    if due.client_live:
        fields["client_id"] = template.client_id  # its current name, address and email
    elif template.document_client is not None:
        fields["document_client"] = template.document_client.model_dump(include=set(_CLIENT_FIELDS), exclude_none=True)
    if template.note and not _bound_note(template, due.organization):
        fields["note"] = template.note  # words someone wrote; a filled-in default note follows the defaults
    try:
        return DocumentCreate.model_validate(fields)
    except ValidationError as error:
        raise LocalAPIError(422, f"the template cannot be copied: {error}", code="RECURRENCE_FAILED") from None


_CLIENT_FIELDS = (
    "name",
    "contact",
    "address",
    "address2",
    "city",
    "zip",
    "state",
    "country",
    "tax_number",
    "tax_subject",
    "company_number",
    "iban",
    "bank",
    "swift",
    "website",
    "email",
    "phone",
    "is_end_customer",
)


def _claim(conn: sa.Connection, recurrence_id: str, clock: datetime) -> _Due | None:
    """The recurrence's next occurrence if it is due now and not issued yet (re-read inside the write)."""
    # A second scheduler (or a PUT) waits here on PostgreSQL, then sees the moved schedule.
    row = conn.execute(_locked(sa.select(_R).where(_R.c.id == recurrence_id), conn, True)).first()
    if row is None or row.is_deleted or row.paused or row.next_date is None:
        return None
    organization = _organization(conn, row.organization_id)
    if not organization.get("active", True):  # deactivated since the pass began
        return None
    today = _today(organization, clock)
    if row.next_date > today:
        return None
    done = conn.execute(
        sa.select(_RD.c.id).where(_RD.c.recurrence_id == row.id, _RD.c.iteration == row.next_iteration)
    ).first()
    if done is not None:
        return None
    d, c = tables.documents, tables.clients
    template = Document.model_validate(
        loads(conn.execute(sa.select(d.c.data).where(d.c.id == row.document_id)).scalar_one())
    )
    live = (
        template.client_id is not None
        and conn.execute(sa.select(c.c.id).where(c.c.id == template.client_id, c.c.is_deleted == sa.false())).first()
        is not None
    )
    return _Due(row, loads(row.data), template, today, organization, live)


def _ended(conn: sa.Connection, due: _Due) -> str | None:
    """Why the recurrence cannot go on, if it cannot."""
    if due.template.is_deleted:
        return "the template invoice was deleted; the recurrence ended"
    if due.template.canceled:
        return "the template invoice was canceled; the recurrence ended"
    role = conn.execute(
        sa.select(tables.account_organizations.c.role).where(
            tables.account_organizations.c.account_id == due.row.account_id,
            tables.account_organizations.c.organization_id == due.row.organization_id,
        )
    ).scalar()
    if role not in ("admin", "default"):
        return "the account that set it up can no longer write to the organization; set it up again"
    return None


def _issue_tx(
    conn: sa.Connection, recurrence_id: str, clock: datetime, check: IssueCheck
) -> tuple[_Due, dict[str, Any]] | None:
    due = _claim(conn, recurrence_id, clock)
    if due is None:
        return None
    row = due.row
    reason = _ended(conn, due)
    if reason is not None:
        _finish(conn, due, reason)
        return None
    body = _occurrence_body(due)
    created = documents_routes.create_tx(
        conn, row.account_id, row.organization_id, body, documents_routes.fingerprint(body), check
    )
    conn.execute(
        _RD.insert().values(
            id=object_id(),
            recurrence_id=row.id,
            iteration=row.next_iteration,
            date=row.next_date,
            document_id=created.document["id"],
            sent=None,
            created_at=to_naive(now()),
        )
    )
    limit = due.data.get("numRecurrences")
    following = next_after(_start(due.data), due.data["type"], row.next_date, row.next_iteration, limit)
    data = {**due.data, "lastError": None}
    _store(conn, row.id, data, next_iteration=row.next_iteration + 1, next_date=following)
    return due, created.document


def _finish(conn: sa.Connection, due: _Due, reason: str) -> None:
    _store(conn, due.row.id, {**due.data, "lastError": reason}, next_date=None)


def _failed_tx(conn: sa.Connection, recurrence_id: str, reason: str) -> None:
    data = conn.execute(sa.select(_R.c.data).where(_R.c.id == recurrence_id)).scalar_one()
    _store(conn, recurrence_id, {**loads(data), "lastError": reason})


async def record_failure(services: Services, recurrence_id: str, reason: str) -> None:
    """Keep why an attempt issued nothing on the recurrence (its ``lastError``); best effort."""
    try:
        await services.db.run_write(_failed_tx, recurrence_id, reason)
    except Exception:
        log.exception("recurrence %s: could not record the failure", recurrence_id)


async def issue_next(services: Services, recurrence_id: str, clock: datetime) -> Issued | None:
    """Issue the recurrence's next occurrence if it is due by ``clock``; None when nothing was due (or another
    process issued it). A refusal (e.g. a date before the last numbered invoice) is recorded as ``lastError`` and
    raised as :class:`LocalAPIError`; the occurrence stays due and is tried again at the next run."""
    try:
        async with services.db.write() as conn:
            result = await conn.run_sync(_issue_tx, recurrence_id, clock, services.einvoices.issue_check())
            if result is None:
                return None
            due, document = result
            queued = await _queue_email(services, conn, due, document)
    except LocalAPIError as error:  # a 422 of the copy (create_tx turns the engine's refusals into them)
        await services.db.run_write(_failed_tx, recurrence_id, error.message)
        raise LocalAPIError(422, error.message, code="RECURRENCE_FAILED") from None
    issued = Issued(recurrence_id, due.row.next_iteration, due.row.next_date, document, queued)
    if queued is not None and services.documents_out is not None:
        await services.documents_out.after_commit(queued)
    return issued


async def _queue_email(services: Services, conn: AsyncConnection, due: _Due, document: dict[str, Any]) -> Queued | None:
    if not due.data.get("autoSend") or document.get("draft"):
        return None
    queued: Queued | None = None
    try:
        # The outbox renders it; a recurring copy is bound by the daily sending limit only.
        queued = await documents_out.queue_new(services, conn, document, render=False, scheduled=True)
    except LocalAPIError as error:
        # Issued all the same (the invoice is due); the email problem is kept for the user to see.
        log.warning("recurrence %s: the email was not queued: %s", due.row.id, error.message)
        await conn.run_sync(_failed_tx, due.row.id, f"the invoice was issued but not emailed: {error.message}")
    rd = tables.recurrence_dates
    await conn.execute(
        sa.update(rd)
        .where(rd.c.recurrence_id == due.row.id, rd.c.iteration == due.row.next_iteration)
        .values(sent=queued is not None)
    )
    return queued


def routes() -> list[Route]:
    return [
        Route("POST", "/documents/{id}/recurrence", create_recurrence),
        Route("GET", "/documents/{id}/recurrence", get_document_recurrence),
        Route("GET", "/organizations/{id}/recurrences", list_recurrences),
        Route("GET", "/organizations/{id}/recurrences/count", count_recurrences),
        Route("GET", "/recurrences/count", member_count_handler(RECURRENCES)),
        Route("GET", "/recurrences/{id}", get_recurrence),
        Route("PUT", "/recurrences/{id}", update_recurrence),
        Route("PATCH", "/recurrences/{id}", update_recurrence),
        Route("DELETE", "/recurrences/{id}", delete_recurrence),
    ]
