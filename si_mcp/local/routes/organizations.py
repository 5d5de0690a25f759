"""Organizations: create (derived from the country), get with ``_defaults``, patch, list, access grants."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from si_mcp.models import (
    DOCUMENT_TYPES,
    AccountOrganization,
    Count,
    Default,
    DocNumberUnique,
    InviteRequest,
    LastDocNumber,
    NextDocNumber,
    Organization,
    OrganizationCreate,
    OrganizationUpdate,
    Success,
    Tax,
    TaxRate,
)
from si_mcp.models.ledger import organization_today

from .. import tables
from ..access import require_org, require_org_tx
from ..engine import countries
from ..engine.seeds import organization_defaults, relocalized_defaults
from ..errors import LocalAPIError, invalid, unauthorized
from ..http import Call, Handler, Route, json_response, raw_json_response, validate
from ..ids import object_id, sub_id
from ..ledger import relocate_documents
from ..numbering import number_taken, peek_number
from ..resources import ORGANIZATIONS, default_row, membership_row, organization_row, tax_row
from ..store import count_rows, list_json, loads, now

__all__ = ["load_organization", "load_organization_tx", "resolve_country_or_422", "routes"]


def resolve_country_or_422(text: str, context: str) -> countries.CountryInfo:
    info = countries.resolve_country(text)
    if info is None:
        suggestions = countries.suggest_countries(text)
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        raise invalid(
            context,
            "country",
            f"is not a country this server knows: use its English or native name or its ISO code "
            f"(e.g. 'Belgium', 'België', 'BE').{hint}",
            code="country",
        )
    return info


def _member_scope(account_id: str) -> sa.ColumnElement[bool]:
    ao = tables.account_organizations
    return tables.organizations.c.id.in_(sa.select(ao.c.organization_id).where(ao.c.account_id == account_id))


def _own_account(call: Call) -> None:
    if call.params["id"] != call.account_id:
        raise unauthorized()


def _country_taxes(info: countries.CountryInfo, organization_id: str, stamp: datetime) -> list[dict[str, Any]]:
    result = []
    for seed in info.taxes:
        rates = [
            TaxRate(
                id=sub_id(),
                rate=rate,
                date_valid_from=datetime(day.year, day.month, day.day, tzinfo=UTC),
                created_at=stamp,
                updated_at=stamp,
            )
            for day, rate in seed.rates
        ]
        tax = Tax(
            id=object_id(),
            organization_id=organization_id,
            name=seed.name,
            abbreviation=seed.abbreviation,
            classification=seed.classification,
            country=info.name,
            country_alpha2_code=info.alpha2,
            tax_rates=rates,
            created_at=stamp,
            updated_at=stamp,
        )
        result.append(tax.to_wire())
    return result


def _seed_defaults(organization_id: str, currency: str, locale: str, stamp: datetime) -> list[dict[str, Any]]:
    return [
        Default(
            id=object_id(), organization_id=organization_id, name=name, value=value, created_at=stamp, updated_at=stamp
        ).to_wire()
        for name, value in organization_defaults(currency, locale)
    ]


async def create_organization(call: Call) -> Response:
    _own_account(call)
    body = await call.body(OrganizationCreate, "Organization")
    info = resolve_country_or_422(body.country, "Organization")
    currency = (body.currency_id or info.currency).upper()
    if currency not in {c.id for c in countries.all_currencies()}:
        raise invalid("Organization", "currencyId", f"is not a known ISO 4217 currency: {currency[:3]!r}")
    stamp = now()
    fields = body.model_dump(exclude={"country", "locale", "currency_id"})
    organization = Organization(
        id=object_id(),
        **fields,
        country=info.name,
        country_alpha2_code=info.alpha2,
        locale=body.locale or info.locale,
        timezone=info.timezone,
        active=True,
        activated_at=stamp,
        created_at=stamp,
        updated_at=stamp,
    )
    org = organization.to_wire(exclude={"defaults"})
    defaults = _seed_defaults(organization.id, currency, organization.locale or "en", stamp)
    taxes = _country_taxes(info, organization.id, stamp)
    membership = AccountOrganization(
        id=object_id(),
        account_id=call.account_id,
        organization_id=organization.id,
        role="admin",
        created_at=stamp,
        updated_at=stamp,
    ).to_wire()
    async with call.db.write() as conn:
        await conn.execute(tables.organizations.insert(), organization_row(org))
        # The membership first: on PostgreSQL, row security lets an account write only its organizations' books.
        await conn.execute(tables.account_organizations.insert(), membership_row(membership))
        await conn.execute(tables.defaults.insert(), [default_row(d) for d in defaults])
        if taxes:
            await conn.execute(tables.taxes.insert(), [tax_row(t) for t in taxes])
    return json_response({**org, "_defaults": defaults})


async def list_organizations(call: Call) -> Response:
    """``GET /accounts/{id}/organizations``, and ``GET /accounts/organizations`` for the caller (the JS SDK's
    ``accounts.listOrganizations``)."""
    if "id" in call.params:
        _own_account(call)
    flt = call.filter()
    async with call.db.read() as conn:
        body = await list_json(conn, ORGANIZATIONS, _member_scope(call.account_id), flt)
    return raw_json_response(body)


async def count_organizations(call: Call) -> Response:
    _own_account(call)
    where = call.where()
    async with call.db.read() as conn:
        count = await count_rows(conn, ORGANIZATIONS, _member_scope(call.account_id), where)
    return json_response(Count(count=count).to_wire())


def load_organization_tx(conn: sa.Connection, organization_id: str) -> dict[str, Any]:
    """The stored organization object (membership must be checked before)."""
    t = tables.organizations
    return loads(conn.execute(sa.select(t.c.data).where(t.c.id == organization_id)).scalar_one())


async def load_organization(conn: AsyncConnection, organization_id: str) -> dict[str, Any]:
    return await conn.run_sync(load_organization_tx, organization_id)


async def _defaults_of(conn: AsyncConnection, organization_id: str) -> list[dict[str, Any]]:
    d = tables.defaults
    query = sa.select(d.c.data).where(d.c.organization_id == organization_id).order_by(d.c.created_at, d.c.id)
    return [loads(text) for text in (await conn.execute(query)).scalars()]


async def get_organization(call: Call) -> Response:
    organization_id = call.params["id"]
    async with call.db.read() as conn:
        await require_org(conn, call.account_id, organization_id)
        org = await load_organization(conn, organization_id)
        org["_defaults"] = await _defaults_of(conn, organization_id)
    return json_response(org)


async def patch_organization(call: Call) -> Response:
    organization_id = call.params["id"]
    body = await call.body(OrganizationUpdate, "Organization")
    changes = body.model_dump(by_alias=True, exclude_unset=True)
    if "country" in changes and changes["country"] is not None:
        info = resolve_country_or_422(changes["country"], "Organization")
        changes["country"], changes["countryAlpha2Code"] = info.name, info.alpha2
    async with call.db.write() as conn:
        await require_org(conn, call.account_id, organization_id, "admin")
        org = await load_organization(conn, organization_id)
        before = org.get("timezone")
        if changes.get("locale"):
            country = changes.get("countryAlpha2Code") or org.get("countryAlpha2Code")
            changes["locale"] = _regional(changes["locale"], country)
        for key, value in changes.items():
            org[key] = ({} if key == "custom" else "") if value is None else value
        org["updatedAt"] = now()
        org = validate(Organization, org, "Organization").to_wire(
            exclude={"defaults"}
        )  # a null the model refuses: a 422
        row = organization_row(org)
        await conn.execute(sa.update(tables.organizations).where(tables.organizations.c.id == organization_id), row)
        if "timezone" in changes and org.get("timezone") != before:
            await conn.run_sync(relocate_documents, organization_id, org.get("timezone"))
        defaults = await _defaults_of(conn, organization_id)
        if changes.get("locale"):
            defaults = await _relocalize(conn, defaults, str(org["locale"]))
        org["_defaults"] = defaults
    return json_response(org)


def _regional(locale: str, country: str | None) -> str:
    """A bare language takes the organization's country as region when that pair exists (fr in Belgium: fr-BE),
    so numbers and dates read as they do there."""
    from babel import Locale, UnknownLocaleError

    tag = locale.replace("_", "-")
    if "-" in tag or not country:
        return tag
    try:
        Locale.parse(f"{tag}_{country}")
    except (UnknownLocaleError, ValueError):
        return tag
    return f"{tag}-{country}"


async def _relocalize(conn: AsyncConnection, defaults: list[dict[str, Any]], locale: str) -> list[dict[str, Any]]:
    """A new language rewrites the default notes still as seeded (notes the business wrote stay as written)."""
    rewritten = relocalized_defaults({d["name"]: d.get("value") for d in defaults}, locale)
    d = tables.defaults
    result = []
    for default in defaults:
        if default["name"] in rewritten:
            changed = {**default, "value": rewritten[default["name"]], "updatedAt": now()}
            default = Default.model_validate(changed).to_wire()
            await conn.execute(sa.update(d).where(d.c.id == default["id"]).values(**default_row(default)))
        result.append(default)
    return result


def _activation(active: bool) -> Handler:
    """``POST /organizations/{id}/activate`` and ``/deactivate`` (admins): a deactivated organization can be read,
    and nothing is written or issued in its name (``access.deactivated``); its recurring invoices wait."""

    async def handler(call: Call) -> Response:
        organization_id = call.params["id"]
        o = tables.organizations
        async with call.db.write() as conn:
            await require_org(conn, call.account_id, organization_id, "admin", even_inactive=True)
            org = await load_organization(conn, organization_id)
            if bool(org.get("active", True)) != active:
                stamp = now()
                org.update(active=active, updatedAt=stamp)
                org["activatedAt" if active else "deactivatedAt"] = stamp
                org = Organization.model_validate(org).to_wire(exclude={"defaults"})
                await conn.execute(sa.update(o).where(o.c.id == organization_id), organization_row(org))
        if active:
            call.services.wake_scheduler()  # its recurring invoices may have fallen due meanwhile
        return json_response(Success(success=True).to_wire())

    return handler


def _doc_type(call: Call) -> str:
    doc_type = call.query("type") or "invoice"
    if doc_type not in DOCUMENT_TYPES:
        raise invalid("Document", "type", f"must be one of {', '.join(DOCUMENT_TYPES)}")
    return doc_type


def _this_year(conn: sa.Connection, organization_id: str) -> int:
    """The year it is where the organization is (its number series run by it)."""
    o = tables.organizations
    org = loads(conn.execute(sa.select(o.c.data).where(o.c.id == organization_id)).scalar_one())
    return organization_today(org.get("timezone"), now()).year


async def next_doc_number(call: Call) -> Response:
    organization_id = call.params["id"]

    def peek(conn: sa.Connection) -> str:
        require_org_tx(conn, call.account_id, organization_id)
        return peek_number(conn, organization_id, _doc_type(call), _this_year(conn, organization_id))

    return json_response(NextDocNumber(number=await call.db.run_read(peek)).to_wire())


async def invite(call: Call) -> Response:
    organization_id = call.params["id"]
    body = await call.body(InviteRequest, "AccountOrganization")
    if not body.account_id and not body.email:
        raise invalid("AccountOrganization", "accountId", "give an accountId or an email")
    a = tables.accounts
    ao = tables.account_organizations
    async with call.db.write() as conn:
        await require_org(conn, call.account_id, organization_id, "admin")
        if body.account_id:
            query = sa.select(a.c.id).where(a.c.id == body.account_id)
        else:
            query = sa.select(a.c.id).where(a.c.email == (body.email or "").strip().lower())
        invitee = (await conn.execute(query)).scalar()
        if invitee is None:
            field = "accountId" if body.account_id else "email"
            raise invalid("AccountOrganization", field, "no account with this id or email; it must sign up first")
        key = sa.and_(ao.c.account_id == invitee, ao.c.organization_id == organization_id)
        existing = (await conn.execute(sa.select(ao.c.data).where(key))).scalar()
        stamp = now()
        if existing is not None:
            grant = loads(existing)
            if invitee == call.account_id and body.role != "admin":
                raise LocalAPIError(422, "An admin cannot lower their own role.", code="VALIDATION_ERROR")
            grant.update(role=body.role, updatedAt=stamp)
            grant = AccountOrganization.model_validate(grant).to_wire()
            await conn.execute(sa.update(ao).where(key), membership_row(grant))
        else:
            grant = AccountOrganization(
                id=object_id(),
                account_id=invitee,
                organization_id=organization_id,
                role=body.role,
                invitation_email=body.email,
                inviter_id=call.account_id,
                created_at=stamp,
                updated_at=stamp,
            ).to_wire()
            await conn.execute(ao.insert(), membership_row(grant))
    return json_response(grant)


async def list_access(call: Call) -> Response:
    organization_id = call.params["id"]
    ao = tables.account_organizations
    async with call.db.read() as conn:
        await require_org(conn, call.account_id, organization_id)
        query = sa.select(ao.c.data).where(ao.c.organization_id == organization_id).order_by(ao.c.created_at, ao.c.id)
        texts = list((await conn.execute(query)).scalars())
    return raw_json_response(("[" + ",".join(texts) + "]").encode())


async def last_doc_number(call: Call) -> Response:
    """The last number this year's series of a type gave (drafts have none; canceled documents keep theirs)."""
    organization_id = call.params["id"]

    def last(conn: sa.Connection) -> str | None:
        require_org_tx(conn, call.account_id, organization_id)
        doc_type, year, d = _doc_type(call), _this_year(conn, organization_id), tables.documents
        query = sa.select(sa.func.max(d.c.number)).where(
            d.c.organization_id == organization_id,
            d.c.type == doc_type,
            d.c.number.like(f"{year}-%"),
            d.c.is_deleted == sa.false(),
        )
        found = conn.execute(query).scalar()
        return str(found) if found is not None else None

    return json_response(LastDocNumber(number=await call.db.run_read(last)).to_wire())


