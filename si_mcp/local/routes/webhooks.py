"""Webhooks (v1): CRUD of an organization's webhooks, and their delivery history (an embedded API extension). The
signing secret is answered once, when the webhook is made (or ``rotateSecret`` makes a new one); it is never listed.
Delivery is :mod:`si_mcp.local.webhooks`."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.responses import Response

from si_mcp.models import Webhook, WebhookCreate, WebhookDelivery, WebhookUpdate

from .. import tables
from ..access import load_owned, require_org
from ..errors import invalid
from ..http import Call, Route, json_response
from ..ids import object_id
from ..resources import WEBHOOKS, webhook_row
from ..store import loads, now
from ..webhooks import new_secret, url_problem
from ._crud import count_handler, delete_handler, get_handler, list_handler

__all__ = ["routes"]

_MODEL = "Webhook"
MAX_WEBHOOKS = 10
_W, _D = tables.webhooks, tables.webhook_deliveries


def _check_url(url: str) -> None:
    problem = url_problem(url)
    if problem is not None:
        raise invalid(_MODEL, "url", problem)


async def create_webhook(call: Call) -> Response:
    organization_id = call.params["id"]
    body = await call.body(WebhookCreate, _MODEL)
    _check_url(body.url)
    stamp = now()
    secret = new_secret()
    hook = Webhook(
        id=object_id(),
        organization_id=organization_id,
        url=body.url,
        events=body.events,
        enabled=body.enabled,
        created_at=stamp,
        updated_at=stamp,
    ).to_wire(exclude_none=True)
    hook["_isDeleted"] = False
    async with call.db.write() as conn:
        await require_org(conn, call.account_id, organization_id, "admin")
        live = sa.select(sa.func.count()).where(_W.c.organization_id == organization_id, _W.c.is_deleted == sa.false())
        if (await conn.execute(live)).scalar_one() >= MAX_WEBHOOKS:
            raise invalid(_MODEL, "url", f"an organization has at most {MAX_WEBHOOKS} webhooks; delete one first")
        await conn.execute(_W.insert(), {**webhook_row(hook), "signing_key": secret})
    if call.services.webhooks is not None:
        call.services.webhooks.known = True
    return json_response({**hook, "secret": secret})


async def update_webhook(call: Call) -> Response:
    body = await call.body(WebhookUpdate, _MODEL)
    changes = body.model_dump(by_alias=True, exclude_unset=True, exclude={"rotate_secret"})
    if any(value is None for value in changes.values()):
        raise invalid(_MODEL, next(k for k, v in changes.items() if v is None), "cannot be null")
    if "url" in changes:
        _check_url(changes["url"])
    async with call.db.write() as conn:
        row = await load_owned(conn, _W, call.params["id"], call.account_id, _MODEL, "admin")
        hook = {**loads(row.data), **changes, "updatedAt": now()}
        hook = {**Webhook.model_validate(hook).to_wire(exclude_none=True), "_isDeleted": False}
        values = webhook_row(hook)
        secret = new_secret() if body.rotate_secret else None
        if secret is not None:
            values["signing_key"] = secret
        await conn.execute(sa.update(_W).where(_W.c.id == hook["id"]).values(**values))
    return json_response(hook if secret is None else {**hook, "secret": secret})


async def list_deliveries(call: Call) -> Response:
    """``GET /webhooks/{id}/deliveries`` (extension): the webhook's last 100 deliveries, newest first, with what each
    attempt got back."""
    async with call.db.read() as conn:
        await load_owned(conn, _W, call.params["id"], call.account_id, _MODEL, "admin")
        query = (
            sa.select(_D)
            .where(_D.c.webhook_id == call.params["id"])
            .order_by(_D.c.created_at.desc(), _D.c.id.desc())
            .limit(100)
        )
        rows = (await conn.execute(query)).all()
    answer = [
        WebhookDelivery(
            id=r.id,
            webhook_id=r.webhook_id,
            uid=r.uid,
            event=r.event,
            status=r.status,
            attempts=r.attempts,
            last_status_code=r.last_status_code,
            last_error=r.last_error,
            next_attempt_at=r.next_attempt_at if r.status in ("queued", "failed") else None,
            created_at=r.created_at,
            delivered_at=r.delivered_at,
            data=loads(r.body).get("data"),
        ).to_wire()
        for r in rows
    ]
    return json_response(answer)


def routes() -> list[Route]:
    return [
        Route("POST", "/organizations/{id}/webhooks", create_webhook),
        Route("GET", "/organizations/{id}/webhooks", list_handler(WEBHOOKS, "admin")),
        Route("GET", "/organizations/{id}/webhooks/count", count_handler(WEBHOOKS, "admin")),
        Route("GET", "/webhooks/{id}", get_handler(WEBHOOKS, "admin")),
        Route("PATCH", "/webhooks/{id}", update_webhook),
        Route("PUT", "/webhooks/{id}", update_webhook),
        Route("DELETE", "/webhooks/{id}", delete_handler(WEBHOOKS, webhook_row, need="admin")),
        Route("GET", "/webhooks/{id}/deliveries", list_deliveries),
    ]
