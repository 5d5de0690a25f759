"""Where finished messages go: an SMTP server (aiosmtplib), or ``.eml`` files when none is configured.

Both mailers are idempotent per ``Message-ID`` as far as they can be: the ``.eml`` file name is
derived from it (a retry overwrites the same file), and SMTP receivers can de-duplicate on it.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from si_mcp.settings import Settings

__all__ = ["DeliveryError", "EmlMailer", "Mailer", "SmtpMailer", "mailer_for", "mailer_from_settings"]


class DeliveryError(Exception):
    """The message could not be handed over; the text says why (stored as the outbox row's error)."""


class Mailer(Protocol):
    """Hands one message over; returns a short description of where it went.

    ``sender`` is the configured ``From`` address (``None``: the organization's email); a mailer that
    ``requires_sender`` cannot work without a real one.
    """

    sender: str | None
    requires_sender: bool
    reaches_recipients: bool
    """False for a mailer that only keeps the message (an .eml file): nobody has received it."""

    async def deliver(self, message: EmailMessage, *, sender: str, recipients: Sequence[str]) -> str: ...


@dataclass
class SmtpMailer:
    """Sends through an SMTP server with aiosmtplib (``starttls``, implicit ``tls`` or ``none``)."""

    host: str
    port: int = 587
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    sender: str | None = None
    requires_sender: bool = True
    reaches_recipients: bool = True

    async def deliver(self, message: EmailMessage, *, sender: str, recipients: Sequence[str]) -> str:
        import aiosmtplib

        try:
            refused, _reply = await aiosmtplib.send(
                message,
                sender=sender,
                recipients=list(recipients),
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.security == "tls",
                start_tls=self.security == "starttls",
                timeout=self.timeout,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {exc or type(exc).__name__}") from exc
        where = f"sent through {self.host}:{self.port}"
        if refused:
            # Some recipients took it: retrying would duplicate it for them, so report instead.
            return f"{where}; refused by the server for {', '.join(sorted(refused))}"
        return where


@dataclass
class EmlMailer:
    """Writes each message as ``<attachment>-<id hash>.eml`` into ``folder`` (no SMTP configured)."""

    folder: Path
    sender: str | None = None
    requires_sender: bool = False
    reaches_recipients: bool = False

    def path_for(self, message: EmailMessage) -> Path:
        message_id = str(message.get("Message-ID", ""))
        digest = hashlib.sha256(message_id.encode()).hexdigest()[:12]
        attachment = next((part.get_filename() for part in message.iter_attachments()), None) or "message"
        stem = re.sub(r"[^\w.\-]+", "_", Path(attachment).stem)[:80] or "message"
        return self.folder / f"{stem}-{digest}.eml"

    async def deliver(self, message: EmailMessage, *, sender: str, recipients: Sequence[str]) -> str:
        import anyio.to_thread

        path = self.path_for(message)
        data = message.as_bytes()
        try:
            await anyio.to_thread.run_sync(_write_atomically, path, data)
        except OSError as exc:
            raise DeliveryError(f"could not write {path}: {exc}") from exc
        return f"written to {path} (no SMTP server configured)"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    os.replace(partial, path)


def mailer_from_settings(settings: Settings) -> Mailer:
    """SMTP when ``SI_MCP_SMTP_HOST`` is set, else ``.eml`` files in ``<data dir>/outbox``."""
    return mailer_for(settings, settings.data_dir)


def mailer_for(settings: Settings | None, data_dir: Path) -> Mailer:
    """Like :func:`mailer_from_settings`, with the ``.eml`` folder under ``data_dir``."""
    if settings is None or not settings.smtp_host:
        return EmlMailer(data_dir / "outbox", sender=settings.smtp_from if settings else None)
    return SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        security=settings.smtp_security,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        sender=settings.smtp_from,
    )
