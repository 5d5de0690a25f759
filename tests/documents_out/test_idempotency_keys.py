"""Sends and reminders under an Idempotency-Key (embedded API extension): the same request again answers the first
one and emails nothing more, also when two processes on the same books race with it."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest

from si_mcp.local import create_app

pytestmark = pytest.mark.anyio

OVERDUE = {"date": "2026-10-01", "dateDue": "2026-10-15"}


async def test_a_send_repeated_with_its_key_emails_once_and_answers_the_same(open_shop: Any, smtp_server: Any) -> None:
    shop = await open_shop(smtp_port=smtp_server.port)
    invoice = await shop.invoice()
    url, key = f"/documents/{invoice['id']}/send", {"Idempotency-Key": "confirmation-1a2b"}

    first = await shop.api.post(url, json={"resend": True}, headers=key)
    again = await shop.api.post(url, json={"resend": True}, headers=key)
    other = await shop.api.post(url, json={"resend": True, "subject": "Other"}, headers=key)
    unkeyed = await shop.api.post(url, json={"resend": True})
    bad = await shop.api.post(url, json={"resend": True}, headers={"Idempotency-Key": "has space"})

    assert first.status_code == again.status_code == 200, again.text
    assert first.json()["messageId"] == again.json()["messageId"]
    assert first.json()["status"] == again.json()["status"] == "sent"  # what the first one finally answered
    assert other.status_code == 422 and other.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert bad.status_code == 400
    assert unkeyed.status_code == 200  # without a key a resend is a new email
    assert len(smtp_server.received.envelopes) == 2


async def test_a_reminder_repeated_with_its_key_is_sent_and_counted_once(open_shop: Any, smtp_server: Any) -> None:
    shop = await open_shop(smtp_port=smtp_server.port)
    invoice = await shop.invoice(**OVERDUE)
    url, key = f"/documents/{invoice['id']}/send-reminder", {"Idempotency-Key": "remind-7"}

    answers = [await shop.api.post(url, json={}, headers=key) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert {a.json()["reminders"] for a in answers} == {1}
    assert len(smtp_server.received.envelopes) == 1
    assert (await shop.api.get(f"/documents/{invoice['id']}")).json()["reminders"] == 1


async def test_two_processes_racing_with_one_key_email_once(
    open_shop: Any, smtp_server: Any, database_url: str
) -> None:
    shop = await open_shop(smtp_port=smtp_server.port)
    invoice = await shop.invoice()
    other = create_app(database_url=database_url, data_dir=shop.data_dir, settings=shop.app.settings)
    token = shop.api.headers["Authorization"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=other), base_url="http://local/v1", headers={"Authorization": token}
    ) as second:
        answers: list[Any] = []

        async def send(api: httpx.AsyncClient) -> None:
            answers.append(
                await api.post(
                    f"/documents/{invoice['id']}/send", json={"resend": True}, headers={"Idempotency-Key": "once"}
                )
            )

        async with anyio.create_task_group() as group:
            for api in (shop.api, second, shop.api, second):
                group.start_soon(send, api)
        # On PostgreSQL either process's retry loop may be the one delivering it (rows are claimed, not waited for):
        # the email may still be on its way when the answers are in.
        with anyio.fail_after(15):
            while [row["status"] for row in await shop.outbox()] != ["sent"]:
                await anyio.sleep(0.02)
    await other.aclose()

    assert [a.status_code for a in answers] == [200] * 4
    assert len({a.json()["messageId"] for a in answers}) == 1
    assert len(smtp_server.received.envelopes) == 1


async def test_a_cancel_repeated_with_its_key_after_an_uncancel_changes_nothing(open_shop: Any) -> None:
    shop = await open_shop()
    invoice, other = await shop.invoice(), await shop.invoice()
    url, key = f"/documents/{invoice['id']}/cancel", {"Idempotency-Key": "cancel-confirmation-1"}

    first = await shop.api.post(url, headers=key)
    undone = await shop.api.post(f"/documents/{invoice['id']}/uncancel")
    replayed = await shop.api.post(url, headers=key)  # the same confirmation, acted on late by another replica
    elsewhere = await shop.api.post(f"/documents/{other['id']}/cancel", headers=key)
    unkeyed = await shop.api.post(f"/documents/{other['id']}/cancel")

    assert first.status_code == undone.status_code == replayed.status_code == 200, replayed.text
    assert replayed.json() == {"success": True}
    assert (await shop.api.get(f"/documents/{invoice['id']}")).json()["canceled"] is False  # the uncancel stands
    assert elsewhere.status_code == 422 and elsewhere.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert unkeyed.status_code == 200
    assert (await shop.api.get(f"/documents/{other['id']}")).json()["canceled"] is True


async def test_a_refused_cancel_does_not_spend_its_key(open_shop: Any) -> None:
    shop = await open_shop()
    invoice = await shop.invoice()
    paid = await shop.api.post(f"/documents/{invoice['id']}/payments", json={"amount": 1, "type": "bank"})
    assert paid.status_code == 200, paid.text
    url, key = f"/documents/{invoice['id']}/cancel", {"Idempotency-Key": "cancel-2"}

    refused = await shop.api.post(url, headers=key)
    await shop.api.delete(f"/payments/{paid.json()['id']}")
    accepted = await shop.api.post(url, headers=key)

    assert refused.status_code == 422 and accepted.status_code == 200, accepted.text
    assert (await shop.api.get(f"/documents/{invoice['id']}")).json()["canceled"] is True


async def test_a_lookup_by_key_answers_what_was_sent_under_it_and_sends_nothing(
    open_shop: Any, smtp_server: Any
) -> None:
    shop = await open_shop(smtp_port=smtp_server.port)
    invoice, other = await shop.invoice(), await shop.invoice()
    actions = f"/documents/{invoice['id']}/actions"

    before = await shop.api.get(actions, params={"key": "confirmation-9"})
    sent = await shop.api.post(
        f"/documents/{invoice['id']}/send", json={"subject": "Yours"}, headers={"Idempotency-Key": "confirmation-9"}
    )
    after = await shop.api.get(actions, params={"key": "confirmation-9"})
    elsewhere = await shop.api.get(f"/documents/{other['id']}/actions", params={"key": "confirmation-9"})
    keyless = await shop.api.get(actions)

    assert before.status_code == 200 and before.json() == {"action": None, "answer": None}
    assert sent.status_code == 200 and after.status_code == 200, after.text
    assert after.json() == {"action": "send", "answer": sent.json()}
    assert elsewhere.json() == {"action": None, "answer": None}  # a key names what was done to one document
    assert keyless.status_code == 400
    assert len(smtp_server.received.envelopes) == 1
