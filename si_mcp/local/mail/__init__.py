"""Documents by email: composing safe messages, handing them to SMTP or ``.eml`` files, the outbox.

aiosmtplib and email-validator are imported inside functions, off the MCP stdio start-up path.
"""

from .compose import (
    MAX_RECIPIENTS,
    Attachment,
    MailError,
    OutgoingEmail,
    attachment_name,
    build_message,
    compose_email,
    new_message_id,
    parse_recipients,
    resolve_smart_codes,
    safe_display_name,
    single_line,
)
from .outbox import (
    FAILED,
    MAX_ATTEMPTS,
    QUEUED,
    SENDING,
    SENT,
    DeliveryReport,
    FileSource,
    OutboxItem,
    OutboxStore,
    deliver_claimed,
    run_outbox,
)
from .transport import DeliveryError, EmlMailer, Mailer, SmtpMailer, mailer_from_settings

__all__ = [
    "Attachment",
    "FAILED",
    "MAX_ATTEMPTS",
    "MAX_RECIPIENTS",
    "QUEUED",
    "SENDING",
    "SENT",
    "DeliveryError",
    "DeliveryReport",
    "EmlMailer",
    "FileSource",
    "MailError",
    "Mailer",
    "OutboxItem",
    "OutboxStore",
    "OutgoingEmail",
    "SmtpMailer",
    "attachment_name",
    "build_message",
    "compose_email",
    "deliver_claimed",
    "mailer_from_settings",
    "new_message_id",
    "parse_recipients",
    "resolve_smart_codes",
    "run_outbox",
    "safe_display_name",
    "single_line",
]
