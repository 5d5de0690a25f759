"""One language per document: the PDF, the note, the VAT wording and the email all speak it, through MCP and REST."""

from __future__ import annotations

import email
import io
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, get_args

import anyio
import pypdf
import pytest
from mcp import Client
from mcp.types import ElicitRequestFormParams, ElicitResult

from si_mcp.models.language import LANGUAGES
from si_mcp.server import build_server
from si_mcp.server.tools._common import Language
from si_mcp.settings import Settings

pytestmark = pytest.mark.anyio

WORK = [{"name": "Consulting", "price": 1000, "tax_rates": [21]}]
DUPONT = {"client": "Dupont SA", "client_country": "France", "client_tax_number": "FR 61 954 506 077"}


async def _confirm(context: Any, params: ElicitRequestFormParams) -> ElicitResult:
    return ElicitResult(action="accept", content={"confirm": True})


def _pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())


def _received(envelope: Any) -> tuple[EmailMessage, str, str]:
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    [attachment] = message.iter_attachments()
    return message, body.get_content(), _pdf_text(attachment.get_content())


def test_the_tools_offer_exactly_the_languages_the_books_print() -> None:
    assert get_args(Language) == LANGUAGES


async def test_an_invoice_in_french_is_french_in_its_email_and_pdf_and_a_resend_in_dutch_is_dutch(
    tmp_path: Path, smtp_server: Any
) -> None:
    settings = Settings(
        SI_MCP_DATA_DIR=tmp_path / "data",
        SI_MCP_SMTP_HOST="127.0.0.1",
        SI_MCP_SMTP_PORT=smtp_server.port,
        SI_MCP_SMTP_SECURITY="none",
        SI_MCP_SMTP_FROM="billing@isa.example.com",
    )
    with anyio.fail_after(60):
        async with Client(build_server(settings), elicitation_callback=_confirm) as c:
            await c.call_tool("create_organization", {"name": "International Space Agency", "country": "Belgium"})
            created = await c.call_tool(
                "create_invoice",
                {**DUPONT, "client_email": "compta@dupont.example", "items": WORK, "language": "fr", "send": True},
            )
            number = created.structured_content["document"]["number"]  # type: ignore[index]
            again = await c.call_tool(
                "send_invoice", {"document": number, "language": "nl", "resend": True, "organization": None}
            )

    data = created.structured_content
    assert data is not None and data["email"]["status"] == "sent", data
    assert data["language"] == "fr-BE"  # fr for a Belgian business formats as fr-BE
    assert "Written in fr-BE (the organization's language is nl-BE)" in created.content[0].text  # type: ignore[union-attr]
    assert not again.is_error and again.structured_content["status"] == "sent"  # type: ignore[index]
    first, second = smtp_server.received.envelopes

    message, body, pdf = _received(first)
    assert str(message["Subject"]) == f"Facture {number} de International Space Agency"
    assert body.startswith("Bonjour,") and f"Facture {number}" in body and "Hello" not in body
    assert "Facture" in pdf and "Factuur" not in pdf
    assert "Autoliquidation" in pdf and "Verlegging" not in pdf  # the VAT summary and the legal wording
    assert "Merci pour votre confiance." in pdf  # the seeded note, in the document's language

    message, body, pdf = _received(second)
    assert str(message["Subject"]) == f"Factuur {number} van International Space Agency"
    assert body.startswith("Beste,") and "Bonjour" not in body
    assert "Factuur" in pdf and "Verlegging van heffing: btw te voldoen door de medecontractant" in pdf
    assert "Bedankt voor uw vertrouwen." in pdf and "Merci" not in pdf


async def _server(tmp_path: Path) -> Any:
    return build_server(Settings(SI_MCP_DATA_DIR=tmp_path / "data"))


async def _pdf(c: Client, document: str, language: str | None = None) -> str:
    arguments = {"document": document, "embed": True} | ({"language": language} if language else {})
    got = await c.call_tool("get_pdf", arguments)
    blob = got.content[-1].resource.blob  # type: ignore[union-attr]
    import base64

    return _pdf_text(base64.b64decode(blob))


