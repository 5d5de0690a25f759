"""Accounts, tokens, routing and the app's lifecycle."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from si_mcp.local import create_app

pytestmark = pytest.mark.anyio


async def signup(api: httpx.AsyncClient, email: str = "ann@example.com", password: str = "s3cret-pass") -> str:
    response = await api.post("/accounts", json={"email": email, "password": password, "firstname": "Ann"})
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def login(api: httpx.AsyncClient, email: str = "ann@example.com", **extra: object) -> httpx.Response:
    return await api.post("/accounts/login", json={"email": email, "password": "s3cret-pass", **extra})


async def test_sign_up_returns_the_account_without_its_password(api: httpx.AsyncClient) -> None:
    response = await api.post("/accounts", json={"email": "ann@example.com", "password": "s3cret-pass"})
    assert response.status_code == 200
    account = response.json()
    assert account["email"] == "ann@example.com"
    assert len(account["id"]) == 24 and int(account["id"], 16) >= 0
    assert "password" not in account and "s3cret" not in response.text


@pytest.mark.sqlite_only
async def test_passwords_are_stored_as_salted_scrypt_hashes(api: httpx.AsyncClient, tmp_path: Path) -> None:
    await signup(api, "ann@example.com")
    await signup(api, "bob@example.com")
    with sqlite3.connect(tmp_path / "t.db") as db:
        hashes = [row[0] for row in db.execute("SELECT password_hash FROM accounts")]
        dump = "\n".join(db.iterdump())
    assert all(h.startswith("scrypt$") for h in hashes)
    assert hashes[0].split("$")[4] != hashes[1].split("$")[4]  # per-account salt
    assert "s3cret-pass" not in dump


async def test_an_email_can_sign_up_only_once_whatever_its_case(api: httpx.AsyncClient, expect_error) -> None:
    await signup(api, "ann@example.com")
    response = await api.post("/accounts", json={"email": "ANN@example.com", "password": "another-pass"})
    error = expect_error(response, 422)
    assert error["details"]["codes"] == {"email": ["uniqueness"]}


async def test_login_returns_a_64_character_token_with_the_default_ttl(api: httpx.AsyncClient) -> None:
    account_id = await signup(api)
    token = (await login(api)).json()
    assert len(token["id"]) == 64 and token["id"].isalnum()
    assert token["ttl"] == 60 * 24 * 3600
    assert token["userId"] == account_id


async def test_login_with_a_wrong_password_or_unknown_email_fails(api: httpx.AsyncClient, expect_error) -> None:
    await signup(api)
    wrong = await api.post("/accounts/login", json={"email": "ann@example.com", "password": "nope-nope"})
    unknown = await api.post("/accounts/login", json={"email": "zed@example.com", "password": "s3cret-pass"})
    expect_error(wrong, 401, "LOGIN_FAILED")
    expect_error(unknown, 401, "LOGIN_FAILED")


async def test_the_token_works_raw_with_a_bearer_prefix_or_as_a_query_parameter(api: httpx.AsyncClient) -> None:
    account_id = await signup(api)
    token = (await login(api)).json()["id"]
    for response in (
        await api.get("/accounts/authorized", headers={"Authorization": token}),
        await api.get("/accounts/authorized", headers={"Authorization": f"Bearer {token}"}),
        await api.get("/accounts/authorized", params={"access_token": token}),
    ):
        assert response.status_code == 200
        assert response.json()["id"] == account_id


async def test_login_can_include_the_user(api: httpx.AsyncClient) -> None:
    account_id = await signup(api)
    token = (await login(api, ttl=-1)).json()
    assert token["ttl"] == -1
    with_user = (
        await api.post("/accounts/login?include=user", json={"email": "ann@example.com", "password": "s3cret-pass"})
    ).json()
    assert with_user["user"]["id"] == account_id


async def test_requests_without_a_valid_token_are_refused(api: httpx.AsyncClient, expect_error) -> None:
    expect_error(await api.get("/accounts/authorized"), 401, "AUTHORIZATION_REQUIRED")
    expect_error(await api.get("/accounts/authorized", headers={"Authorization": "x" * 64}), 401)
    expect_error(await api.get("/accounts/authorized", headers={"Authorization": "x" * 5000}), 401)


async def test_an_expired_token_is_refused(api: httpx.AsyncClient, expect_error) -> None:
    await signup(api)
    token = (await login(api, ttl=0)).json()["id"]
    expect_error(await api.get("/accounts/authorized", headers={"Authorization": token}), 401)


async def test_logout_revokes_the_token_at_once(api: httpx.AsyncClient, expect_error) -> None:
    await signup(api)
    token = (await login(api)).json()["id"]
    headers = {"Authorization": token}
    assert (await api.get("/accounts/authorized", headers=headers)).status_code == 200  # now cached
    assert (await api.post("/accounts/logout", headers=headers)).status_code == 204
    expect_error(await api.get("/accounts/authorized", headers=headers), 401)


async def test_an_account_can_read_only_itself(api: httpx.AsyncClient, expect_error) -> None:
    ann = await signup(api, "ann@example.com")
    bob = await signup(api, "bob@example.com")
    headers = {"Authorization": (await login(api)).json()["id"]}
    assert (await api.get(f"/accounts/{ann}", headers=headers)).json()["firstname"] == "Ann"
    expect_error(await api.get(f"/accounts/{bob}", headers=headers), 401)


async def test_paths_match_case_insensitively_and_with_a_trailing_slash(api: httpx.AsyncClient) -> None:
    await signup(api)
    headers = {"Authorization": (await login(api)).json()["id"]}
    for path in ("/accounts/authorized", "/Accounts/Authorized", "/ACCOUNTS/authorized/"):
        assert (await api.get(path, headers=headers)).status_code == 200


async def test_unknown_routes_and_methods_answer_404_in_the_error_shape(api: httpx.AsyncClient, expect_error) -> None:
    expect_error(await api.get("/nothing/here"), 404, "ROUTE_NOT_FOUND")
    expect_error(await api.delete("/accounts/login"), 404, "ROUTE_NOT_FOUND")
    expect_error(await api.get("http://local/v2/accounts/authorized"), 404)


async def test_the_app_starts_on_the_first_request_and_can_restart_after_aclose(tmp_path: Path) -> None:
    app = create_app(database_url=f"sqlite+aiosqlite:///{tmp_path}/books.db", data_dir=tmp_path / "data")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://local/v1") as api:
        await signup(api)
        await app.aclose()
        assert (await login(api)).status_code == 200
    await app.aclose()
    assert (tmp_path / "books.db").exists() and (tmp_path / "data").is_dir()


async def test_a_token_with_ttl_minus_one_never_expires_while_a_timed_one_of_the_same_age_does(
    tmp_path: Path, expect_error
) -> None:
    app = create_app(database_url=f"sqlite+aiosqlite:///{tmp_path}/books.db", data_dir=tmp_path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://local/v1") as api:
        await signup(api)
        forever = (await login(api, ttl=-1)).json()
        timed = (await login(api, ttl=3600)).json()
        assert forever["ttl"] == -1
        await app.aclose()  # the token cache goes with the app: the next lookups read the table
        with sqlite3.connect(tmp_path / "books.db") as db:
            db.execute("UPDATE access_tokens SET created = '2015-01-01 00:00:00.000000'")
        assert (await api.get("/accounts/authorized", headers={"Authorization": forever["id"]})).status_code == 200
        expect_error(await api.get("/accounts/authorized", headers={"Authorization": timed["id"]}), 401)
    await app.aclose()


async def test_literal_account_routes_are_answered_as_themselves_not_as_an_account_id(tenant, expect_error) -> None:
    unknown = await tenant.api.get("/accounts/is-unique")  # no email: a 422 of its own, not the id route's 401

    expect_error(unknown, 422)
    expect_error(await tenant.api.get("/accounts/count"), 404, "NOT_SUPPORTED")
    expect_error(await tenant.api.get("/accounts/confirm", params={"uid": "x", "token": "y"}), 404, "NOT_SUPPORTED")
    assert (await tenant.api.get("/accounts/organizations")).json()[0]["id"] == tenant.org_id
