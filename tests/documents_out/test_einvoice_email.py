"""E-invoices in the emails: the Peppol UBL next to the PDF (per send, or as the client's ``attachUbl``), the Factur-X
PDF for organizations that send their invoices so (the organization default ``einvoice=factur-x``, which GET /pdf
follows too), and what a reminder carries. Delivered to a real SMTP server (aiosmtpd) and read back."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest

from si_mcp.models import wirejson

pytestmark = pytest.mark.anyio

BELGIAN = {"taxNumber": "BE0477472701", "IBAN": "BE71 0961 2345 6769", "SWIFT": "GKCCBEBB"}
BUYER = {"name": "Rocket man", "country": "Belgium", "taxNumber": "BE0403170701", "address": "Kerkstraat 2",
         "city": "Gent", "zip": "9000", "email": "rocket@example.com"}  # fmt: skip
CONSUMER = {"name": "Ada", "country": "Belgium", "address": "Kerkstraat 3", "city": "Gent", "zip": "9000",
            "email": "ada@example.com"}  # fmt: skip
LINE = {"name": "Space suit", "quantity": 1, "price": 100, "_documentItemTaxes": [{"rate": 21}]}
UNTAXED_LINE = {"name": "Handling", "quantity": 1, "price": 10}


def _received(server: Any) -> list[EmailMessage]:
    return [email.message_from_bytes(e.content, policy=policy.default) for e in server.received.envelopes]  # type: ignore[misc]


def _files(message: EmailMessage) -> dict[str, tuple[str, bytes]]:
    return {
        part.get_filename() or "": (part.get_content_type(), part.get_payload(decode=True))
        for part in message.iter_attachments()
    }


async def _issue(shop: Any, client: dict[str, Any] = BUYER, items: list[Any] | None = None) -> dict[str, Any]:
    body = {"_documentClient": client, "_documentItems": items or [LINE]}
    created = await shop.api.post(f"/organizations/{shop.org_id}/documents", json=body)
    assert created.status_code == 200, created.text
    document: dict[str, Any] = created.json()
    return document


async def _setting(shop: Any, name: str, value: Any) -> None:
    made = await shop.api.post(f"/organizations/{shop.org_id}/defaults", json={"name": name, "value": value})
    assert made.status_code == 200, made.text


async def test_a_send_asked_to_attach_the_ubl_carries_the_checked_ubl_next_to_the_pdf(
    open_shop: Any, smtp_server: Any
) -> None:
    shop = await open_shop(smtp_port=smtp_server.port, **BELGIAN)
    invoice = await _issue(shop)

    sent = await shop.api.post(f"/documents/{invoice['id']}/send", json={"attachUbl": True})
    ubl = await shop.api.get(f"/documents/{invoice['id']}/ubl")

    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "sent" and sent.json()["attachments"] == ["pdf", "ubl"]
    [message] = _received(smtp_server)
    files = _files(message)
    assert sorted(files) == ["2026-00001.pdf", "2026-00001.xml"]
    assert files["2026-00001.pdf"][0] == "application/pdf" and files["2026-00001.pdf"][1].startswith(b"%PDF-")
    assert files["2026-00001.xml"] == ("application/xml", ubl.content)


async def test_a_client_that_wants_the_ubl_gets_it_unless_a_send_says_otherwise(
    open_shop: Any, smtp_server: Any
) -> None:
    shop = await open_shop(smtp_port=smtp_server.port, **BELGIAN)
    first, second = await _issue(shop), await _issue(shop)
    client_id = first["clientId"]
    before = (await shop.api.get(f"/clients/{client_id}")).json()
    changed = await shop.api.patch(f"/clients/{client_id}", json={"attachUbl": True})
    assert changed.status_code == 200, changed.text

    by_preference = await shop.api.post(f"/documents/{first['id']}/send", json={})
    overridden = await shop.api.post(f"/documents/{second['id']}/send", json={"attachUbl": False})

    assert before["attachUbl"] is False and changed.json()["attachUbl"] is True
    assert by_preference.json()["attachments"] == ["pdf", "ubl"]
    assert overridden.json()["attachments"] == ["pdf"]
    assert [sorted(_files(m)) for m in _received(smtp_server)] == [
        ["2026-00001.pdf", "2026-00001.xml"],
        ["2026-00002.pdf"],
    ]


async def test_a_ubl_that_cannot_be_made_refuses_the_send_and_nothing_goes_out(
    open_shop: Any, smtp_server: Any
) -> None:
    shop = await open_shop(smtp_port=smtp_server.port, **BELGIAN)
    invoice = await _issue(shop, CONSUMER)  # a consumer: no VAT number, so no Peppol address

    refused = await shop.api.post(f"/documents/{invoice['id']}/send", json={"attachUbl": True})

    error = wirejson.loads(refused.text)["error"]
    assert refused.status_code == 422 and error["code"] == "EINVOICE_INCOMPLETE"
    assert "without the UBL" in error["message"]
    assert (await shop.api.get(f"/documents/{invoice['id']}")).json().get("sentAt") is None
    assert await shop.outbox() == [] and smtp_server.received.envelopes == []


async def test_an_organization_that_sends_factur_x_serves_and_emails_factur_x_pdfs(
    open_shop: Any, smtp_server: Any
) -> None:
    from facturx import get_xml_from_pdf

    shop = await open_shop(smtp_port=smtp_server.port, **BELGIAN)
    await _setting(shop, "einvoice", "factur-x")
    invoice = await _issue(shop, CONSUMER)
    estimate = await shop.api.post(
        f"/organizations/{shop.org_id}/documents",
        json={"type": "estimate", "_documentClient": CONSUMER, "_documentItems": [LINE]},
    )

    pdf = await shop.api.get(f"/documents/{invoice['id']}/pdf")
    factur_x = await shop.api.get(f"/documents/{invoice['id']}/factur-x")
    sent = await shop.api.post(f"/documents/{invoice['id']}/send", json={})
    estimate_pdf = await shop.api.get(f"/documents/{estimate.json()['id']}/pdf")

    _, served = get_xml_from_pdf(pdf.content, check_xsd=True)
    _, reference = get_xml_from_pdf(factur_x.content, check_xsd=True)
    [message] = _received(smtp_server)
    [(kind, attached)] = _files(message).values()
    _, emailed = get_xml_from_pdf(attached, check_xsd=True)
    assert served == reference == emailed and b"CrossIndustryInvoice" in served
    assert kind == "application/pdf" and sent.json()["attachments"] == ["factur-x"]
    assert get_xml_from_pdf(estimate_pdf.content, check_xsd=False) == (False, False)  # an estimate is no e-invoice


async def test_an_organization_that_sends_factur_x_issues_only_what_can_be_one(open_shop: Any) -> None:
    shop = await open_shop(**BELGIAN)
    await _setting(shop, "einvoice", "factur-x")

    refused = await shop.api.post(
        f"/organizations/{shop.org_id}/documents",
        json={"_documentClient": CONSUMER, "_documentItems": [LINE, UNTAXED_LINE]},
    )

    error = wirejson.loads(refused.text)["error"]
    assert refused.status_code == 422 and error["code"] == "EINVOICE_INCOMPLETE"
    assert "Line 2 (Handling) has no VAT" in error["message"] and "Factur-X" in error["message"]


async def test_an_invoice_issued_before_factur_x_was_chosen_stays_what_it_was_issued_as(
    open_shop: Any, smtp_server: Any
) -> None:
    from facturx import get_xml_from_pdf

    shop = await open_shop(smtp_port=smtp_server.port, **BELGIAN)
    invoice = await _issue(shop, CONSUMER)  # issued as a plain invoice: nothing asked for an e-invoice then
    await _setting(shop, "einvoice", "factur-x")
    after = await _issue(shop, CONSUMER)

    pdf = await shop.api.get(f"/documents/{invoice['id']}/pdf")
    sent = await shop.api.post(f"/documents/{invoice['id']}/send", json={})

    assert (invoice.get("einvoice"), after["einvoice"]) == (None, "factur-x")
    assert pdf.status_code == 200 and "SI-MCP-Factur-X" not in pdf.headers
    assert get_xml_from_pdf(pdf.content, check_xsd=False) == (False, False)
    assert sent.status_code == 200 and sent.json()["attachments"] == ["pdf"]
    [message] = _received(smtp_server)
    [(_, attached)] = _files(message).values()
    assert get_xml_from_pdf(attached, check_xsd=False) == (False, False)


async def test_an_unknown_einvoice_setting_is_refused_so_no_typo_switches_the_belgian_check_off(open_shop: Any) -> None:
    shop = await open_shop(**BELGIAN)

    typo = await shop.api.post(f"/organizations/{shop.org_id}/defaults", json={"name": "einvoice", "value": "pepol"})
    refused = await shop.api.post(
        f"/organizations/{shop.org_id}/documents", json={"_documentClient": BUYER, "_documentItems": [UNTAXED_LINE]}
    )

    assert typo.status_code == 422 and "auto, peppol, factur-x, off" in typo.text
    assert refused.status_code == 422 and wirejson.loads(refused.text)["error"]["code"] == "EINVOICE_INCOMPLETE"


async def test_a_recurring_email_whose_ubl_cannot_be_made_is_not_queued_and_the_recurrence_says_why(
    open_shop: Any, smtp_server: Any
) -> None:
    clock = _Clock(datetime(2027, 1, 10, 9, tzinfo=UTC))
    shop = await open_shop(smtp_port=smtp_server.port, clock=clock, **BELGIAN)
    source = await shop.api.post(
        f"/organizations/{shop.org_id}/documents",
        json={"_documentClient": CONSUMER, "_documentItems": [LINE], "date": "2027-01-10"},
    )
    assert (await shop.api.patch(f"/clients/{source.json()['clientId']}", json={"attachUbl": True})).status_code == 200
    made = await shop.api.post(
        f"/documents/{source.json()['id']}/recurrence", json={"name": "Hosting", "autoSend": True}
    )
    assert made.status_code == 200, made.text

    clock.now = datetime(2027, 2, 10, 9, tzinfo=UTC)
    await shop.app.scheduler.run_due()

    recurrence = (await shop.api.get(f"/recurrences/{made.json()['id']}")).json()
    assert [d["sent"] for d in recurrence["_recurrenceDates"]] == [False]  # issued (it is due), not emailed
    assert "issued but not emailed" in recurrence["lastError"] and "without the UBL" in recurrence["lastError"]
    assert await shop.outbox() == [] and smtp_server.received.envelopes == []


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_a_payment_reminder_carries_the_plain_pdf_and_no_e_invoice_to_book_twice(
    open_shop: Any, smtp_server: Any
) -> None:
    from facturx import get_xml_from_pdf

    shop = await open_shop(smtp_port=smtp_server.port, **BELGIAN)
    await _setting(shop, "einvoice", "factur-x")
    overdue = await shop.api.post(
        f"/organizations/{shop.org_id}/documents",
        json={"_documentClient": BUYER, "_documentItems": [LINE], "date": "2026-01-05", "dateDue": "2026-01-20"},
    )
    assert overdue.status_code == 200, overdue.text
    client_id = overdue.json()["clientId"]
    assert (await shop.api.patch(f"/clients/{client_id}", json={"attachUbl": True})).status_code == 200

    reminded = await shop.api.post(f"/documents/{overdue.json()['id']}/send-reminder", json={})

    assert reminded.status_code == 200, reminded.text
    assert reminded.json()["attachments"] == ["pdf"]
    [message] = _received(smtp_server)
    assert list(_files(message)) == ["2026-00001.pdf"]
    assert get_xml_from_pdf(_files(message)["2026-00001.pdf"][1], check_xsd=False) == (False, False)


async def test_a_failed_delivery_is_retried_with_what_was_queued(open_shop: Any, smtp_port_down: Any) -> None:
    shop = await open_shop(smtp_port=smtp_port_down.port, **BELGIAN)
    invoice = await _issue(shop)

    first = await shop.api.post(f"/documents/{invoice['id']}/send", json={"attachUbl": True})
    smtp_port_down.start()
    await shop.out.deliver(now=datetime(2100, 1, 1, tzinfo=UTC))  # its retry is due

    assert first.json()["status"] == "failed"
    [message] = _received(smtp_port_down)
    assert sorted(_files(message)) == ["2026-00001.pdf", "2026-00001.xml"]


async def test_a_factur_x_invoice_whose_xml_cannot_be_checked_now_goes_out_and_is_served_as_the_plain_pdf(
    open_shop: Any, smtp_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facturx import get_xml_from_pdf

    from si_mcp.local.errors import LocalAPIError

    shop = await open_shop(smtp_port=smtp_server.port, **BELGIAN)
    await _setting(shop, "einvoice", "factur-x")
    invoice = await _issue(shop, CONSUMER)  # issued as Factur-X

    def rules_cannot_run(*args: Any) -> bytes:
        raise LocalAPIError(503, "The e-invoice cannot be validated: gone", code="EINVOICE_UNCHECKED")

    monkeypatch.setattr(shop.app.services.einvoices, "cii", rules_cannot_run)
    pdf = await shop.api.get(f"/documents/{invoice['id']}/pdf")
    sent = await shop.api.post(f"/documents/{invoice['id']}/send", json={})

    assert invoice["einvoice"] == "factur-x"
    assert pdf.status_code == 200 and pdf.headers["SI-MCP-Factur-X"] == "not embedded: EINVOICE_UNCHECKED"
    assert get_xml_from_pdf(pdf.content, check_xsd=False) == (False, False)
    assert sent.status_code == 200 and sent.json()["attachments"] == ["pdf"]
