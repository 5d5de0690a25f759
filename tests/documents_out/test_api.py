"""Documents out through the local API: PDF download, sending, the outbox, retries, resend, .eml fallback."""

from __future__ import annotations

import email
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import anyio
import httpx
import pypdf
import pytest

from si_mcp.local import create_app
from si_mcp.local.db import Database
from tests.conftest import as_everyone, postgres

FAR_FUTURE = datetime.now(UTC) + timedelta(days=1)


@asynccontextmanager
async def restarted(shop: Any, database_url: str) -> AsyncIterator[Any]:
    """A second app on the same books, as after a restart; the test drives its outbox (its timer is stopped)."""
    app = create_app(database_url=database_url, data_dir=shop.data_dir, settings=shop.app.settings)
    try:
        services = await app.start()
        await services.documents_out.aclose()
        with anyio.fail_after(15):
            yield services.documents_out
    finally:
        await app.aclose()


@pytest.fixture
def delivered(monkeypatch: pytest.MonkeyPatch) -> anyio.Event:
    """Set once any outbox run of any app has sent an email."""
    from si_mcp.local.mail.service import DocumentsOut

    event = anyio.Event()
    original = DocumentsOut.deliver

    async def watched(self: DocumentsOut, ids: Any = (), *, now: datetime | None = None) -> Any:
        reports = await original(self, ids, now=now)
        if any(r.status == "sent" for r in reports):
            event.set()
        return reports

    monkeypatch.setattr(DocumentsOut, "deliver", watched)
    return event


async def _sent_then_left_sending(shop: Any, *, claimed_until: datetime) -> None:
    """Send an invoice, then mark its outbox row ``sending`` with a claim until ``claimed_until``."""
    import sqlalchemy as sa

    from si_mcp.local import tables

    invoice = await shop.invoice()
    with anyio.fail_after(15):
        await shop.api.post(f"/documents/{invoice['id']}/send", json={})
    async with as_everyone(shop.app.services.db.write()) as conn:
        await conn.execute(sa.update(tables.outbox).values(status="sending", next_attempt_at=claimed_until))


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert {"statusCode", "name", "message", "code"} <= set(error)
    assert (error["statusCode"], error["code"]) == (status, code)
    return error


@pytest.mark.anyio
async def test_pdf_endpoint_serves_the_seed_invoice_in_the_organization_language(open_shop: Any) -> None:
    shop = await open_shop()
    invoice = await shop.invoice(payments=[{"type": "card"}])

    response = await shop.api.get(f"/documents/{invoice['id']}/pdf")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'inline; filename="{invoice["number"]}.pdf"'
    text = _text(response.content)
    for expected in (invoice["number"], "Factuur", "Rocket man", "€\xa010.000,00", "€\xa012.100,00", "BTW 21%"):
        assert expected in text
    german = await shop.api.get(f"/documents/{invoice['id']}/pdf", params={"l": "de"})
    assert "Rechnung" in _text(german.content)


@pytest.mark.anyio
async def test_pdf_endpoint_refuses_an_unknown_language_and_other_tenants(open_shop: Any) -> None:
    shop, other = await open_shop(), await open_shop()
    invoice = await shop.invoice()

    _error(await shop.api.get(f"/documents/{invoice['id']}/pdf", params={"l": "xx"}), 422, "UNSUPPORTED_LANGUAGE")
    _error(await other.api.get(f"/documents/{invoice['id']}/pdf"), 404, "MODEL_NOT_FOUND")


@pytest.mark.anyio
async def test_character_without_a_font_is_a_422_naming_it(open_shop: Any) -> None:
    shop = await open_shop()
    invoice = await shop.invoice(_documentClient={"name": "東京 Trading", "email": "tokyo@example.com"})

    error = _error(await shop.api.get(f"/documents/{invoice['id']}/pdf"), 422, "PDF_MISSING_GLYPH")

    assert error["details"] == {"characters": ["東", "京"]}
    assert "SI_MCP_FONT_DIRS" in error["message"]


