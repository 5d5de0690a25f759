"""PDF download and sending by email, end to end against the embedded API (mail goes to the .eml outbox)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from si_mcp.client import UnprocessableEntityError
from si_mcp.models import DocumentCreate, SendRequest

pytestmark = pytest.mark.anyio


def invoice_body(draft: bool = False) -> DocumentCreate:
    return DocumentCreate.model_validate(
        {
            "draft": draft,
            "_documentClient": {"name": "Rocket man", "email": "rocket@example.com"},
            "_documentItems": [{"name": "Space suit", "price": Decimal("19.99"), "_documentItemTaxes": [{"rate": 21}]}],
        }
    )


async def test_pdf_returns_a_pdf_in_the_asked_language(books: Any) -> None:
    invoice = await books.api.documents.create(books.organization.id, body=invoice_body())
    pdf = await books.api.documents.pdf(invoice.id)
    assert pdf.startswith(b"%PDF-")
    german = await books.api.documents.pdf(invoice.id, language="de")
    assert german.startswith(b"%PDF-")
    assert german != pdf


async def test_an_unsupported_pdf_language_is_a_validation_error(books: Any) -> None:
    invoice = await books.api.documents.create(books.organization.id, body=invoice_body())
    with pytest.raises(UnprocessableEntityError) as caught:
        await books.api.documents.pdf(invoice.id, language="xx")
    assert caught.value.error.code == "UNSUPPORTED_LANGUAGE"


async def test_send_writes_the_email_to_the_outbox_and_a_second_send_needs_resend(books: Any, tmp_path: Path) -> None:
    api = books.api
    invoice = await api.documents.create(books.organization.id, body=invoice_body())
    result = await api.documents.send(invoice.id, body=SendRequest(recipients="rocket@example.com"))
    assert (result.success, result.status, result.recipients) == (True, "saved", ["rocket@example.com"])
    assert result.message_id and result.detail and ".eml" in result.detail
    assert len(list(tmp_path.rglob("*.eml"))) == 1

    with pytest.raises(UnprocessableEntityError) as caught:
        await api.documents.send(invoice.id, body=SendRequest(recipients="rocket@example.com"))
    assert caught.value.error.code == "ALREADY_SENT"
    await api.documents.send(invoice.id, body=SendRequest(recipients="rocket@example.com", resend=True), language="en")
    assert len(list(tmp_path.rglob("*.eml"))) == 2


async def test_a_draft_cannot_be_sent(books: Any, tmp_path: Path) -> None:
    draft = await books.api.documents.create(books.organization.id, body=invoice_body(draft=True))
    with pytest.raises(UnprocessableEntityError) as caught:
        await books.api.documents.send(draft.id, body=SendRequest(recipients="rocket@example.com"))
    assert caught.value.error.code == "DRAFT_NOT_SENDABLE"
    assert list(tmp_path.rglob("*.eml")) == []
