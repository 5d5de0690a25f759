"""Log records are scrubbed when they are made: secrets in a message or in its arguments never reach a handler, and
uvicorn's access log (whose formatter unpacks the arguments) keeps working."""

from __future__ import annotations

import logging

import pytest
from uvicorn.logging import AccessFormatter

from si_mcp.redaction import install, redact


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("GET /v1/documents?access_token=s3cretTOKEN&l=nl", "s3cretTOKEN"),
        ("headers: {'authorization': 'Bearer abc.def'}", "abc.def"),
        ('{"email": "a@b.example", "password": "hunter2"}', "hunter2"),
        ("postgresql+asyncpg://si:db-pass@db:5432/books", "db-pass"),
        ("AUTH PLAIN AHVzZXIAc2VjcmV0", "AHVzZXIAc2VjcmV0"),
        ("client_secret=xyz123", "xyz123"),
    ],
)
def test_each_kind_of_secret_is_redacted(text: str, secret: str) -> None:
    assert secret not in redact(text) and "[redacted]" in redact(text)


def test_text_without_secrets_is_left_alone() -> None:
    for text in ("GET /v1/x?token= HTTP/1.1", "the token was spent", "Invoice 2026-00001 sent to a@b.example"):
        assert redact(text) == text


def test_an_access_log_record_is_scrubbed_and_uvicorns_formatter_still_reads_its_arguments() -> None:
    install()
    logger = logging.getLogger("uvicorn.access")
    args = ("127.0.0.1:5000", "GET", "/v1/accounts/authorized?access_token=TOKEN123", "1.1", 200)
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', args, None)
    empty = logger.makeRecord(
        logger.name,
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("h", "GET", "/v1/x?token=", "1.1", 200),
        None,
    )

    formatted = AccessFormatter("%(client_addr)s %(request_line)s %(status_code)s").format(record)
    assert "TOKEN123" not in formatted and "access_token=[redacted]" in formatted
    assert "/v1/x?token=" in AccessFormatter("%(request_line)s").format(empty)


def test_a_secret_given_as_an_argument_to_a_named_field_is_scrubbed() -> None:
    install()
    logger = logging.getLogger("si_mcp.test")
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, "password=%s", ("hunter2",), None)

    assert "hunter2" not in record.getMessage()
