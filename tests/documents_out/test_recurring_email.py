"""Recurring invoices with autoSend: each occurrence is issued and emailed once, through the outbox, to a real
(aiosmtpd) server."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy
from typing import Any

import pytest

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2027, 1, 10, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_auto_send_emails_each_occurrence_once(open_shop: Any, smtp_server: Any) -> None:
    clock = Clock()
    shop = await open_shop(smtp_port=smtp_server.port, clock=clock)
    source = await shop.invoice(date="2027-01-10")
    made = await shop.api.post(
        f"/documents/{source['id']}/recurrence", json={"name": "Hosting", "autoSend": True, "numRecurrences": 2}
    )
    assert made.status_code == 200, made.text

    clock.now = datetime(2027, 3, 12, 9, tzinfo=UTC)  # both occurrences are due (one was missed)
    await shop.app.scheduler.run_due()
    await shop.app.scheduler.run_due()

    documents = (await shop.api.get(f"/organizations/{shop.org_id}/documents")).json()
    copies = sorted((d for d in documents if d["id"] != source["id"]), key=lambda d: d["number"])
    assert [d["number"] for d in copies] == ["2027-00002", "2027-00003"]
    assert all(d["sentTo"] == "rocket@example.com" for d in copies)
    received = [
        email.message_from_bytes(e.original_content, policy=policy.default) for e in smtp_server.received.envelopes
    ]
    assert len(received) == 2  # one per occurrence, never twice
    assert sorted(m["To"] for m in received) == ["rocket@example.com"] * 2
    attached = [part.get_filename() for m in received for part in m.iter_attachments()]
    assert sorted(attached) == ["2027-00002.pdf", "2027-00003.pdf"]
    recurrence = (await shop.api.get(f"/recurrences/{made.json()['id']}")).json()
    assert [d["sent"] for d in recurrence["_recurrenceDates"]] == [True, True]
    rows = await shop.outbox()
    assert sorted(r["status"] for r in rows) == ["sent", "sent"]


async def test_an_app_served_with_a_lifespan_issues_and_emails_a_due_occurrence_by_itself(
    open_shop: Any, smtp_server: Any, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    import anyio

    from si_mcp.local import create_app, scheduler

    clock = Clock()
    shop = await open_shop(smtp_port=smtp_server.port, clock=clock)
    source = await shop.invoice(date="2027-01-10")
    made = await shop.api.post(f"/documents/{source['id']}/recurrence", json={"name": "Hosting", "autoSend": True})
    assert made.status_code == 200, made.text
    clock.now = datetime(2027, 2, 10, 0, 30, tzinfo=UTC)  # the day began in Brussels: the occurrence is due
    issued = anyio.Event()
    original = scheduler.issue_next

    async def watched(*args: Any, **kwargs: Any) -> Any:
        one = await original(*args, **kwargs)
        if one is not None:
            issued.set()
        return one

    monkeypatch.setattr(scheduler, "issue_next", watched)
    served = create_app(
        database_url=database_url,
        data_dir=shop.data_dir,
        settings=shop.app.settings,
        clock=clock,
    )
    to_app, app_inbox = anyio.create_memory_object_stream[dict[str, Any]](4)
    app_outbox, from_app = anyio.create_memory_object_stream[dict[str, Any]](4)
    with to_app, app_inbox, app_outbox, from_app, anyio.fail_after(15):
        async with anyio.create_task_group() as group:
            group.start_soon(served, {"type": "lifespan"}, app_inbox.receive, app_outbox.send)
            await to_app.send({"type": "lifespan.startup"})
            assert (await from_app.receive())["type"] == "lifespan.startup.complete"
            await issued.wait()  # no request: the app's scheduler found it due
            await to_app.send({"type": "lifespan.shutdown"})
            assert (await from_app.receive())["type"] == "lifespan.shutdown.complete"
    [envelope] = smtp_server.received.envelopes
    assert "2027-00002.pdf" in envelope.original_content.decode()