async def is_unique_doc_number(call: Call) -> Response:
    """Whether no document of the type has this number (the same check a create with a ``number`` makes)."""
    organization_id = call.params["id"]

    def free(conn: sa.Connection) -> bool:
        require_org_tx(conn, call.account_id, organization_id)  # before the query is looked at: no 422 to strangers
        doc_type, number = _doc_type(call), (call.query("number") or "").strip()
        if not number or len(number) > 100:
            raise invalid("Document", "number", "give the number to look up as ?number=")
        return not number_taken(conn, organization_id, doc_type, number)

    return json_response(DocNumberUnique(unique=await call.db.run_read(free)).to_wire())


def routes() -> list[Route]:
    return [
        Route("POST", "/accounts/{id}/organizations", create_organization),
        Route("GET", "/accounts/{id}/organizations", list_organizations),
        Route("GET", "/accounts/organizations", list_organizations),
        Route("GET", "/accounts/{id}/organizations/count", count_organizations),
        Route("GET", "/organizations/{id}", get_organization),
        Route("PATCH", "/organizations/{id}", patch_organization),
        Route("PUT", "/organizations/{id}", patch_organization),  # [RZ]'s SDK updates by PUT: only what is sent
        Route("POST", "/organizations/{id}/activate", _activation(True)),
        Route("POST", "/organizations/{id}/deactivate", _activation(False)),
        Route("GET", "/organizations/{id}/next-doc-number", next_doc_number),
        Route("GET", "/organizations/{id}/last-doc-number", last_doc_number),
        Route("GET", "/organizations/{id}/is-unique-doc-number", is_unique_doc_number),
        Route("POST", "/organizations/{id}/invite", invite),
        Route("GET", "/organizations/{id}/accountorganizations", list_access),
    ]
