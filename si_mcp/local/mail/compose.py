"""Compose a document email: validated recipients, header-safe texts, defaults, the MIME message.

Safety rules, applied here once:

* Recipients are plain addresses (``a@b.example``), comma- or semicolon-separated, each checked by
  ``email-validator`` (syntax only, no DNS); display names or anything else are refused.
* A subject given by a caller must be a single line: CR, LF and other control characters are refused
  (a clear error), never silently passed to a header. Names taken from stored data (the organization
  name in ``From``) have control characters replaced by spaces, and go through the ``email``
  package's ``Address`` API, which quotes them.
* The message body is text content, never a header, so anything in it stays in the body.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from si_mcp.local.engine.seeds import EMAIL_DOCUMENT, EMAIL_SUBJECT
from si_mcp.models import Document, Organization

__all__ = [
    "MAX_RECIPIENTS",
    "PLACEHOLDER_SENDER",
    "MailError",
    "OutgoingEmail",
    "Attachment",
    "attachment_name",
    "build_message",
    "compose_email",
    "new_message_id",
    "organization_email",
    "parse_recipients",
    "resolve_smart_codes",
    "safe_display_name",
    "sender_for",
    "single_line",
]

MAX_RECIPIENTS = 20
PLACEHOLDER_SENDER = "no-reply@si-mcp.invalid"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Bidirectional embeddings, overrides and isolates: in a From name or Subject they make a mail client show
# the text in another order than it is written ("\u202eexe.pdf" reads "fdp.exe"); marks (LRM/RLM) stay.
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_SEPARATORS = re.compile(r"[,;]")


class MailError(ValueError):
    """A send request that cannot be turned into a safe email (maps to HTTP 422)."""

    code = "MAIL_INVALID"


def single_line(value: str, field: str, *, max_length: int = 500) -> str:
    """``value`` stripped; a line break or control character in it is an error naming ``field``."""
    if _CONTROL.search(value):
        raise MailError(f"{field} must be a single line without control characters (CR/LF are not allowed)")
    value = value.strip()
    if len(value) > max_length:
        raise MailError(f"{field} is longer than {max_length} characters")
    return value


def safe_display_name(name: str, *, max_length: int = 200) -> str:
    """Stored text fit for a header: control characters and bidi overrides become spaces, whitespace is collapsed."""
    return " ".join(_BIDI_CONTROLS.sub(" ", _CONTROL.sub(" ", name)).split())[:max_length]


def parse_recipients(text: str | None) -> list[str]:
    """Comma/semicolon-separated addresses → normalized, de-duplicated list; any bad one is an error."""
    from email_validator import EmailNotValidError, validate_email

    if text is None or not text.strip():
        raise MailError("no recipients: give one or more email addresses in recipients")
    if _CONTROL.search(text):
        raise MailError("recipients must not contain line breaks or control characters")
    found: dict[str, str] = {}
    for raw in _SEPARATORS.split(text):
        candidate = raw.strip()
        if not candidate:
            continue
        try:
            address = validate_email(candidate, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise MailError(f"recipient {candidate!r} is not a valid email address: {exc}") from None
        found.setdefault(address.casefold(), address)
    if not found:
        raise MailError("no recipients: give one or more email addresses in recipients")
    if len(found) > MAX_RECIPIENTS:
        raise MailError(f"too many recipients ({len(found)}); at most {MAX_RECIPIENTS} are allowed")
    return list(found.values())


def new_message_id(sender: str, seed: str) -> str:
    """A globally unique ``Message-ID`` in the sender's domain, fixed once when the email is queued."""
    domain = sender.rpartition("@")[2] or "si-mcp.invalid"
    token = hashlib.sha256(f"{seed}:{secrets.token_hex(16)}".encode()).hexdigest()[:32]
    return f"<{token}@{domain}>"