async def test_a_new_client_keeps_the_language_of_its_first_invoice_and_the_next_one_is_written_in_it(
    tmp_path: Path,
) -> None:
    async with Client(await _server(tmp_path)) as c:
        await c.call_tool("create_organization", {"name": "ISA", "country": "Belgium"})
        await c.call_tool("create_invoice", {**DUPONT, "items": WORK, "language": "fr"})
        clients = (await c.call_tool("find_clients", {"query": "Dupont"})).structured_content
        second = (await c.call_tool("create_invoice", {"client": "Dupont SA", "items": WORK})).structured_content
        local = await c.call_tool("create_invoice", {"client": "Jan", "client_country": "BE", "items": WORK})
        assert second is not None and local.structured_content is not None
        french = await _pdf(c, second["document"]["number"])
        dutch = await _pdf(c, local.structured_content["document"]["number"])
        detail = await c.call_tool("get_document", {"document": second["document"]["number"]})

    assert clients is not None and clients["clients"][0]["language"] == "fr"
    assert second["language"] == "fr-BE" and "language" not in local.structured_content
    assert "Facture" in french and "Autoliquidation" in french and "Merci pour votre confiance." in french
    assert "Factuur" in dutch and "Bedankt voor uw vertrouwen." in dutch
    assert detail.structured_content["document"]["language"] == "fr-BE"  # type: ignore[index]
    assert "written in fr-BE" in detail.content[0].text  # type: ignore[union-attr]


async def test_a_pdf_in_another_language_translates_the_seeded_note_and_the_vat_wording_but_not_own_words(
    tmp_path: Path,
) -> None:
    async with Client(await _server(tmp_path)) as c:
        await c.call_tool("create_organization", {"name": "ISA", "country": "Belgium"})
        seeded = (await c.call_tool("create_invoice", {**DUPONT, "items": WORK})).structured_content
        own = (
            await c.call_tool("create_invoice", {**DUPONT, "items": WORK, "note": "Betaling binnen 8 dagen aub."})
        ).structured_content
        assert seeded is not None and own is not None
        german = await _pdf(c, seeded["document"]["number"], "de")
        own_german = await _pdf(c, own["document"]["number"], "de")

    assert "Rechnung" in german and "Vielen Dank für Ihren Auftrag." in german and "Bedankt" not in german
    assert "Steuerschuldnerschaft des Leistungsempfängers" in german and "Verlegging" not in german
    assert "Betaling binnen 8 dagen aub." in own_german  # the business's own words are not translated


async def test_changing_the_organizations_language_rewrites_seeded_notes_and_leaves_issued_documents_as_written(
    tmp_path: Path,
) -> None:
    async with Client(await _server(tmp_path)) as c:
        await c.call_tool("create_organization", {"name": "ISA", "country": "Belgium"})
        before = await c.call_tool("create_invoice", {"client": "Jan", "client_country": "BE", "items": WORK})
        updated = await c.call_tool("update_organization", {"language": "en"})
        after = (await c.call_tool("create_invoice", {"client": "Jan", "items": WORK})).structured_content
        assert before.structured_content is not None and after is not None
        old_pdf = await _pdf(c, before.structured_content["document"]["number"])
        new_pdf = await _pdf(c, after["document"]["number"])

    assert updated.structured_content["organization"]["locale"] == "en-BE"  # type: ignore[index]
    assert "Updated language of ISA" in updated.content[0].text  # type: ignore[union-attr]
    assert "Invoice" in new_pdf and "Thank you for your business." in new_pdf and "Factuur" not in new_pdf
    assert "Factuur" in old_pdf and "Bedankt voor uw vertrouwen." in old_pdf  # issued: it keeps its language


async def test_an_unknown_language_is_a_tool_error_naming_the_ones_there_are(tmp_path: Path) -> None:
    async with Client(await _server(tmp_path)) as c:
        await c.call_tool("create_organization", {"name": "ISA", "country": "Belgium"})
        bad = await c.call_tool("create_invoice", {**DUPONT, "items": WORK, "language": "pl"})
        made = await c.call_tool("find_documents", {})

    assert bad.is_error and "'en'" in bad.content[0].text and "'es'" in bad.content[0].text  # type: ignore[union-attr]
    assert made.structured_content["documents"] == []  # type: ignore[index]


# ---------------------------------------------------------------- the embedded API (REST)

AE_LINE = [{"name": "Consulting", "price": 1000, "_documentItemTaxes": [{"category": "AE"}]}]
FRENCH_BUSINESS = {"name": "Dupont SA", "country": "France", "taxNumber": "FR61954506077", "email": "c@dupont.example"}


async def _rest_pdf(shop: Any, document_id: str, language: str | None = None) -> str:
    response = await shop.api.get(f"/documents/{document_id}/pdf", params={"l": language} if language else None)
    assert response.status_code == 200, response.text
    return _pdf_text(response.content)


