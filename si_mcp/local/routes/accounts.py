"""Accounts: sign up, log in and out, who am I."""

from __future__ import annotations

from datetime import UTC, timedelta

import sqlalchemy as sa
from starlette.responses import Response

from si_mcp.models import (
    AccessToken,
    Account,
    AccountCreate,
    AccountUpdate,
    ChangePasswordRequest,
    IsUnique,
    LoginRequest,
    Session,
    TokenRequest,
    wirejson,
)

from .. import tables
from ..auth import DEFAULT_TTL, hash_password, token_from_request, token_key, verify_password
from ..errors import LocalAPIError, invalid, unauthorized
from ..http import Call, Handler, Route, json_response, raw_json_response
from ..ids import new_token, object_id
from ..store import now, to_naive

__all__ = ["routes"]

# Compared against when the email is unknown, so a failed login takes as long either way.
_DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


def _login_failed() -> LocalAPIError:
    return LocalAPIError(401, "login failed", code="LOGIN_FAILED")


async def sign_up(call: Call) -> Response:
    body = await call.body(AccountCreate, "Account")
    email = body.email.lower()
    password_hash = await hash_password(body.password)
    stamp = now()
    account = Account(
        id=object_id(),
        email=body.email,
        firstname=body.firstname,
        lastname=body.lastname,
        label=body.label,
        tax_number=body.tax_number,
        custom=body.custom,
        created_at=stamp,
        updated_at=stamp,
    )
    t = tables.accounts
    async with call.db.write() as conn:
        taken = (await conn.execute(sa.select(t.c.id).where(t.c.email == email))).first()
        if taken is not None:
            # As telling as /accounts/is-unique, so counted by the same throttle (a 429 once it is spent).
            address = call.request.client.host if call.request.client else None
            call.services.email_lookups.hit(address, call.services.clock())
            raise invalid("Account", "email", "Email already exists", code="uniqueness")
        await conn.execute(
            t.insert().values(
                id=account.id,
                email=email,
                password_hash=password_hash,
                created_at=to_naive(stamp),
                updated_at=to_naive(stamp),
                data=wirejson.dumps(account.to_wire()),
            )
        )
    return json_response(account.to_wire())


async def login(call: Call) -> Response:
    body = await call.body(LoginRequest, "Account")
    email = body.email.strip().lower()
    address = call.request.client.host if call.request.client else None
    guard = call.services.logins
    async with guard.lock(email):  # one login of an account at a time: parallel guesses count one by one
        moment = call.services.clock()
        guard.check(email, address, moment)  # before the password is even hashed: a guess costs nothing but time
        t = tables.accounts
        async with call.db.read() as conn:
            query = sa.select(t.c.id, t.c.password_hash, t.c.data).where(t.c.email == email)
            row = (await conn.execute(query)).first()
        if not await verify_password(body.password, row.password_hash if row else _DUMMY_HASH) or row is None:
            guard.failed(email, address, moment)
            raise _login_failed()
        guard.succeeded(email, address)
    token = await _issue_token(call, row.id, body.ttl)
    result = token.to_wire(exclude_none=True)
    if call.query("include") == "user":
        result["user"] = wirejson.loads(row.data)
    return json_response(result)


async def logout(call: Call) -> Response:
    token = token_from_request(call.request)
    if token:
        async with call.db.write() as conn:
            await conn.execute(tables.access_tokens.delete().where(tables.access_tokens.c.id == token_key(token)))
        call.services.tokens.forget(token)
    return Response(status_code=204)


async def change_password(call: Call) -> Response:
    """``POST /accounts/change-password`` (v1): ``{oldPassword, newPassword}``, 204. The old password is checked like a
    login (a wrong one counts towards the same backoff); every other session of the account ends, this one stays."""
    body = await call.body(ChangePasswordRequest, "Account")
    address = call.request.client.host if call.request.client else None
    guard, t = call.services.logins, tables.accounts
    async with call.db.read() as conn:
        row = (await conn.execute(sa.select(t.c.email, t.c.password_hash).where(t.c.id == call.account_id))).first()
    if row is None:
        raise unauthorized()
    async with guard.lock(row.email):
        moment = call.services.clock()
        guard.check(row.email, address, moment)
        if not await verify_password(body.old_password, row.password_hash):
            guard.failed(row.email, address, moment)
            raise LocalAPIError(401, "The old password is not right.", code="INVALID_PASSWORD")
        guard.succeeded(row.email, address)
        new_hash = await hash_password(body.new_password)
        current = token_from_request(call.request) or ""
        a = tables.access_tokens
        async with call.db.write() as conn:
            await conn.execute(sa.update(t).where(t.c.id == call.account_id).values(password_hash=new_hash))
            ended = sa.select(a.c.id).where(a.c.account_id == call.account_id, a.c.id != token_key(current))
            gone = list((await conn.execute(ended)).scalars())
            await conn.execute(a.delete().where(a.c.id.in_(gone)))
    call.services.tokens.forget_all(call.account_id, keep=current)
    return Response(status_code=204)


async def is_unique(call: Call) -> Response:
    """``GET /accounts/is-unique?email=`` (public, as in v1): whether no account has this email. It tells a stranger
    who has an account, so it is throttled per client network (``Services.email_lookups``)."""
    email = (call.query("email") or "").strip().lower()
    if not email or len(email) > 320:
        raise invalid("Account", "email", "give the email to look up as ?email=")
    address = call.request.client.host if call.request.client else None
    call.services.email_lookups.hit(address, call.services.clock())
    t = tables.accounts
    async with call.db.read() as conn:
        taken = (await conn.execute(sa.select(t.c.id).where(t.c.email == email))).first()
    return json_response(IsUnique(is_unique=taken is None).to_wire())