def resolve_smart_codes(text: str, document: Document, organization: Organization, language: str = "en") -> str:
    """Replace ``[document number]``-style smart codes (the engine's set; ``[document type]`` in ``language``);
    unknown codes stay as written."""
    from si_mcp.local.engine.smartcodes import codes_for, resolve
    from si_mcp.models.labels import document_title

    issuer = document.document_issuer if document.document_issuer and document.document_issuer.name else organization
    values = codes_for(issuer.model_dump(mode="json", by_alias=True), document.model_dump(mode="json", by_alias=True))
    values["document type"] = document_title(document.type, language)
    return resolve(text, values)


@dataclass(frozen=True)
class Attachment:
    """A file an email carries: the document's PDF (or Factur-X PDF), its UBL."""

    name: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class OutgoingEmail:
    """Everything needed to (re)build the same message: what an outbox row stores."""

    message_id: str
    sender: str
    sender_name: str
    reply_to: str | None
    recipients: tuple[str, ...]
    copy_to: tuple[str, ...]
    subject: str
    body: str
    attachment_name: str
    created_at: datetime

    @property
    def envelope_recipients(self) -> list[str]:
        return [*self.recipients, *(a for a in self.copy_to if a not in self.recipients)]


def organization_email(organization: Organization) -> str | None:
    """The organization's email when it is a valid address (it becomes ``Reply-To``)."""
    from email_validator import EmailNotValidError, validate_email

    if not organization.email:
        return None
    try:
        return str(validate_email(organization.email, check_deliverability=False).normalized)
    except EmailNotValidError:
        return None


def sender_for(organization: Organization, configured: str | None, *, required: bool) -> str:
    """The ``From`` address: the configured one, else the organization's email.

    Without either, SMTP cannot send (a :class:`MailError` when ``required``); an ``.eml`` file still
    gets a placeholder address in the reserved ``.invalid`` domain.
    """
    if configured:
        try:
            return parse_recipients(configured)[0]
        except MailError:
            raise MailError(f"SI_MCP_SMTP_FROM {configured[:100]!r} is not a plain email address") from None
    org_email = organization_email(organization)
    if org_email:
        return org_email
    if not required:
        return PLACEHOLDER_SENDER
    raise MailError("no sender address: set the organization's email, or SI_MCP_SMTP_FROM in the server configuration")


def _written_default(organization: Organization, name: str, seeded: str) -> str:
    """The organization's ``name`` default when the business wrote it; "" while it is the seeded English text,
    which the email's own language replaces."""
    for default in organization.defaults or []:
        if default.name == name and isinstance(default.value, str) and default.value.strip():
            return "" if default.value.strip() == seeded.strip() else default.value
    return ""


def _reminder_texts(
    document: Document, labels: dict[str, str], title: str, organization: str, locale: str
) -> tuple[str, str]:
    from si_mcp.local.pdf.view import Formatter

    fmt = Formatter(locale, document.currency_id)
    # German writes nouns with a capital; the others write the type in lower case after its article.
    noun = title if labels["reminder_article"] == "die " else title.lower()
    values = {
        "the_title": labels["reminder_article"] + noun,
        "title": title,
        "number": document.number or "",
        "organization": organization,
        "amount": fmt.money(document.total_due),
        "date": fmt.date(document.date),
        "due": fmt.date(document.date_due),
    }
    return labels["reminder_subject"].format(**values), labels["reminder_body"].format(**values)