@pytest.mark.anyio
async def test_second_download_of_an_unchanged_document_is_not_rendered_again(open_shop: Any) -> None:
    shop = await open_shop()
    invoice = await shop.invoice()
    url = f"/documents/{invoice['id']}/pdf"

    first = await shop.api.get(url)
    second = await shop.api.get(url)
    assert first.content == second.content
    assert shop.out.renderer.stats.renders == 1

    assert (await shop.api.post(f"/documents/{invoice['id']}/cancel")).status_code == 200
    canceled = await shop.api.get(url)
    assert shop.out.renderer.stats.renders == 2
    assert "GEANNULEERD" in _text(canceled.content)


@pytest.mark.anyio
async def test_send_delivers_exactly_one_message_with_the_right_envelope_subject_and_pdf(
    open_shop: Any, smtp_server: Any
) -> None:
    shop = await open_shop(smtp_port=smtp_server.port)
    invoice = await shop.invoice()

    with anyio.fail_after(15):
        response = await shop.api.post(
            f"/documents/{invoice['id']}/send", params={"l": "en"}, json={"recipients": "ap@client.example.com"}
        )

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["success"] is True and answer["status"] == "sent"
    [envelope] = smtp_server.received.envelopes
    assert envelope.mail_from == "billing@isa.example.com"
    assert envelope.rcpt_tos == ["ap@client.example.com"]
    message = _parse(envelope.content)
    assert message["Subject"] == f"Invoice {invoice['number']} from International Space Agency"
    assert message["Message-ID"] == answer["messageId"]
    assert message["Reply-To"].addresses[0].addr_spec == "billing@isa.example.com"
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == f"{invoice['number']}.pdf"
    pdf = (await shop.api.get(f"/documents/{invoice['id']}/pdf", params={"l": "en"})).content
    assert attachment.get_content() == pdf
    stored = (await shop.api.get(f"/documents/{invoice['id']}")).json()
    assert stored["sentTo"] == "ap@client.example.com"
    assert stored["sentAt"]
    [row] = await shop.outbox()
    assert (row["status"], row["attempts"], row["last_error"], row["message_id"]) == (
        "sent",
        1,
        None,
        answer["messageId"],
    )


@pytest.mark.anyio
async def test_sending_a_sent_document_again_needs_resend(open_shop: Any, smtp_server: Any) -> None:
    shop = await open_shop(smtp_port=smtp_server.port)
    invoice = await shop.invoice()
    url = f"/documents/{invoice['id']}/send"

    with anyio.fail_after(15):
        assert (await shop.api.post(url, json={})).json()["status"] == "sent"
        refused = await shop.api.post(url, json={})
        again = await shop.api.post(url, json={"resend": True})

    error = _error(refused, 422, "ALREADY_SENT")
    assert "rocket@example.com" in error["message"] and '"resend": true' in error["message"]
    assert again.status_code == 200 and again.json()["status"] == "sent"
    assert len(smtp_server.received.envelopes) == 2
    assert len(await shop.outbox()) == 2


@pytest.mark.anyio
async def test_smtp_outage_leaves_a_failed_row_and_a_retry_delivers_exactly_once(
    open_shop: Any, smtp_port_down: Any
) -> None:
    shop = await open_shop(smtp_port=smtp_port_down.port)
    invoice = await shop.invoice()

    with anyio.fail_after(15):
        response = await shop.api.post(f"/documents/{invoice['id']}/send", json={})

    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    assert f"127.0.0.1:{smtp_port_down.port}" in response.json()["error"]
    [row] = await shop.outbox()
    assert (row["status"], row["attempts"]) == ("failed", 1)
    assert f"127.0.0.1:{smtp_port_down.port}" in row["last_error"]
    assert (await shop.out.deliver(now=datetime.now(UTC))) == []  # not due yet: the first retry waits a minute

    smtp_port_down.start()
    with anyio.fail_after(15):
        async with anyio.create_task_group() as runs:  # two runs at once still send it once
            runs.start_soon(lambda: shop.out.deliver(now=FAR_FUTURE))
            runs.start_soon(lambda: shop.out.deliver(now=FAR_FUTURE))
        assert await shop.out.deliver(now=FAR_FUTURE) == []

    assert len(smtp_port_down.received.envelopes) == 1
    [row] = await shop.outbox()
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 2, None)


