"""Secrets never reach a log: every log record of the process is scrubbed when it is made.

Installed by the app factories (``si_mcp.local.create_app``, ``si_mcp.server.build_server``), which every entry
point builds before it serves, so it also covers records of libraries whose handlers si-mcp does not own (uvicorn's
access log prints ``?access_token=`` query strings; a DEBUG log of headers prints ``Authorization``). Scrubbing
happens in the log record factory, before any filter, handler or formatter sees the record: a handler added later by
a library cannot bypass it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

__all__ = ["install", "redact"]

REDACTED = "[redacted]"

# name=value, name: value and "name": "value" forms of what opens the books or the mail server.
_NAMES = r"access_token|token|password|passwd|secret|client_secret|api_key|apikey|authorization|cookie|set-cookie"
_SECRET = re.compile(
    rf"""(?ix)
    (?P<name>["']?\b(?:{_NAMES})\b["']?[ \t]*(?:=|:[ \t]*)["']?)  # the name, its separator, an opening quote
    (?:(?:bearer|basic)\s+)?                               # an auth scheme
    (?P<value>[^\s"'&,;)\]}}]+)                            # the secret, up to a delimiter
    """
)
# SMTP AUTH lines carry base64 credentials; URLs may carry a password (postgresql://user:password@host/books).
_SMTP_AUTH = re.compile(r"(?i)(\bAUTH\s+(?:PLAIN|LOGIN|XOAUTH2|CRAM-MD5)\s+)\S+")
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s/]+@", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every secret value it names replaced by ``[redacted]``."""
    text = _SECRET.sub(lambda m: f"{m.group('name')}{REDACTED}", text)
    text = _URL_PASSWORD.sub(rf"\g<1>{REDACTED}@", text)
    return _SMTP_AUTH.sub(rf"\g<1>{REDACTED}", text)


def install() -> None:
    """Scrub every log record of this process from now on (idempotent)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: the logging module reports it itself, later
            return record
        cleaned = redact(message)
        if cleaned != message:
            _scrub(record, cleaned)
        return record

    factory.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def _scrub(record: logging.LogRecord, cleaned: str) -> None:
    """Redact the record's format and arguments one by one where that gives the cleaned message (formatters such as
    uvicorn's access log read the arguments), else replace the message by the cleaned text."""
    if isinstance(record.msg, str) and isinstance(record.args, tuple) and record.args:
        msg = redact(record.msg)
        args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        try:
            scrubbed = msg % args
        except (TypeError, ValueError):
            scrubbed = None
        # uvicorn's access formatter unpacks its arguments: they must stay, redacted one by one.
        if scrubbed is not None and (redact(scrubbed) == scrubbed or record.name == "uvicorn.access"):
            record.msg, record.args = msg, args
            return
    record.msg, record.args = cleaned, None
