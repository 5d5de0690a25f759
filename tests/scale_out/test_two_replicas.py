"""The scale-out proof on loopback: one PostgreSQL, two ``si-mcp api`` processes and two ``si-mcp serve --http``
replicas sharing the confirmation secret, each replica in front of its own API process, no load balancer: callers
alternate between them. Concurrent creates get gapless numbers and one client, one confirmation pays once and emails
once whichever replicas act on it, two API processes starting at once issue each due recurring invoice once, and
nothing answers a 5xx. Runs on PostgreSQL only (``scripts/test-postgres``, part of ``.ci/run``)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from sqlalchemy.engine import make_url

from si_mcp.client import APIConnectionError, AuthenticationError, SpaceInvoices
from si_mcp.models import DocumentCreate, OrganizationCreate, RecurrenceCreate
from tests.conftest import postgres
from tests.documents_out.conftest import Received, SmtpServer, free_port

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not postgres(), reason="the scale-out proof needs PostgreSQL: run scripts/test-postgres"),
]

PASSWORD = "Rocket-launch-2024!"
SECRET = "replicas-share-this-secret-0123456789abcdef"
MCP_TOKEN = "static-bearer-for-the-replicas-0123456789"
CREATES = 16
TODAY = datetime.now(ZoneInfo("Europe/Brussels")).date().isoformat()  # the processes run on the real clock


@dataclass
class Process:
    popen: subprocess.Popen[bytes]
    log: Path
    url: str

    def text(self) -> str:
        return self.log.read_text(errors="replace")


def _env(**values: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SI_MCP_", "SPACEINVOICES_"))}
    return {**env, **values}


@contextmanager
def _running(tmp_path: Path, name: str, args: list[str], env: dict[str, str], url: str) -> Iterator[Process]:
    log = tmp_path / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(
            [sys.executable, "-m", "si_mcp", *args], env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    try:
        yield Process(popen, log, url)
    finally:
        popen.terminate()
        try:
            popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait(timeout=15)


def _api(tmp_path: Path, name: str, database_url: str, smtp: SmtpServer) -> Any:
    port = free_port()
    env = _env(
        SI_MCP_DATABASE_URL=database_url,
        SI_MCP_DATA_DIR=str(tmp_path / name),
        SI_MCP_SMTP_HOST="127.0.0.1",
        SI_MCP_SMTP_PORT=str(smtp.port),
        SI_MCP_SMTP_SECURITY="none",
        SI_MCP_SMTP_FROM="books@space-agency.example",
        SI_MCP_LOG_LEVEL="INFO",  # the access log: every status code is in it
    )
    args = ["api", "--host", "127.0.0.1", "--port", str(port)]
    return _running(tmp_path, name, args, env, f"http://127.0.0.1:{port}/v1")


def _replica(tmp_path: Path, name: str, api_url: str, token: str) -> Any:
    port = free_port()
    env = _env(
        SPACEINVOICES_ACCESS_TOKEN=token,
        SPACEINVOICES_API_URL=api_url,
        SI_MCP_CONFIRM_SECRET=SECRET,
        SI_MCP_HTTP_TOKEN=MCP_TOKEN,
        SI_MCP_DATA_DIR=str(tmp_path / name),
        SI_MCP_LOG_LEVEL="INFO",
    )
    args = ["serve", "--http", "--host", "127.0.0.1", "--port", str(port)]
    return _running(tmp_path, name, args, env, f"http://127.0.0.1:{port}/mcp")


async def _answering(api: SpaceInvoices, process: Process) -> None:
    with anyio.fail_after(60):
        while True:
            assert process.popen.poll() is None, process.text()
            try:
                await api.accounts.authorized()
            except AuthenticationError:
                return  # an answer, even a 401, means the server is up
            except APIConnectionError:
                await anyio.sleep(0.05)  # not listening yet


async def _listening(process: Process) -> None:
    port = int(process.url.rsplit(":", 1)[1].split("/")[0])
    with anyio.fail_after(60):
        while True:
            assert process.popen.poll() is None, process.text()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                await anyio.sleep(0.05)


@asynccontextmanager
async def _mcp(replica: Process) -> AsyncIterator[Client]:
    headers = {"authorization": f"Bearer {MCP_TOKEN}"}
    async with httpx2.AsyncClient(headers=headers, timeout=60) as http:
        # Legacy JSON HTTP has no elicitation: consent goes through confirmation tokens, as with most HTTP clients.
        async with Client(streamable_http_client(replica.url, http_client=http), mode="legacy") as client:
            yield client


def _structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    data: dict[str, Any] = result.structured_content
    return data


def _no_server_errors(*processes: Process) -> None:
    for process in processes:
        text = process.text()
        assert not re.search(r'HTTP/1\.1" 5\d\d', text), text
        assert "Traceback" not in text and "unexpected error" not in text, text


async def _all(calls: list[Any]) -> list[Any]:
    answers: list[Any] = [None] * len(calls)

    async def run(index: int) -> None:
        answers[index] = await calls[index]()

    async with anyio.create_task_group() as group:
        for index in range(len(calls)):
            group.start_soon(run, index)
    return answers


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port(), Received())
    server.start()
    yield server
    server.stop()


def _invoice(client_email: str, **extra: Any) -> DocumentCreate:
    return DocumentCreate.model_validate(
        {
            "date": TODAY,
            "_documentClient": {"name": "Rocket man", "country": "United Kingdom", "email": client_email},
            "_documentItems": [
                {"name": "Space suit", "quantity": 1, "price": 100, "_documentItemTaxes": [{"rate": 21}]}
            ],
            **extra,
        }
    )


async def _books(a: Process, b: Process) -> tuple[SpaceInvoices, SpaceInvoices]:
    rest_a = SpaceInvoices(base_url=a.url, max_retries=0, timeout=60)
    rest_b = SpaceInvoices(base_url=b.url, max_retries=0, timeout=60)
    await _answering(rest_a, a)
    await _answering(rest_b, b)
    return rest_a, rest_b


def _psql(database_url: str, sql: str) -> None:
    url = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True)


async def test_two_api_processes_and_two_mcp_replicas_on_one_postgresql_act_once(
    tmp_path: Path, database_url: str, smtp: SmtpServer
) -> None:
    processes: list[Process] = []
    with _api(tmp_path, "api-a", database_url, smtp) as a, _api(tmp_path, "api-b", database_url, smtp) as b:
        processes += [a, b]
        rest_a, rest_b = await _books(a, b)
        async with rest_a, rest_b:
            await rest_a.accounts.signup(email="ada@example.com", password=PASSWORD)
            token = (await rest_b.accounts.login(email="ada@example.com", password=PASSWORD)).id
            rest_a.set_access_token(token)
            rest_b.set_access_token(token)
            account = await rest_a.accounts.authorized()
            body = {"name": "International Space Agency", "country": "Belgium", "IBAN": "BE71096123456769"}
            org = await rest_b.organizations.create(account.id, body=OrganizationCreate.model_validate(body))

            # 1. Creates racing on both processes: a new series, a new client, six requests with one uniqueId.
            def create(i: int, **extra: Any) -> Any:
                api = rest_a if i % 2 else rest_b
                return lambda: api.documents.create(org.id, body=_invoice("new@rocket.example", **extra))

            calls = [create(i) for i in range(CREATES)] + [create(i, uniqueId="order-42") for i in range(6)]
            created = await _all(calls)
            replayed = {doc.id for doc in created[CREATES:]}
            numbers = sorted({doc.number for doc in created})
            assert len(replayed) == 1  # the keyed request made one document; the others answered it
            assert numbers == [f"{TODAY[:4]}-{n:05d}" for n in range(1, CREATES + 2)]  # gapless, none twice
            clients = await rest_a.clients.list(org.id)
            assert [c.email for c in clients] == ["new@rocket.example"]  # one client, not one per racing request

            with _replica(tmp_path, "mcp-1", a.url, token) as one, _replica(tmp_path, "mcp-2", b.url, token) as two:
                processes += [one, two]
                await _listening(one)
                await _listening(two)
                async with _mcp(one) as first, _mcp(two) as second:
                    # 2. One confirmation to pay what is due, acted on by both replicas at once: one payment.
                    number = created[0].number
                    asked = _structured(await first.call_tool("mark_paid", {"document": number}))
                    assert asked["status"] == "needs_confirmation", asked
                    args = {"document": number, "confirmation_token": asked["confirmation_token"]}
                    paid = await _all([lambda c=c: c.call_tool("mark_paid", args) for c in (first, second) * 2])
                    assert [answer.is_error for answer in paid] == [False] * 4, [a.content for a in paid]
                    assert [str(p.amount) for p in await rest_a.payments.list(created[0].id)] == ["121"]

                    # 3. One confirmation to send, acted on by both replicas at once: one email.
                    number = created[1].number
                    asked = _structured(await second.call_tool("send_invoice", {"document": number}))
                    assert asked["status"] == "needs_confirmation", asked
                    args = {"document": number, "confirmation_token": asked["confirmation_token"]}
                    sent = await _all([lambda c=c: c.call_tool("send_invoice", args) for c in (first, second) * 2])
                    assert [answer.is_error for answer in sent] == [False] * 4, [a.content for a in sent]
                    assert len(smtp.received.envelopes) == 1

            # 4. Set up (paused) a monthly invoice due today, emailed when issued.
            template = await rest_a.documents.create(org.id, body=_invoice("monthly@rocket.example"))
            plan = {"name": "Monthly", "type": "month", "dateFirst": TODAY, "autoSend": True, "paused": True}
            recurrence = await rest_a.recurrences.create(template.id, body=RecurrenceCreate.model_validate(plan))

    # Resumed while no process runs, then both start at once: each catches up on what is due, at the same time.
    _psql(database_url, f"SET si_mcp.account = '*'; UPDATE recurrences SET paused = false WHERE id = '{recurrence.id}'")
    with _api(tmp_path, "api-c", database_url, smtp) as c, _api(tmp_path, "api-d", database_url, smtp) as d:
        processes += [c, d]
        rest_c, rest_d = await _books(c, d)
        async with rest_c, rest_d:
            with anyio.fail_after(60):
                while not all("due recurrences issued in this pass" in p.text() for p in (c, d)):
                    await anyio.sleep(0.05)  # both first passes done
            rest_c.set_access_token(token)
            issued = (await rest_c.recurrences.get(recurrence.id)).recurrence_dates
            documents = await rest_c.documents.list(org.id)
    assert [(row.iteration, row.sent) for row in issued] == [(1, True)]
    assert len(documents) == CREATES + 1 + 2  # the template and its one copy
    assert len(smtp.received.envelopes) == 2  # the send above, and the copy's
    _no_server_errors(*processes)