def compose_email(
    document: Document,
    organization: Organization,
    *,
    recipients: str | None,
    subject: str | None,
    message: str | None,
    language: str,
    send_copy: bool = False,
    sender: str | None = None,
    sender_required: bool = True,
    now: datetime | None = None,
    reminder_locale: str | None = None,
) -> OutgoingEmail:
    """Validate a send request and fill in the defaults (subject, body, sender, attachment name).

    With ``reminder_locale`` (the babel locale of ``language``) it is a payment reminder: the default texts say
    what is still due since when, in the document's currency and the locale's formats (an organization's own
    ``email_reminder`` default, smart codes resolved, replaces the body).

    ``recipients`` default to the client's email. ``sender`` is the configured ``From`` (else the
    organization's email); without SMTP (``sender_required=False``) a placeholder address is used so
    the ``.eml`` file can still be written. Raises :class:`MailError` with a message for the user.
    """
    from si_mcp.models.labels import document_title, labels_for

    client_email = document.document_client.email if document.document_client else None
    if recipients is None and not client_email:
        raise MailError("the client has no email address: give recipients to send the document to")
    to = parse_recipients(recipients if recipients is not None else client_email)
    labels = labels_for(language)
    title = document_title(document.type, language)
    number = document.number or ""
    org_name = safe_display_name(organization.name)
    reminder = _reminder_texts(document, labels, title, org_name, reminder_locale) if reminder_locale else None
    if subject is not None and subject.strip():
        # The caller's text must already be one line; values from smart codes are flattened.
        subject_text = resolve_smart_codes(single_line(subject, "subject"), document, organization, language)
    elif reminder is not None:
        subject_text = reminder[0]
    elif default_subject := _written_default(organization, "email_subject", EMAIL_SUBJECT):
        # Stored text: flattened (safe_display_name below), never a reason to refuse a send nobody gave a subject for.
        subject_text = resolve_smart_codes(default_subject, document, organization, language)
    else:
        subject_text = labels["email_subject"].format(title=title, number=number, organization=org_name)
    subject_text = safe_display_name(subject_text, max_length=998)
    body = message if message is not None and message.strip() else ""
    if reminder is not None:
        body = body or _written_default(organization, "email_reminder", "") or reminder[1]
    body = body or _written_default(organization, "email_document", EMAIL_DOCUMENT)
    if body:
        body = resolve_smart_codes(body, document, organization, language)
    else:
        body = labels["email_body"].format(title=title, number=number, organization=org_name)
    from_address = sender_for(organization, sender, required=sender_required)
    reply_to = organization_email(organization)
    copy_to = (reply_to or from_address,) if send_copy else ()
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    return OutgoingEmail(
        message_id=new_message_id(from_address, document.id),
        sender=from_address,
        sender_name=org_name,
        reply_to=reply_to,
        recipients=tuple(to),
        copy_to=copy_to,
        subject=subject_text,
        body=body.replace("\r\n", "\n"),
        attachment_name=attachment_name(number or document.id),
        created_at=moment,
    )


def attachment_name(number: str) -> str:
    """``<number>.pdf`` with anything that is unsafe in a file name replaced by ``_``."""
    stem = re.sub(r"[^\w.\-]+", "_", number).strip("._") or "document"
    return f"{stem[:100]}.pdf"


def _address(addr_spec: str, display_name: str = "") -> Address:
    local, _, domain = addr_spec.rpartition("@")
    return Address(display_name=display_name, username=local, domain=domain)


def build_message(email: OutgoingEmail, files: Sequence[Attachment]) -> EmailMessage:
    """The MIME message: text body plus the files. Same ``OutgoingEmail`` and files → same headers and parts."""
    message = EmailMessage(policy=SMTP)
    message["From"] = _address(email.sender, email.sender_name)
    message["To"] = [_address(a) for a in email.recipients]
    if email.reply_to:
        message["Reply-To"] = _address(email.reply_to, email.sender_name)
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.created_at)
    message["Message-ID"] = email.message_id
    message.set_content(email.body)
    for file in files:
        maintype, _, subtype = file.media_type.partition("/")
        message.add_attachment(file.content, maintype=maintype, subtype=subtype, filename=file.name)
    # A boundary derived from the (random, unguessable) Message-ID instead of a fresh random one, so a
    # retry is byte for byte the message that was queued. "=_" never occurs in base64 parts.
    message.set_boundary("=_" + hashlib.sha256(email.message_id.encode()).hexdigest()[:40])
    return message
