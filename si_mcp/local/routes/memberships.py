"""Access grants (v1 ``/accountorganizations/{id}``): an admin changes a member's role or removes them, and a member
may leave. An organization always keeps an admin: the last one can neither leave, be removed nor be demoted."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.responses import Response

from si_mcp.models import AccountOrganization, ChangeRoleRequest, Success

from .. import tables
from ..access import require_org
from ..errors import LocalAPIError, not_found
from ..http import Call, Route, json_response
from ..resources import membership_row
from ..store import loads, now

__all__ = ["routes"]

_AO = tables.account_organizations
_MODEL = "AccountOrganization"


async def _grant(conn: AsyncConnection, call: Call, *, own_allowed: bool) -> dict[str, Any]:
    """The route's grant, if the caller is an admin of its organization (or, when ``own_allowed``, it is theirs)."""
    text = (await conn.execute(sa.select(_AO.c.data).where(_AO.c.id == call.params["id"]))).scalar()
    if text is None:
        raise not_found(_MODEL, call.params["id"])
    grant = loads(text)
    if not (own_allowed and grant["accountId"] == call.account_id):
        await require_org(conn, call.account_id, grant["organizationId"], "admin", even_inactive=True)
    return grant


async def _keeps_an_admin(conn: AsyncConnection, grant: dict[str, Any]) -> None:
    if grant["role"] != "admin":
        return
    query = sa.select(sa.func.count()).where(
        _AO.c.organization_id == grant["organizationId"], _AO.c.role == "admin", _AO.c.id != grant["id"]
    )
    if not (await conn.execute(query)).scalar():
        raise LocalAPIError(
            422,
            "This is the organization's last admin: make another member an admin first.",
            code="LAST_ADMIN",
            name="ValidationError",
        )


async def change_role(call: Call) -> Response:
    body = await call.body(ChangeRoleRequest, _MODEL)
    async with call.db.write() as conn:
        grant = await _grant(conn, call, own_allowed=False)
        if body.role != "admin":
            await _keeps_an_admin(conn, grant)
        grant.update(role=body.role, updatedAt=now())
        grant = AccountOrganization.model_validate(grant).to_wire()
        await conn.execute(sa.update(_AO).where(_AO.c.id == grant["id"]).values(**membership_row(grant)))
    return json_response(Success(success=True).to_wire())


async def remove(call: Call) -> Response:
    async with call.db.write() as conn:
        grant = await _grant(conn, call, own_allowed=True)
        await _keeps_an_admin(conn, grant)
        await conn.execute(_AO.delete().where(_AO.c.id == grant["id"]))
    return json_response(Success(success=True).to_wire())


def routes() -> list[Route]:
    return [
        Route("POST", "/accountorganizations/{id}/change-role", change_role),
        Route("DELETE", "/accountorganizations/{id}", remove),
    ]
