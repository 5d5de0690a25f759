"""Email composition, header safety, SMTP delivery to a real loopback server, the .eml fallback."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import anyio
import pytest

from si_mcp.local.mail import (
    MAX_RECIPIENTS,
    Attachment,
    DeliveryError,
    EmlMailer,
    MailError,
    OutgoingEmail,
    SmtpMailer,
    build_message,
    compose_email,
    mailer_from_settings,
)
from si_mcp.models import Document, Organization
from si_mcp.settings import Settings

PDF = b"%PDF-1.7\n% not a real invoice\n" + bytes(range(256)) * 50


def _pdf(outgoing: OutgoingEmail) -> list[Attachment]:
    return [Attachment(outgoing.attachment_name, "application/pdf", PDF)]


def _models(document: dict[str, Any], organization: dict[str, Any]) -> tuple[Document, Organization]:
    return Document.model_validate(document), Organization.model_validate(organization)


def _compose(document: dict[str, Any], organization: dict[str, Any], **overrides: Any) -> OutgoingEmail:
    options: dict[str, Any] = {"recipients": None, "subject": None, "message": None, "language": "en"}
    options.update(overrides)
    return compose_email(*_models(document, organization), **options)


@pytest.fixture
def org_with_email(seed_organization_body: dict[str, Any]) -> dict[str, Any]:
    seed_organization_body["email"] = "billing@isa.example.com"
    return seed_organization_body


@pytest.fixture
def client_with_email(seed_document_body: dict[str, Any]) -> dict[str, Any]:
    seed_document_body["_documentClient"]["email"] = "rocket.man@example.com"
    return seed_document_body


def _parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_default_subject_names_document_number_and_organization(
    client_with_email: dict[str, Any], org_with_email: dict[str, Any]
) -> None:
    english = _compose(client_with_email, org_with_email)
    dutch = _compose(client_with_email, org_with_email, language="nl")

    assert english.subject == "Invoice 2023-00001 from International Space Agency"
    assert dutch.subject == "Factuur 2023-00001 van International Space Agency"
    assert "Invoice 2023-00001" in english.body
    assert english.attachment_name == "2023-00001.pdf"


def test_recipients_default_to_the_client_email_and_reply_to_is_the_organization(
    client_with_email: dict[str, Any], org_with_email: dict[str, Any]
) -> None:
    outgoing = _compose(client_with_email, org_with_email, sender="invoices@relay.example.com")

    assert outgoing.recipients == ("rocket.man@example.com",)
    assert outgoing.sender == "invoices@relay.example.com"
    assert outgoing.reply_to == "billing@isa.example.com"
    assert outgoing.message_id.endswith("@relay.example.com>")


def test_client_without_email_needs_explicit_recipients(
    seed_document_body: dict[str, Any], org_with_email: dict[str, Any]
) -> None:
    seed_document_body["_documentClient"].pop("email")

    with pytest.raises(MailError) as caught:
        _compose(seed_document_body, org_with_email)

    assert "no email address" in str(caught.value)


def test_message_default_comes_from_the_email_document_setting_with_smart_codes(
    client_with_email: dict[str, Any], org_with_email: dict[str, Any]
) -> None:
    org_with_email["_defaults"] = [
        {
            "id": "d1",
            "organizationId": org_with_email["id"],
            "name": "email_document",
            "value": "Dear client, [document number] from [organization name] is attached. [unknown code]",
        }
    ]

    outgoing = _compose(client_with_email, org_with_email)

    assert outgoing.body == "Dear client, 2023-00001 from International Space Agency is attached. [unknown code]"


def test_explicit_subject_and_message_win_and_resolve_smart_codes(
    client_with_email: dict[str, Any], org_with_email: dict[str, Any]
) -> None:
    outgoing = _compose(
        client_with_email,
        org_with_email,
        subject="Your bill [document number]",
        message="Hi!\nPay [document number] please.",
        recipients="a@example.com; B@Example.com, a@example.com",
    )

    assert outgoing.subject == "Your bill 2023-00001"
    assert outgoing.body == "Hi!\nPay 2023-00001 please."
    assert outgoing.recipients == ("a@example.com", "B@example.com")


@pytest.mark.parametrize(
    "recipients",
    [
        "not-an-address",
        "a@example.com, b@",
        "Evil <evil@example.com>",
        "a@example.com\r\nBcc: evil@example.com",
        "a@example.com\nbcc:evil@example.com",
        " , ;",
    ],
)
def test_bad_recipients_are_refused(
    client_with_email: dict[str, Any], org_with_email: dict[str, Any], recipients: str
) -> None:
    with pytest.raises(MailError):
        _compose(client_with_email, org_with_email, recipients=recipients)


def test_too_many_recipients_are_refused(client_with_email: dict[str, Any], org_with_email: dict[str, Any]) -> None:
    many = ",".join(f"r{i}@example.com" for i in range(MAX_RECIPIENTS + 1))

    with pytest.raises(MailError) as caught:
        _compose(client_with_email, org_with_email, recipients=many)

    assert str(MAX_RECIPIENTS) in str(caught.value)


@pytest.mark.parametrize("subject", ["Hi\r\nBcc: evil@example.com", "Hi\nX-Evil: 1", "Hi\rthere", "Hi\x00"])
def test_subject_with_line_breaks_or_control_characters_is_refused(
    client_with_email: dict[str, Any], org_with_email: dict[str, Any], subject: str
) -> None:
    with pytest.raises(MailError) as caught:
        _compose(client_with_email, org_with_email, subject=subject)

    assert "single line" in str(caught.value)


def test_stored_names_with_line_breaks_cannot_add_headers(
    client_with_email: dict[str, Any], org_with_email: dict[str, Any]
) -> None:
    org_with_email["name"] = "ISA\r\nBcc: evil@example.com"
    client_with_email["number"] = "2023-1\nX-Injected: yes"

    outgoing = _compose(client_with_email, org_with_email)
    parsed = _parse(build_message(outgoing, _pdf(outgoing)).as_bytes())

    assert parsed["Bcc"] is None
    assert parsed["X-Injected"] is None
    assert parsed["From"].addresses[0].display_name == "ISA Bcc: evil@example.com"
    assert parsed["From"].addresses[0].addr_spec == "billing@isa.example.com"
    assert "\n" not in parsed["Subject"]


def test_bidi_overrides_in_stored_names_and_the_subject_do_not_reach_the_headers(
    client_with_email: dict[str, Any], org_with_email: dict[str, Any]
) -> None:
    org_with_email["name"] = "ISA \u202eknab ruoy\u202c"
    client_with_email["number"] = "2023-1\u2066"

    outgoing = _compose(client_with_email, org_with_email, subject="Invoice \u202efdp.exe [document number]")
    parsed = _parse(build_message(outgoing, _pdf(outgoing)).as_bytes())

    assert parsed["From"].addresses[0].display_name == "ISA knab ruoy"
    assert parsed["Subject"] == "Invoice fdp.exe 2023-1"


def test_message_carries_body_pdf_reply_to_and_a_stable_message_id(
    client_with_email: dict[str, Any], org_with_email: dict[str, Any]
) -> None:
    outgoing = _compose(client_with_email, org_with_email, sender="invoices@relay.example.com", message="Łódź €")

    first = build_message(outgoing, _pdf(outgoing)).as_bytes()
    again = build_message(outgoing, _pdf(outgoing)).as_bytes()
    parsed = _parse(first)

    assert first == again  # a retry sends the very same message
    assert parsed["Message-ID"] == outgoing.message_id
    assert parsed["Reply-To"].addresses[0].addr_spec == "billing@isa.example.com"
    assert parsed["To"] == "rocket.man@example.com"
    body = parsed.get_body(("plain",))
    assert body is not None and body.get_content().strip() == "Łódź €"
    attachment = next(parsed.iter_attachments())
    assert attachment.get_filename() == "2023-00001.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF


def test_without_a_sender_address_smtp_sending_is_refused_but_eml_files_still_work(
    client_with_email: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    with pytest.raises(MailError) as caught:
        _compose(client_with_email, seed_organization_body)
    assert "SI_MCP_SMTP_FROM" in str(caught.value)

    outgoing = _compose(client_with_email, seed_organization_body, sender_required=False)
    assert outgoing.sender.endswith(".invalid")


@pytest.mark.anyio
async def test_smtp_delivery_reaches_the_loopback_server_exactly_once_with_identical_pdf(
    smtp_server: Any, client_with_email: dict[str, Any], org_with_email: dict[str, Any]
) -> None:
    outgoing = _compose(client_with_email, org_with_email, send_copy=True)
    mailer = SmtpMailer(host="127.0.0.1", port=smtp_server.port, security="none", timeout=5)

    with anyio.fail_after(10):
        where = await mailer.deliver(
            build_message(outgoing, _pdf(outgoing)), sender=outgoing.sender, recipients=outgoing.envelope_recipients
        )

    assert where == f"sent through 127.0.0.1:{smtp_server.port}"
    [envelope] = smtp_server.received.envelopes
    assert envelope.mail_from == "billing@isa.example.com"
    assert envelope.rcpt_tos == ["rocket.man@example.com", "billing@isa.example.com"]
    received = _parse(envelope.content)
    assert received["Subject"] == "Invoice 2023-00001 from International Space Agency"
    assert received["Bcc"] is None  # the copy goes by envelope only
    assert next(received.iter_attachments()).get_content() == PDF


@pytest.mark.anyio
async def test_smtp_login_uses_the_configured_credentials(
    smtp_auth_server: Any, client_with_email: dict[str, Any], org_with_email: dict[str, Any]
) -> None:
    outgoing = _compose(client_with_email, org_with_email)
    message = build_message(outgoing, _pdf(outgoing))
    port = smtp_auth_server.port
    good = SmtpMailer(host="127.0.0.1", port=port, security="none", username="user", password="secret", timeout=5)
    bad = SmtpMailer(host="127.0.0.1", port=port, security="none", username="user", password="wrong", timeout=5)

    with anyio.fail_after(10):
        await good.deliver(message, sender=outgoing.sender, recipients=outgoing.envelope_recipients)
        with pytest.raises(DeliveryError):
            await bad.deliver(message, sender=outgoing.sender, recipients=outgoing.envelope_recipients)

    assert len(smtp_auth_server.received.envelopes) == 1


@pytest.mark.anyio
async def test_smtp_server_down_is_a_delivery_error_naming_the_server(
    smtp_port_down: Any, client_with_email: dict[str, Any], org_with_email: dict[str, Any]
) -> None:
    outgoing = _compose(client_with_email, org_with_email)
    mailer = SmtpMailer(host="127.0.0.1", port=smtp_port_down.port, security="none", timeout=5)

    with anyio.fail_after(10), pytest.raises(DeliveryError) as caught:
        await mailer.deliver(
            build_message(outgoing, _pdf(outgoing)), sender=outgoing.sender, recipients=outgoing.recipients
        )

    assert f"127.0.0.1:{smtp_port_down.port}" in str(caught.value)


@pytest.mark.anyio
async def test_eml_fallback_writes_one_openable_file_per_message(
    tmp_path: Path, client_with_email: dict[str, Any], org_with_email: dict[str, Any]
) -> None:
    mailer = EmlMailer(tmp_path / "outbox")
    outgoing = _compose(client_with_email, org_with_email)
    message = build_message(outgoing, _pdf(outgoing))

    where = await mailer.deliver(message, sender=outgoing.sender, recipients=outgoing.recipients)
    await mailer.deliver(message, sender=outgoing.sender, recipients=outgoing.recipients)  # a retry

    [written] = list((tmp_path / "outbox").iterdir())
    assert written.suffix == ".eml" and written.name.startswith("2023-00001-")
    assert str(written) in where
    parsed = _parse(written.read_bytes())
    assert parsed["Message-ID"] == outgoing.message_id
    assert next(parsed.iter_attachments()).get_content() == PDF


def test_mailer_is_smtp_when_a_host_is_configured_else_eml_files_in_the_data_dir(tmp_path: Path) -> None:
    eml = mailer_from_settings(Settings(SI_MCP_DATA_DIR=tmp_path))
    smtp = mailer_from_settings(
        Settings(
            SI_MCP_DATA_DIR=tmp_path,
            SI_MCP_SMTP_HOST="mail.example.com",
            SI_MCP_SMTP_PORT=465,
            SI_MCP_SMTP_SECURITY="tls",
            SI_MCP_SMTP_USERNAME="u",
            SI_MCP_SMTP_PASSWORD="p",
        )
    )

    assert isinstance(eml, EmlMailer) and eml.folder == tmp_path / "outbox"
    assert isinstance(smtp, SmtpMailer)
    assert (smtp.host, smtp.port, smtp.security, smtp.username, smtp.password) == (
        "mail.example.com",
        465,
        "tls",
        "u",
        "p",
    )
