"""Payment reminders: a localized email with the amount due and the PDF, through the outbox, counted on the
document and shown by the aging report and find_documents."""

from __future__ import annotations

import email
from email import policy
from typing import Any

import pytest

pytestmark = pytest.mark.anyio

OVERDUE = {"date": "2026-10-01", "dateDue": "2026-10-15"}


def messages(smtp_server: Any) -> list[Any]:
    return [email.message_from_bytes(e.original_content, policy=policy.default) for e in smtp_server.received.envelopes]


async def test_a_reminder_emails_what_is_due_with_the_pdf_and_is_counted(open_shop: Any, smtp_server: Any) -> None:
    shop = await open_shop(smtp_port=smtp_server.port)
    invoice = await shop.invoice(
        **OVERDUE, locale="en", payments=[{"type": "bank", "amount": 21, "date": "2026-10-05"}]
    )
    first = await shop.api.post(f"/documents/{invoice['id']}/send-reminder", json={})
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "sent" and first.json()["reminders"] == 1
    second = (await shop.api.post(f"/documents/{invoice['id']}/send-reminder", json={})).json()
    assert second["reminders"] == 2

    [one, _two] = messages(smtp_server)
    assert one["To"] == "rocket@example.com"
    assert str(one["Subject"]).strip() == "Reminder: Invoice 2026-00001 from International Space Agency is overdue"
    body = one.get_body(preferencelist=("plain",)).get_content()
    assert "a balance of 12.079,00\xa0€ is still open" in body  # 12,100.00 minus the 21.00 paid, as en-BE writes it
    assert "invoice 2026-00001 of 01 Oct 2026 was due on 15 Oct 2026" in body
    assert [part.get_filename() for part in one.iter_attachments()] == ["2026-00001.pdf"]
    stored = (await shop.api.get(f"/documents/{invoice['id']}")).json()
    assert stored["reminders"] == 2 and stored["remindedAt"]
    assert stored.get("sentAt") is None  # a reminder is not the document's own email
    sent = await shop.api.post(f"/documents/{invoice['id']}/send", json={})
    assert sent.status_code == 200 and sent.json()["status"] == "sent"  # not refused as "already sent"
    assert sorted(row["kind"] for row in await shop.outbox()) == ["document", "reminder", "reminder"]


async def test_a_reminder_speaks_the_documents_language(open_shop: Any, smtp_server: Any) -> None:
    shop = await open_shop(smtp_port=smtp_server.port)
    invoice = await shop.invoice(**OVERDUE, locale="fr")
    answer = await shop.api.post(f"/documents/{invoice['id']}/send-reminder", json={})
    assert answer.status_code == 200, answer.text
    [message] = messages(smtp_server)
    assert str(message["Subject"]).strip().startswith("Rappel : Facture 2026-00001")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Selon nos données, la facture 2026-00001 du 1 oct. 2026 était payable le 15 oct. 2026" in body
    assert "un solde de 12\u202f100,00\xa0€ reste impayé" in body


async def test_only_an_issued_overdue_invoice_with_something_due_is_reminded(open_shop: Any, smtp_server: Any) -> None:
    shop = await open_shop(smtp_port=smtp_server.port)
    paid = await shop.invoice(**OVERDUE, payments=[{"type": "bank"}])
    not_yet = await shop.invoice(date="2026-11-01", dateDue="2099-01-01")
    draft = await shop.invoice(draft=True)
    estimate = await shop.invoice(type="estimate", date="2026-10-01")
    expected = {paid["id"]: "NOTHING_DUE", not_yet["id"]: "NOT_OVERDUE", draft["id"]: "DRAFT_NOT_SENDABLE"}
    expected[estimate["id"]] = "NOT_REMINDABLE"
    for document_id, code in expected.items():
        answer = await shop.api.post(f"/documents/{document_id}/send-reminder", json={})
        assert answer.status_code == 422 and answer.json()["error"]["code"] == code, answer.text
    assert smtp_server.received.envelopes == []
    assert await shop.outbox() == []


async def test_the_aging_report_shows_who_was_reminded(open_shop: Any, smtp_server: Any) -> None:
    shop = await open_shop(smtp_port=smtp_server.port)
    invoice = await shop.invoice(**OVERDUE)
    await shop.api.post(f"/documents/{invoice['id']}/send-reminder", json={})
    aging = (await shop.api.get(f"/organizations/{shop.org_id}/reports/aging", params={"date": "2026-12-01"})).json()
    [row] = aging["currencies"][0]["clients"]
    assert row["reminders"] == 1 and row["lastRemindedAt"]
    assert aging["currencies"][0]["total"]["reminders"] == 1


async def test_a_reminder_that_could_not_be_delivered_is_not_counted_and_not_sent_once_paid(
    open_shop: Any, smtp_port_down: Any
) -> None:
    shop = await open_shop(smtp_port=smtp_port_down.port)
    invoice = await shop.invoice(**OVERDUE)
    for _ in range(3):  # the mail server is down: each reminder replaces the one still waiting
        failed = (await shop.api.post(f"/documents/{invoice['id']}/send-reminder", json={})).json()
        assert failed["status"] == "failed" and failed["reminders"] == 0
    assert sorted(row["status"] for row in await shop.outbox()) == ["failed", "superseded", "superseded"]
    paid = await shop.api.post(f"/documents/{invoice['id']}/payments", json={"type": "bank", "date": "2026-11-01"})
    assert paid.status_code == 200, paid.text
    smtp_port_down.start()
    from datetime import UTC, datetime, timedelta

    await shop.out.deliver(now=datetime.now(UTC) + timedelta(days=1))
    assert smtp_port_down.received.envelopes == []  # paid meanwhile: the waiting reminder is dropped
    assert sorted(row["status"] for row in await shop.outbox()) == ["superseded"] * 3
    assert (await shop.api.get(f"/documents/{invoice['id']}")).json().get("reminders", 0) == 0


@pytest.mark.sqlite_only
async def test_books_taken_back_before_reminders_and_upgraded_again_keep_their_counts(
    open_shop: Any, smtp_server: Any, tmp_path: Any
) -> None:
    import sqlalchemy as sa

    from tests.local.test_migrations import downgrade

    shop = await open_shop(smtp_port=smtp_server.port)
    invoice = await shop.invoice(**OVERDUE)
    for _ in range(2):
        await shop.api.post(f"/documents/{invoice['id']}/send-reminder", json={})
    await shop.app.aclose()
    downgrade(tmp_path / "t.db", "0007")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 't.db'}")
    with engine.connect() as conn:
        assert "reminder_count" not in {c["name"] for c in sa.inspect(conn).get_columns("documents")}
    engine.dispose()
    aging = (await shop.api.get(f"/organizations/{shop.org_id}/reports/aging", params={"date": "2026-12-01"})).json()
    assert aging["currencies"][0]["clients"][0]["reminders"] == 2  # upgraded again on the next request
