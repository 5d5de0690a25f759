"""Webhooks over REST, delivered to a real HTTP receiver on loopback: signed, once per event and webhook, retried
on v1's schedule with an injected clock, never to a private address unless allowed, with a delivery history."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from si_mcp.local import create_app
from si_mcp.local.app import LocalAPI
from si_mcp.settings import Settings
from tests.webhook_receiver import Receiver, receiver

from .conftest import PASSWORD, invoice_body

__all__ = ["receiver"]  # the fixture

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def _app(tmp_path: Path, database_url: str, clock: Clock, *, allow_private: bool) -> LocalAPI:
    settings = Settings(SI_MCP_DATA_DIR=tmp_path, SI_MCP_WEBHOOKS_ALLOW_PRIVATE=allow_private)
    return create_app(database_url=database_url, data_dir=tmp_path, settings=settings, clock=clock)


async def _books(app: LocalAPI) -> tuple[httpx.AsyncClient, str]:
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://local/v1")
    account = (await api.post("/accounts", json={"email": "ada@example.com", "password": PASSWORD})).json()
    login = await api.post("/accounts/login", json={"email": "ada@example.com", "password": PASSWORD})
    api.headers["Authorization"] = login.json()["id"]
    org = await api.post(f"/accounts/{account['id']}/organizations", json={"name": "ISA", "country": "Belgium"})
    return api, org.json()["id"]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def books(
    tmp_path: Path, database_url: str, clock: Clock
) -> AsyncIterator[tuple[LocalAPI, httpx.AsyncClient, str]]:
    app = _app(tmp_path, database_url, clock, allow_private=True)
    api, org = await _books(app)
    yield app, api, org
    await api.aclose()
    await app.aclose()


async def _hook(api: httpx.AsyncClient, org: str, url: str, events: list[str]) -> dict[str, Any]:
    response = await api.post(f"/organizations/{org}/webhooks", json={"url": url, "events": events})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def _deliveries(api: httpx.AsyncClient, hook: dict[str, Any]) -> list[dict[str, Any]]:
    return (await api.get(f"/webhooks/{hook['id']}/deliveries")).json()  # type: ignore[no-any-return]


async def test_a_new_invoice_and_its_payment_are_posted_signed_once_each(books: Any, receiver: Receiver) -> None:
    app, api, org = books
    hook = await _hook(api, org, receiver.url, ["document/create", "payment/*"])

    invoice = (await api.post(f"/organizations/{org}/documents", json=invoice_body(payments=[{"type": "bank"}]))).json()
    await app.services.webhooks.run_due()
    await app.services.webhooks.run_due()  # nothing is posted twice

    assert sorted(receiver.events()) == ["document/create", "payment/create"]
    for headers, body in receiver.received:
        expected = hmac.new(hook["secret"].encode(), f"{headers['si-mcp-timestamp']}.".encode() + body, hashlib.sha256)
        assert headers["si-mcp-signature"] == f"sha256={expected.hexdigest()}"
        event = json.loads(body)
        assert set(event) == {"event", "organizationId", "data", "modelName", "uid"}
        assert event["organizationId"] == org and headers["si-mcp-delivery"] == event["uid"]
    document_event = next(json.loads(b) for _, b in receiver.received if json.loads(b)["event"] == "document/create")
    assert document_event["data"]["id"] == invoice["id"] and document_event["modelName"] == "Document"
    history = await _deliveries(api, hook)
    assert [d["status"] for d in history] == ["delivered", "delivered"]
    listed = (await api.get(f"/organizations/{org}/webhooks")).json()
    assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]


async def test_a_failed_delivery_is_retried_after_two_minutes_with_the_same_uid(
    books: Any, receiver: Receiver, clock: Clock
) -> None:
    app, api, org = books
    hook = await _hook(api, org, receiver.url, ["client/*"])
    receiver.statuses = [500]

    await api.post(f"/organizations/{org}/clients", json={"name": "Rocket man"})
    await app.services.webhooks.run_due()
    failed = await _deliveries(api, hook)
    await app.services.webhooks.run_due()  # not due yet
    clock.now += timedelta(minutes=2)
    await app.services.webhooks.run_due()
    done = await _deliveries(api, hook)

    assert [(d["status"], d["attempts"], d["lastStatusCode"]) for d in failed] == [("failed", 1, 500)]
    assert [(d["status"], d["attempts"], d["lastStatusCode"]) for d in done] == [("delivered", 2, 200)]
    uids = {json.loads(body)["uid"] for _, body in receiver.received}
    assert len(receiver.received) == 2 and len(uids) == 1


async def test_after_the_last_retry_a_delivery_is_dead(books: Any, receiver: Receiver, clock: Clock) -> None:
    app, api, org = books
    hook = await _hook(api, org, receiver.url, ["*"])
    receiver.statuses = [503, 503, 503, 503]

    await api.post(f"/organizations/{org}/clients", json={"name": "Rocket man"})
    for minutes in (0, 2, 4, 8):
        clock.now += timedelta(minutes=minutes)
        await app.services.webhooks.run_due()
    clock.now += timedelta(hours=1)
    await app.services.webhooks.run_due()

    assert [(d["status"], d["attempts"]) for d in await _deliveries(api, hook)] == [("dead", 4)]
    assert len(receiver.received) == 4


async def test_only_the_events_a_webhook_asked_for_reach_it_and_a_deleted_one_gets_nothing(
    books: Any, receiver: Receiver
) -> None:
    app, api, org = books
    hook = await _hook(api, org, receiver.url, ["document/delete"])
    await api.post(f"/organizations/{org}/clients", json={"name": "Rocket man"})
    draft = (await api.post(f"/organizations/{org}/documents", json=invoice_body(draft=True))).json()
    await api.delete(f"/documents/{draft['id']}")
    await app.services.webhooks.run_due()
    await api.delete(f"/webhooks/{hook['id']}")
    await api.post(f"/organizations/{org}/clients", json={"name": "Another"})
    await app.services.webhooks.run_due()

    assert receiver.events() == ["document/delete"]


async def test_a_webhook_never_reaches_a_private_address_unless_allowed(
    tmp_path: Path, database_url: str, clock: Clock, receiver: Receiver
) -> None:
    app = _app(tmp_path, database_url, clock, allow_private=False)
    api, org = await _books(app)
    try:
        hook = await _hook(api, org, receiver.url, ["*"])
        ftp = await api.post(f"/organizations/{org}/webhooks", json={"url": "ftp://example.com/x", "events": ["*"]})
        await api.post(f"/organizations/{org}/clients", json={"name": "Rocket man"})
        await app.services.webhooks.run_due()
        history = await _deliveries(api, hook)
    finally:
        await api.aclose()
        await app.aclose()

    assert ftp.status_code == 422
    assert receiver.received == []
    assert history[0]["status"] == "failed" and "private or reserved address" in history[0]["lastError"]


async def test_a_url_with_an_impossible_port_is_refused_when_the_webhook_is_made(books: Any) -> None:
    _, api, org = books

    for url in (
        "http://example.com:99999/x",
        "http://example.com:0/x",
        "http://example.com:abc/x",
        "http://u:p@example.com/x",
    ):
        response = await api.post(f"/organizations/{org}/webhooks", json={"url": url, "events": ["*"]})
        assert response.status_code == 422, url


@pytest.mark.parametrize(
    "host",
    [
        "[64:ff9b::a00:1]",
        "[64:ff9b:1:7f00:0:100:808:808]",
        "[2002:a00:1::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:0:7f00:1]",
        "[::a00:1]",
        "[fd00::1]",
        "169.254.169.254",
    ],
)
async def test_an_address_that_reaches_a_private_network_through_ipv6_is_refused(
    tmp_path: Path, database_url: str, clock: Clock, host: str
) -> None:
    app = _app(tmp_path, database_url, clock, allow_private=False)
    api, org = await _books(app)
    try:
        hook = await _hook(api, org, f"http://{host}:8080/x", ["*"])
        await api.post(f"/organizations/{org}/clients", json={"name": "Rocket man"})
        await app.services.webhooks.run_due()
        [delivery] = await _deliveries(api, hook)
    finally:
        await api.aclose()
        await app.aclose()

    assert delivery["status"] == "failed" and "private or reserved address" in delivery["lastError"]


async def test_only_admins_see_change_or_delete_webhooks(books: Any, receiver: Receiver) -> None:
    _, api, org = books
    hook = await _hook(api, org, receiver.url, ["*"])
    await api.post("/accounts", json={"email": "grace@example.com", "password": PASSWORD})
    grace = (await api.post("/accounts/login", json={"email": "grace@example.com", "password": PASSWORD})).json()
    await api.post(f"/organizations/{org}/invite", json={"accountId": grace["userId"], "role": "default"})
    headers = {"Authorization": grace["id"]}

    answers = [
        await api.get(f"/organizations/{org}/webhooks", headers=headers),
        await api.get(f"/webhooks/{hook['id']}", headers=headers),
        await api.get(f"/webhooks/{hook['id']}/deliveries", headers=headers),
        await api.delete(f"/webhooks/{hook['id']}", headers=headers),
    ]

    assert [answer.status_code for answer in answers] == [401, 401, 401, 401]
    assert [h["id"] for h in (await api.get(f"/organizations/{org}/webhooks")).json()] == [hook["id"]]