async def test_a_documents_language_comes_from_the_request_the_corrected_document_the_client_or_the_organization(
    open_shop: Any,
) -> None:
    shop = await open_shop()
    client = await shop.api.post(f"/organizations/{shop.org_id}/clients", json={**FRENCH_BUSINESS, "locale": "fr"})
    assert client.status_code == 200 and client.json()["locale"] == "fr", client.text
    by_client = await shop.invoice(clientId=client.json()["id"], _documentItems=AE_LINE, _documentClient=None)
    one = {"clientId": client.json()["id"], "_documentClient": None, "_documentItems": AE_LINE}
    by_request = await shop.invoice(**one, locale="de")
    by_org = await shop.invoice()
    credit = await shop.invoice(**one, type="credit-note", documentIds=[by_request["id"]])

    assert (by_client["locale"], by_request["locale"], by_org["locale"]) == ("fr-BE", "de-BE", "nl-BE")
    assert credit["locale"] == "de-BE"  # a correction speaks the language of what it corrects
    assert by_client["taxClause"].startswith("Autoliquidation") and by_client["note"] == "Merci pour votre confiance."
    assert by_request["taxClause"].startswith("Steuerschuldnerschaft")
    assert "Facture" in await _rest_pdf(shop, by_client["id"])
    assert "Gutschrift" in await _rest_pdf(shop, credit["id"])


async def test_a_language_without_labels_is_refused_for_clients_and_documents_but_an_organization_may_use_it(
    open_shop: Any,
) -> None:
    shop = await open_shop()
    client = await shop.api.post(f"/organizations/{shop.org_id}/clients", json={"name": "Kowalski", "locale": "pl"})
    document = await shop.api.post(
        f"/organizations/{shop.org_id}/documents",
        json={"_documentClient": {"name": "X"}, "_documentItems": AE_LINE, "locale": "pl-PL"},
    )
    bad_tag = await shop.api.patch(f"/organizations/{shop.org_id}", json={"locale": "../etc"})
    polish = await shop.api.patch(f"/organizations/{shop.org_id}", json={"locale": "pl"})

    for response in (client, document, bad_tag):
        assert response.status_code == 422, response.text
    assert "not supported; use one of: en, nl, fr, de, sl, it, es" in client.text
    assert polish.status_code == 200 and polish.json()["locale"] == "pl"  # CLDR knows no pl_BE
    pdf = await _rest_pdf(shop, (await shop.invoice())["id"])
    assert "Invoice" in pdf  # English labels, Polish number formats


async def test_an_organizations_new_language_rewrites_only_the_notes_it_did_not_write_itself(open_shop: Any) -> None:
    shop = await open_shop()
    org = (await shop.api.get(f"/organizations/{shop.org_id}")).json()
    estimate_note = next(d for d in org["_defaults"] if d["name"] == "estimate_note")
    own = await shop.api.patch(f"/defaults/{estimate_note['id']}", json={"value": "Onze offerte, met plezier."})
    assert own.status_code == 200, own.text

    changed = await shop.api.patch(f"/organizations/{shop.org_id}", json={"locale": "fr"})

    assert changed.status_code == 200 and changed.json()["locale"] == "fr-BE"
    notes = {d["name"]: d["value"] for d in changed.json()["_defaults"] if d["name"].endswith("_note")}
    assert notes["invoice_note"] == "Merci pour votre confiance."
    assert notes["credit-note_note"].startswith("Cet avoir corrige")
    assert notes["estimate_note"] == "Onze offerte, met plezier."


async def test_a_pdf_in_another_language_uses_the_documents_own_l10n_note(open_shop: Any) -> None:
    shop = await open_shop()
    document = await shop.invoice(note="Eigen tekst.", l10n={"note_en": "Our own words."})

    assert "Our own words." in await _rest_pdf(shop, document["id"], "en")
    assert "Eigen tekst." in await _rest_pdf(shop, document["id"])