def _declined(message: str) -> Handler:
    """A v1 route the embedded API does not offer, answered as such (a literal route, so the path never lands on
    ``/accounts/{id}`` with a misleading 401)."""

    async def handler(call: Call) -> Response:
        raise LocalAPIError(404, message, code="NOT_SUPPORTED")

    return handler


async def _account_json(call: Call, account_id: str) -> bytes:
    async with call.db.read() as conn:
        data = (
            await conn.execute(sa.select(tables.accounts.c.data).where(tables.accounts.c.id == account_id))
        ).scalar()
    if data is None:
        raise unauthorized()
    return str(data).encode()


async def authorized(call: Call) -> Response:
    return raw_json_response(await _account_json(call, call.account_id))


async def _issue_token(call: Call, account_id: str, ttl: int | None) -> AccessToken:
    """A new access token of ``account_id``; the books keep only its SHA-256."""
    token = AccessToken(id=new_token(), ttl=DEFAULT_TTL if ttl is None else ttl, user_id=account_id, created=now())
    async with call.db.write() as conn:
        await conn.execute(
            tables.access_tokens.insert().values(
                id=token_key(token.id), account_id=account_id, ttl=token.ttl, created=to_naive(token.created)
            )
        )
    return token


def _own(call: Call) -> None:
    """Account routes with an id answer for the caller's own account only."""
    if call.params["id"] != call.account_id:
        raise unauthorized()


async def get_account(call: Call) -> Response:
    _own(call)
    return raw_json_response(await _account_json(call, call.account_id))


async def patch_account(call: Call) -> Response:
    """``PATCH /accounts/{id}`` (one's own): names, label, tax number and ``custom``; null clears a text."""
    _own(call)
    changes = (await call.body(AccountUpdate, "Account")).model_dump(by_alias=True, exclude_unset=True)
    t = tables.accounts
    async with call.db.write() as conn:
        data = (await conn.execute(sa.select(t.c.data).where(t.c.id == call.account_id))).scalar()
        if data is None:
            raise unauthorized()
        account = wirejson.loads(data)
        for key, value in changes.items():
            account[key] = ({} if key == "custom" else "") if value is None else value
        stamp = now()
        account = Account.model_validate({**account, "updatedAt": stamp}).to_wire()
        await conn.execute(
            sa.update(t)
            .where(t.c.id == call.account_id)
            .values(updated_at=to_naive(stamp), data=wirejson.dumps(account))
        )
    return json_response(account)


async def list_tokens(call: Call) -> Response:
    """``GET /accounts/{id}/accessTokens`` (one's own): the account's live sessions, newest first."""
    _own(call)
    a = tables.access_tokens
    current = token_key(token_from_request(call.request) or "")
    async with call.db.read() as conn:
        rows = (
            await conn.execute(
                sa.select(a.c.id, a.c.ttl, a.c.created)
                .where(a.c.account_id == call.account_id)
                .order_by(a.c.created.desc())
            )
        ).all()
    moment = now()
    sessions = [
        Session(id=r.id, ttl=r.ttl, user_id=call.account_id, created=r.created, current=r.id == current).to_wire()
        for r in rows
        if r.ttl < 0 or (r.created.replace(tzinfo=UTC) + timedelta(seconds=r.ttl)) > moment
    ]
    return json_response(sessions)


async def create_token(call: Call) -> Response:
    """``POST /accounts/{id}/accessTokens`` (one's own): another session, e.g. for a script (``ttl`` seconds)."""
    _own(call)
    body = await call.body(TokenRequest, "AccessToken")
    return json_response((await _issue_token(call, call.account_id, body.ttl)).to_wire(exclude_none=True))


async def delete_token(call: Call) -> Response:
    """``DELETE /accounts/{id}/accessTokens/{token_id}`` (one's own): end a session by the id the list shows."""
    _own(call)
    a = tables.access_tokens
    key = call.params["token_id"]
    async with call.db.write() as conn:
        gone = await conn.execute(a.delete().where(a.c.id == key, a.c.account_id == call.account_id))
    if not gone.rowcount:
        raise LocalAPIError(404, "No session of this account has this id.", code="MODEL_NOT_FOUND")
    call.services.tokens.forget_key(key)
    return Response(status_code=204)


def routes() -> list[Route]:
    return [
        Route("POST", "/accounts", sign_up, auth=False),
        Route("POST", "/accounts/login", login, auth=False),
        Route("POST", "/accounts/logout", logout),
        Route("POST", "/accounts/change-password", change_password),
        Route("GET", "/accounts/authorized", authorized),
        Route("GET", "/accounts/is-unique", is_unique, auth=False),
        Route(
            "GET",
            "/accounts/count",
            _declined("Accounts are not counted here: an account sees only itself (GET /accounts/authorized)."),
        ),
        Route(
            "GET",
            "/accounts/confirm",
            _declined("Email confirmation is not used here: an account can log in as soon as it is created."),
            auth=False,
        ),
        Route("GET", "/accounts/{id}", get_account),
        Route("PATCH", "/accounts/{id}", patch_account),
        Route("GET", "/accounts/{id}/accessTokens", list_tokens),
        Route("POST", "/accounts/{id}/accessTokens", create_token),
        Route("DELETE", "/accounts/{id}/accessTokens/{token_id}", delete_token),
    ]