@pytest.mark.anyio
async def test_a_resend_after_a_failed_send_replaces_it_and_the_client_gets_exactly_one_email(
    open_shop: Any, smtp_port_down: Any
) -> None:
    shop = await open_shop(smtp_port=smtp_port_down.port)
    invoice = await shop.invoice()
    url = f"/documents/{invoice['id']}/send"

    with anyio.fail_after(15):
        assert (await shop.api.post(url, json={})).json()["status"] == "failed"
        smtp_port_down.start()
        again = await shop.api.post(url, json={"resend": True, "subject": "Corrected"})
        assert await shop.out.deliver(now=FAR_FUTURE) == []  # the failed first message is never retried

    assert again.json()["status"] == "sent"
    assert len(smtp_port_down.received.envelopes) == 1
    assert [row["status"] for row in await shop.outbox()] == ["superseded", "sent"]


@pytest.mark.anyio
async def test_a_resend_while_another_process_is_handing_the_email_over_is_refused(
    open_shop: Any, smtp_server: Any
) -> None:
    shop = await open_shop(smtp_port=smtp_server.port)
    await _sent_then_left_sending(shop, claimed_until=datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=5))
    [row] = await shop.outbox()

    refused = await shop.api.post(f"/documents/{row['document_id']}/send", json={"resend": True})

    assert "right now" in _error(refused, 422, "ALREADY_SENT")["message"]
    assert [r["status"] for r in await shop.outbox()] == ["sending"]


@pytest.mark.anyio
async def test_a_canceled_document_cannot_be_sent(open_shop: Any) -> None:
    shop = await open_shop()
    invoice = await shop.invoice()
    await shop.api.post(f"/documents/{invoice['id']}/cancel")

    _error(await shop.api.post(f"/documents/{invoice['id']}/send", json={}), 422, "CANCELED_NOT_SENDABLE")
    assert await shop.outbox() == []


@pytest.mark.anyio
async def test_queued_email_survives_a_crash_before_delivery_and_is_sent_after_restart(
    open_shop: Any, smtp_server: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> None:
    from si_mcp.local.mail.service import DocumentsOut

    shop = await open_shop(smtp_port=smtp_server.port)
    invoice = await shop.invoice()

    async def crash(self: DocumentsOut, queued: Any) -> None:  # the process dies right after the commit
        return None

    with monkeypatch.context() as patch:
        patch.setattr(DocumentsOut, "after_commit", crash)
        response = await shop.api.post(f"/documents/{invoice['id']}/send", json={})
    assert response.json()["status"] == "queued"
    assert smtp_server.received.envelopes == []

    async with restarted(shop, database_url) as out:
        reports = await out.deliver(now=datetime.now(UTC))
        await out.deliver(now=FAR_FUTURE)

    assert [r.status for r in reports] == ["sent"]
    assert len(smtp_server.received.envelopes) == 1


@pytest.mark.anyio
async def test_email_interrupted_mid_send_is_queued_again_when_the_app_starts(
    open_shop: Any, smtp_server: Any, tmp_path: Path, database_url: str
) -> None:
    shop = await open_shop(smtp_port=smtp_server.port)
    # As if the process died during SMTP, long enough ago that its claim on the row has run out.
    await _sent_then_left_sending(shop, claimed_until=datetime(2000, 1, 1))

    async with restarted(shop, database_url) as out:
        await out.deliver(now=FAR_FUTURE)

    [row] = await shop.outbox()
    assert (row["status"], row["attempts"]) == ("sent", 2)
    assert len(smtp_server.received.envelopes) == 2  # at-least-once: the same Message-ID twice
    ids = {_parse(e.content)["Message-ID"] for e in smtp_server.received.envelopes}
    assert len(ids) == 1


@pytest.mark.anyio
async def test_email_another_live_process_is_sending_is_not_taken_over_by_a_restart(
    open_shop: Any, smtp_server: Any, tmp_path: Path, database_url: str
) -> None:
    shop = await open_shop(smtp_port=smtp_server.port)
    # Another process claimed it a moment ago and is still sending.
    await _sent_then_left_sending(shop, claimed_until=datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=5))

    async with restarted(shop, database_url) as out:
        assert await out.deliver(now=FAR_FUTURE) == []

    [row] = await shop.outbox()
    assert (row["status"], row["attempts"]) == ("sending", 1)
    assert len(smtp_server.received.envelopes) == 1