async def test_an_email_text_the_business_wrote_is_kept_and_the_seeded_one_follows_the_language(
    open_shop: Any, smtp_server: Any
) -> None:
    shop = await open_shop(smtp_port=smtp_server.port)
    document = await shop.invoice(locale="it")
    sent = await shop.api.post(f"/documents/{document['id']}/send", json={"recipients": "a@example.com"})
    org = (await shop.api.get(f"/organizations/{shop.org_id}")).json()
    body = next(d for d in org["_defaults"] if d["name"] == "email_document")
    await shop.api.patch(f"/defaults/{body['id']}", json={"value": "Dag, hierbij [document type] [document number]."})
    again = await shop.api.post(
        f"/documents/{document['id']}/send", json={"recipients": "a@example.com", "resend": True}
    )
    assert sent.json()["status"] == again.json()["status"] == "sent", (sent.text, again.text)

    (first, first_body, first_pdf), (_, second_body, _) = (_received(e) for e in smtp_server.received.envelopes)
    assert str(first["Subject"]).startswith("Fattura ") and first_body.startswith("Buongiorno,")
    assert "Fattura" in first_pdf and "Grazie per la fiducia." in first_pdf
    assert second_body.strip() == f"Dag, hierbij Fattura {document['number']}."  # own words; the code in Italian


async def test_an_invoice_from_a_french_estimate_does_not_copy_the_estimates_validity_note(tmp_path: Path) -> None:
    async with Client(await _server(tmp_path)) as c:
        await c.call_tool("create_organization", {"name": "ISA", "country": "Belgium"})
        estimate = (
            await c.call_tool("create_invoice", {**DUPONT, "items": WORK, "type": "estimate", "language": "fr"})
        ).structured_content
        assert estimate is not None
        invoice = (
            await c.call_tool("create_invoice", {"related_document": estimate["document"]["number"]})
        ).structured_content
        assert invoice is not None
        detail = (await c.call_tool("get_document", {"document": invoice["document"]["id"]})).structured_content

    assert detail is not None and detail["document"]["note"] == "Merci pour votre confiance."
    assert detail["document"]["language"] == "fr-BE"  # an invoice follows its estimate's language


async def test_a_new_clients_details_with_a_known_email_take_that_clients_language_in_the_vat_wording_too(
    tmp_path: Path,
) -> None:
    from si_mcp.client import SpaceInvoices

    api = SpaceInvoices.local(f"sqlite+aiosqlite:///{tmp_path}/books.db", data_dir=tmp_path / "data")
    async with Client(build_server(Settings(SI_MCP_DATA_DIR=tmp_path / "data"), api=api)) as c:
        await c.call_tool("create_organization", {"name": "ISA", "country": "Belgium"})
        first = {**DUPONT, "client_email": "c@dupont.example", "items": WORK, "language": "fr"}
        await c.call_tool("create_invoice", first)
        again = {**DUPONT, "client": "Dupont Paris", "client_email": "c@dupont.example", "items": WORK}
        made = (await c.call_tool("create_invoice", again)).structured_content
        assert made is not None
        stored = await api.documents.get(made["document"]["id"])
    await api.aclose()

    assert made["language"] == "fr-BE" and stored.locale == "fr-BE"
    assert stored.tax_clause.startswith("Autoliquidation")  # what the Space Invoices API would be sent, too


async def test_a_revised_draft_keeps_its_language_and_a_language_without_that_regions_data_stays_bare(
    open_shop: Any,
) -> None:
    shop = await open_shop()
    draft = await shop.invoice(draft=True, locale="de")
    body = {
        "draft": True,
        "_documentClient": {"name": "Rocket man"},
        "_documentItems": AE_LINE[:0] or [{"name": "Space suit", "price": 100, "_documentItemTaxes": [{"rate": 21}]}],
    }
    revised = await shop.api.put(f"/documents/{draft['id']}", json=body)
    slovenian = await shop.invoice(locale="sl")

    assert revised.status_code == 200, revised.text
    assert (draft["locale"], revised.json()["locale"]) == ("de-BE", "de-BE")
    assert revised.json()["note"] == "Vielen Dank für Ihren Auftrag."
    assert slovenian["locale"] == "sl"  # CLDR has no sl_BE: the tag stays one CLDR knows


async def test_a_saved_subject_on_several_lines_is_flattened_rather_than_refusing_every_send(
    open_shop: Any, smtp_server: Any
) -> None:
    shop = await open_shop(smtp_port=smtp_server.port)
    org = (await shop.api.get(f"/organizations/{shop.org_id}")).json()
    subject = next(d for d in org["_defaults"] if d["name"] == "email_subject")
    await shop.api.patch(f"/defaults/{subject['id']}", json={"value": "Uw [document type]\n[document number]"})
    document = await shop.invoice()

    sent = await shop.api.post(f"/documents/{document['id']}/send", json={"recipients": "a@example.com"})

    assert sent.status_code == 200 and sent.json()["status"] == "sent", sent.text
    message, _, _ = _received(smtp_server.received.envelopes[0])
    assert str(message["Subject"]) == f"Uw Factuur {document['number']}"
