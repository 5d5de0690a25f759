"""Crash proof: ``si-mcp api`` is killed (SIGKILL) in the middle of concurrent creates that email what they create,
and started again on the same SQLite books. The file is intact, numbers stay gapless, every document whose create was
acknowledged is there, and every email the books queued reaches the (real, aiosmtpd) mail server, once per message:
a message cut off mid-send is sent again with the same Message-ID, so a receiver drops the copy."""

from __future__ import annotations

import email
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from email import policy
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import httpx
import pytest
from anyio.streams.text import TextReceiveStream

from .conftest import SmtpServer, free_port

pytestmark = [pytest.mark.anyio, pytest.mark.sqlite_only]

PASSWORD = "Rocket-launch-2024!"
CREATES = 40
KILL_AFTER = 12  # acknowledged creates before the kill


class Inbox:
    """The SMTP server's handler: the Message-IDs it got, and an event once it has all of those it waits for."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.expected: set[str] | None = None
        self.complete = threading.Event()
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            self.ids.append(str(message["Message-ID"]))
            self._check()
        return "250 OK"

    def expect(self, ids: set[str]) -> None:
        with self._lock:
            self.expected = ids
            self._check()

    def _check(self) -> None:
        if self.expected is not None and self.expected <= set(self.ids):
            self.complete.set()


async def _start(data_dir: Path, port: int, smtp_port: int) -> Any:
    env = {
        **os.environ,
        "SI_MCP_DATA_DIR": str(data_dir),
        "SI_MCP_LOG_LEVEL": "INFO",
        "SI_MCP_SMTP_HOST": "127.0.0.1",
        "SI_MCP_SMTP_PORT": str(smtp_port),
        "SI_MCP_SMTP_SECURITY": "none",
        "SI_MCP_EMAILS_PER_MINUTE": "0",
    }
    env.pop("SPACEINVOICES_ACCESS_TOKEN", None)
    command = [sys.executable, "-m", "si_mcp", "api", "--host", "127.0.0.1", "--port", str(port)]
    process = await anyio.open_process(command, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert process.stderr is not None
    log = ""
    with anyio.fail_after(30):  # until uvicorn listens: no fixed sleeps
        async for chunk in TextReceiveStream(process.stderr):
            log += chunk
            if "Uvicorn running on" in log or process.returncode is not None:
                break
    assert "Uvicorn running on" in log, log
    return process


def _invoice(n: int) -> dict[str, Any]:
    return {
        "_documentClient": {"name": f"Client {n}", "country": "Belgium", "email": f"client{n}@example.com"},
        "_documentItems": [{"name": f"Work {n}", "price": 100 + n, "_documentItemTaxes": [{"rate": 21}]}],
        "send": True,
    }


async def test_books_killed_in_the_middle_of_traffic_keep_what_was_acknowledged_and_send_every_email(
    tmp_path: Path,
) -> None:
    inbox = Inbox()
    smtp = SmtpServer(free_port(), inbox)  # type: ignore[arg-type]
    smtp.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}/v1"
    acknowledged: list[dict[str, Any]] = []
    enough = anyio.Event()
    process = await _start(tmp_path, port, smtp.port)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as api:
            account = (await api.post("/accounts", json={"email": "crash@example.com", "password": PASSWORD})).json()
            login = {"email": "crash@example.com", "password": PASSWORD}
            api.headers["Authorization"] = (await api.post("/accounts/login", json=login)).json()["id"]
            org = (
                await api.post(
                    f"/accounts/{account['id']}/organizations",
                    json={"name": "Crash Test", "country": "Belgium", "email": "billing@crash.example"},
                )
            ).json()

            async def create(n: int) -> None:
                try:
                    answer = await api.post(f"/organizations/{org['id']}/documents", json=_invoice(n))
                except httpx.TransportError:
                    return  # cut off by the kill: not acknowledged, so nothing is promised
                if answer.status_code == 200:
                    acknowledged.append(answer.json())
                    if len(acknowledged) >= KILL_AFTER:
                        enough.set()

            async def kill() -> None:
                await enough.wait()
                os.kill(process.pid, signal.SIGKILL)

            with anyio.fail_after(60):
                async with anyio.create_task_group() as group:
                    group.start_soon(kill)
                    for n in range(CREATES):
                        group.start_soon(create, n)
        await process.wait()
        assert process.returncode == -signal.SIGKILL

        books = tmp_path / "books.db"
        with sqlite3.connect(books) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            numbers = sorted(row[0] for row in db.execute("SELECT number FROM documents WHERE number IS NOT NULL"))
            stored = {row[0] for row in db.execute("SELECT id FROM documents")}
            queued = {row[0]: row[1] for row in db.execute("SELECT message_id, status FROM outbox")}
            # Ten minutes later, as far as the books know: a claim of the dead process has expired.
            db.execute("UPDATE outbox SET next_attempt_at = '2000-01-01 00:00:00' WHERE status = 'sending'")
        in_flight = sum(1 for status in queued.values() if status == "sending")
        inbox.expect(set(queued))

        process = await _start(tmp_path, port, smtp.port)  # it delivers what is due as it starts
        delivered = await anyio.to_thread.run_sync(inbox.complete.wait, 60)
    finally:
        if process.returncode is None:
            process.terminate()
            with anyio.fail_after(15):
                await process.wait()
        smtp.stop()

    assert len(acknowledged) >= KILL_AFTER
    assert {d["id"] for d in acknowledged} <= stored  # nothing acknowledged was lost
    assert numbers == [f"2026-{n:05d}" for n in range(1, len(numbers) + 1)]  # gapless, whatever was cut off
    assert len(queued) == len(stored)  # one email per document, each queued with its document
    assert delivered, f"not delivered: {set(queued) - set(inbox.ids)}"
    assert set(inbox.ids) == set(queued)
    # Once per message; a message the kill cut off mid-send may come twice, with the same Message-ID.
    assert len(inbox.ids) - len(set(inbox.ids)) <= in_flight