@pytest.mark.anyio
async def test_create_with_send_true_emails_the_client_in_the_same_request(open_shop: Any, smtp_server: Any) -> None:
    shop = await open_shop(smtp_port=smtp_server.port)

    with anyio.fail_after(15):
        plain = await shop.invoice(send=True)
        custom = await shop.invoice(send={"message": "Custom text for [document number]"})

    assert plain["sentTo"] == "rocket@example.com" and plain["sentAt"]
    first, second = (_parse(e.content) for e in smtp_server.received.envelopes)
    assert first["To"] == "rocket@example.com"
    assert first["Subject"] == f"Factuur {plain['number']} van International Space Agency"
    body = second.get_body(("plain",))
    assert body is not None and body.get_content().strip() == f"Custom text for {custom['number']}"
    assert [row["status"] for row in await shop.outbox()] == ["sent", "sent"]


@pytest.mark.anyio
async def test_create_with_send_for_a_client_without_email_is_422_and_stores_nothing(open_shop: Any) -> None:
    shop = await open_shop()
    body = {
        "_documentClient": {"name": "No Mail Ltd", "country": "Belgium"},
        "_documentItems": [{"name": "Thing", "price": 10}],
        "send": True,
    }

    response = await shop.api.post(f"/organizations/{shop.org_id}/documents", json=body)

    error = _error(response, 422, "MAIL_INVALID")
    assert "no email address" in error["message"]
    count = await shop.api.get(f"/organizations/{shop.org_id}/documents/count")
    assert count.json() == {"count": 0}
    assert await shop.outbox() == []
    next_number = await shop.api.get(f"/organizations/{shop.org_id}/next-doc-number")
    assert next_number.status_code == 200 and next_number.json()["number"].endswith("-00001")


@pytest.mark.anyio
async def test_without_smtp_the_email_is_written_as_an_eml_file_and_the_answer_says_where(open_shop: Any) -> None:
    shop = await open_shop()
    invoice = await shop.invoice()

    response = await shop.api.post(f"/documents/{invoice['id']}/send", json={"message": "See attached."})

    answer = response.json()
    assert answer["status"] == "saved"  # not "sent": nobody received it
    again = await shop.api.post(f"/documents/{invoice['id']}/send", json={})
    assert "was already saved as an .eml file" in _error(again, 422, "ALREADY_SENT")["message"]
    [written] = (shop.data_dir / "outbox").glob("*.eml")
    assert str(written) in answer["detail"]
    message = _parse(written.read_bytes())
    assert message["Message-ID"] == answer["messageId"]
    assert next(message.iter_attachments()).get_content().startswith(b"%PDF-")


@pytest.mark.anyio
@pytest.mark.parametrize(
    "body",
    [
        {"subject": "Hello\r\nBcc: evil@example.com"},
        {"subject": "Hello\nX-Evil: yes"},
        {"recipients": "a@example.com\r\nBcc: evil@example.com"},
        {"recipients": "Evil <evil@example.com>"},
        {"recipients": "not an address"},
    ],
)
async def test_header_injection_and_bad_recipients_are_refused_before_anything_is_queued(
    open_shop: Any, body: dict[str, Any]
) -> None:
    shop = await open_shop()
    invoice = await shop.invoice()

    response = await shop.api.post(f"/documents/{invoice['id']}/send", json=body)

    assert response.status_code == 422, response.text
    assert await shop.outbox() == []
    assert "sentAt" not in (await shop.api.get(f"/documents/{invoice['id']}")).json()


