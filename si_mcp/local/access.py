"""Tenant isolation at the data layer.

Every read or write of an organization-owned row goes through these functions, which join the row to the
caller's membership (``account_organizations``). An organization the caller does not belong to answers
401 (LoopBack's answer for an ACL denial); an object id of another tenant answers 404, exactly as an id
that does not exist, so nothing leaks. Readonly members may read but never write (401). A deactivated
organization (``POST /organizations/{id}/deactivate``) can be read but not written to (403) until it is
activated again: its books stay open to its accountant, and nothing is issued in its name.
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from . import tables
from .errors import LocalAPIError, not_found, unauthorized

__all__ = ["Need", "deactivated", "load_owned", "load_owned_tx", "require_org", "require_org_tx"]

Need = Literal["read", "write", "admin"]

_ALLOWED: dict[str, frozenset[str]] = {
    "read": frozenset({"admin", "default", "readonly"}),
    "write": frozenset({"admin", "default"}),
    "admin": frozenset({"admin"}),
}


_AO = tables.account_organizations
_O = tables.organizations
# Built once: constructing Core expressions per request costs more than running them on SQLite.
_ROLE = (
    sa.select(_AO.c.role, _O.c.active)
    .join(_O, _O.c.id == _AO.c.organization_id)
    .where(_AO.c.account_id == sa.bindparam("b_account"), _AO.c.organization_id == sa.bindparam("b_org"))
)


def deactivated(organization_id: str) -> LocalAPIError:
    return LocalAPIError(
        403,
        f"The organization is deactivated: it can be read, but nothing can be changed or issued in its name until "
        f"an admin calls POST /organizations/{organization_id}/activate.",
        code="ORGANIZATION_DEACTIVATED",
    )


def require_org_tx(
    conn: sa.Connection, account_id: str, organization_id: str, need: Need = "read", *, even_inactive: bool = False
) -> str:
    """The caller's role in the organization, or a 401 when they have none or it is not enough (a 403 for a write
    to a deactivated organization, unless ``even_inactive``: activating it again)."""
    row = conn.execute(_ROLE, {"b_account": account_id, "b_org": organization_id}).first()
    if row is None or row.role not in _ALLOWED[need]:
        raise unauthorized()
    if need != "read" and not row.active and not even_inactive:
        raise deactivated(organization_id)
    return str(row.role)


def load_owned_tx(
    conn: sa.Connection,
    table: sa.Table,
    object_id: str,
    account_id: str,
    model: str,
    need: Need = "read",
    *,
    columns: tuple[str, ...] = ("data",),
    include_deleted: bool = False,
) -> sa.Row[Any]:
    """One row of ``table`` that belongs to an organization the caller may ``need``; 404 otherwise.

    The row comes with ``organization_id``, ``role`` and the requested ``columns``. A member whose
    role is too weak for ``need`` gets a 401: they may see the object, so a 404 would be a lie.
    """
    ao = tables.account_organizations
    query = (
        sa.select(table.c.organization_id, ao.c.role, _O.c.active, *(table.c[name] for name in columns))
        .join(ao, sa.and_(ao.c.organization_id == table.c.organization_id, ao.c.account_id == account_id))
        .join(_O, _O.c.id == table.c.organization_id)
        .where(table.c.id == object_id)
    )
    if not include_deleted and "is_deleted" in table.c:
        query = query.where(table.c.is_deleted == sa.false())
    row = conn.execute(query).first()
    if row is None:
        raise not_found(model, object_id)
    if row.role not in _ALLOWED[need]:
        raise unauthorized()
    if need != "read" and not row.active:
        raise deactivated(row.organization_id)
    return row


async def require_org(
    conn: AsyncConnection, account_id: str, organization_id: str, need: Need = "read", *, even_inactive: bool = False
) -> str:
    """:func:`require_org_tx` on an async connection."""
    return await conn.run_sync(
        lambda sync: require_org_tx(sync, account_id, organization_id, need, even_inactive=even_inactive)
    )


async def load_owned(
    conn: AsyncConnection,
    table: sa.Table,
    object_id: str,
    account_id: str,
    model: str,
    need: Need = "read",
    *,
    columns: tuple[str, ...] = ("data",),
    include_deleted: bool = False,
) -> sa.Row[Any]:
    """:func:`load_owned_tx` on an async connection."""

    def load(sync: sa.Connection) -> sa.Row[Any]:
        return load_owned_tx(
            sync, table, object_id, account_id, model, need, columns=columns, include_deleted=include_deleted
        )

    return await conn.run_sync(load)