@pytest.mark.anyio
async def test_draft_cannot_be_sent(open_shop: Any) -> None:
    shop = await open_shop()
    draft = await shop.invoice(draft=True)

    _error(await shop.api.post(f"/documents/{draft['id']}/send", json={}), 422, "DRAFT_NOT_SENDABLE")


@pytest.mark.anyio
async def test_python_client_downloads_pdf_bytes_and_sends(tmp_path: Path, smtp_server: Any) -> None:
    from si_mcp.client import SpaceInvoices
    from si_mcp.models import DocumentCreate, OrganizationCreate, SendRequest
    from si_mcp.settings import Settings

    settings = Settings(
        SI_MCP_DATA_DIR=tmp_path,
        SI_MCP_SMTP_HOST="127.0.0.1",
        SI_MCP_SMTP_PORT=smtp_server.port,
        SI_MCP_SMTP_SECURITY="none",
    )
    async with SpaceInvoices.local(
        f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", data_dir=tmp_path, settings=settings
    ) as api:
        account = await api.accounts.signup(email="ada@example.com", password="Rocket-launch-2024!")
        api.set_access_token((await api.accounts.login(email="ada@example.com", password="Rocket-launch-2024!")).id)
        org = await api.organizations.create(
            account.id, body=OrganizationCreate(name="ISA", country="Belgium", email="billing@isa.example.com")
        )
        document = await api.documents.create(
            org.id,
            body=DocumentCreate.model_validate(
                {
                    "_documentClient": {"name": "Rocket man", "email": "rocket@example.com"},
                    "_documentItems": [{"name": "Suit", "price": 5}],
                }
            ),
        )
        pdf = await api.documents.pdf(document.id, language="en")
        with anyio.fail_after(15):
            await api.documents.send(document.id, body=SendRequest(subject="Your invoice"))
        sent = await api.documents.get(document.id)

    assert "Invoice" in _text(pdf)
    assert sent.sent_to == "rocket@example.com" and sent.sent_at is not None
    [envelope] = smtp_server.received.envelopes
    assert _parse(envelope.content)["Subject"] == "Your invoice"


@pytest.mark.anyio
async def test_app_served_with_a_lifespan_retries_failed_emails_in_the_background(
    open_shop: Any,
    smtp_port_down: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    delivered: anyio.Event,
    database_url: str,
) -> None:
    from si_mcp.local.mail import store
    from si_mcp.local.mail.service import DocumentsOut

    shop = await open_shop(smtp_port=smtp_port_down.port)
    invoice = await shop.invoice()
    monkeypatch.setattr(store, "BACKOFF_BASE", timedelta(0))  # a failed email is due again at once
    with monkeypatch.context() as patch, anyio.fail_after(15):
        patch.setattr(DocumentsOut, "_schedule_retries", lambda self: None)  # the served app below retries it
        assert (await shop.api.post(f"/documents/{invoice['id']}/send", json={})).json()["status"] == "failed"
    smtp_port_down.start()
    served = create_app(database_url=database_url, data_dir=shop.data_dir, settings=shop.app.settings)
    to_app, app_inbox = anyio.create_memory_object_stream[dict[str, Any]](4)
    app_outbox, from_app = anyio.create_memory_object_stream[dict[str, Any]](4)

    async def send(message: Any) -> None:
        await app_outbox.send(message)

    with to_app, app_inbox, app_outbox, from_app, anyio.fail_after(15):
        async with anyio.create_task_group() as group:
            group.start_soon(served, {"type": "lifespan"}, app_inbox.receive, send)
            await to_app.send({"type": "lifespan.startup"})
            assert (await from_app.receive())["type"] == "lifespan.startup.complete"
            await delivered.wait()
            await to_app.send({"type": "lifespan.shutdown"})
            assert (await from_app.receive())["type"] == "lifespan.shutdown.complete"

    assert len(smtp_port_down.received.envelopes) == 1
    [row] = await shop.outbox()
    assert row["status"] == "sent"


@pytest.mark.anyio
async def test_without_a_lifespan_a_failed_email_is_retried_when_due(
    open_shop: Any, smtp_port_down: Any, monkeypatch: pytest.MonkeyPatch, delivered: anyio.Event
) -> None:
    """Inside the MCP server the API runs behind httpx.ASGITransport, which sends no lifespan events."""
    from si_mcp.local.mail import store

    monkeypatch.setattr(store, "BACKOFF_BASE", timedelta(seconds=2))  # the first retry is due within 2 s
    shop = await open_shop(smtp_port=smtp_port_down.port)
    invoice = await shop.invoice()
    with anyio.fail_after(15):
        assert (await shop.api.post(f"/documents/{invoice['id']}/send", json={})).json()["status"] == "failed"
        smtp_port_down.start()
        await delivered.wait()  # no further request: the app's own timer retried it

    assert len(smtp_port_down.received.envelopes) == 1
    [row] = await shop.outbox()
    assert (row["status"], row["attempts"]) == ("sent", 2)


@pytest.mark.anyio
async def test_closing_the_app_cancels_a_waiting_retry_timer(open_shop: Any, smtp_port_down: Any) -> None:
    shop = await open_shop(smtp_port=smtp_port_down.port)
    invoice = await shop.invoice()
    with anyio.fail_after(15):
        assert (await shop.api.post(f"/documents/{invoice['id']}/send", json={})).json()["status"] == "failed"
    timer = shop.out._timer
    assert timer is not None and not timer.done()  # waiting for the retry a minute from now

    await shop.app.aclose()
    assert timer.cancelled()


@pytest.mark.anyio
async def test_an_email_queued_before_a_crash_is_delivered_by_the_next_start_without_another_request(
    open_shop: Any,
    smtp_server: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    delivered: anyio.Event,
    database_url: str,
) -> None:
    from si_mcp.local.mail.service import DocumentsOut

    shop = await open_shop(smtp_port=smtp_server.port)
    invoice = await shop.invoice()
    with monkeypatch.context() as patch:
        patch.setattr(DocumentsOut, "after_commit", lambda self, queued: anyio.sleep(0))  # died after the commit
        assert (await shop.api.post(f"/documents/{invoice['id']}/send", json={})).json()["status"] == "queued"

    app = create_app(database_url=database_url, data_dir=shop.data_dir, settings=shop.app.settings)
    try:
        with anyio.fail_after(15):
            await app.start()  # as the first request after a restart does
            await delivered.wait()
    finally:
        await app.aclose()

    assert len(smtp_server.received.envelopes) == 1
    [row] = await shop.outbox()
    assert (row["status"], row["attempts"]) == ("sent", 1)


@pytest.mark.anyio
@pytest.mark.skipif(not postgres(), reason="row locks between processes: PostgreSQL's (SQLite has one writer)")
async def test_a_message_another_process_is_claiming_is_skipped_not_waited_for_nor_taken(
    open_shop: Any, smtp_port_down: Any
) -> None:
    import sqlalchemy as sa

    from si_mcp.local import tables

    shop = await open_shop(smtp_port=smtp_port_down.port)
    invoice = await shop.invoice()
    with anyio.fail_after(15):
        assert (await shop.api.post(f"/documents/{invoice['id']}/send", json={})).json()["status"] == "failed"
    [row] = await shop.outbox()
    store = shop.out.store
    o = tables.outbox

    # Another process's claim: the row locked in an open transaction on another connection (another engine).
    other = await Database.open(shop.app.database_url, run_migrations=False)
    async with as_everyone(other.write(serialized=False)) as held:
        await held.execute(sa.select(o.c.id).where(o.c.id == row["id"]).with_for_update())
        with anyio.fail_after(10):  # without SKIP LOCKED this claim would wait for the lock, then take the row too
            claimed = await store.claim(ids=[row["id"]], now=FAR_FUTURE, limit=10)
    await other.dispose()

    assert claimed == []
    assert (await store.claim(ids=None, now=FAR_FUTURE, limit=10))[0].id == row["id"]  # free again: claimed once
