"""PDF rendering: content, languages, document types, PDF/A, untrusted text, fonts, templates, cache."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pypdf
import pytest

from si_mcp.local.pdf import (
    LANGUAGES,
    MissingGlyphError,
    PdfRenderer,
    TemplateError,
    UnsupportedLanguageError,
)
from si_mcp.models import Document, Organization
from si_mcp.settings import Settings

A4_WIDTH_PT = 595.28


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\u200b", "")


def _models(document: dict[str, Any], organization: dict[str, Any]) -> tuple[Document, Organization]:
    return Document.model_validate(document), Organization.model_validate(organization)


def test_seed_invoice_renders_number_client_dutch_amounts_and_vat_label(
    renderer: PdfRenderer, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    document, organization = _models(seed_document_body, seed_organization_body)

    text = _text(renderer.render_sync(document, organization))

    assert organization.locale == "nl-BE"
    assert "Factuur" in text
    assert "2023-00001" in text
    assert "Rocket man" in text
    assert "International Space Agency" in text
    assert "€\xa010.000,00" in text  # total excl. VAT, nl-BE style
    assert "€\xa012.100,00" in text  # total incl. VAT
    assert "€\xa02.100,00" in text  # VAT
    assert "BTW 21%" in text
    assert "30 mei 2023" in text  # due date, Dutch month


def test_pdf_is_pdf_a_3b_with_embedded_noto_sans(
    renderer: PdfRenderer, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    pdf = renderer.render_sync(*_models(seed_document_body, seed_organization_body))

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"<pdfaid:part>3</pdfaid:part>" in xmp
    assert b"<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert "/OutputIntents" in reader.trailer["/Root"]
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    assert any("NotoSans" in str(f["/BaseFont"]) for f in fonts)
    assert reader.pages[0].mediabox.width == pytest.approx(A4_WIDTH_PT, abs=0.1)


@pytest.mark.parametrize(
    ("document_type", "titles"),
    [
        ("invoice", ["Invoice", "Factuur", "Facture", "Rechnung", "Račun", "Fattura", "Factura"]),
        ("estimate", ["Estimate", "Offerte", "Devis", "Angebot", "Predračun", "Preventivo", "Presupuesto"]),
        (
            "advance",
            [
                "Advance invoice",
                "Voorschotfactuur",
                "Facture d'acompte",
                "Anzahlungsrechnung",
                "Avansni račun",
                "Fattura d'acconto",
                "Factura de anticipo",
            ],
        ),
        (
            "credit-note",
            [
                "Credit note",
                "Creditnota",
                "Note de crédit",
                "Gutschrift",
                "Dobropis",
                "Nota di credito",
                "Nota de crédito",
            ],
        ),
    ],
)
def test_every_document_type_renders_its_own_title_in_every_language(
    renderer: PdfRenderer,
    seed_document_body: dict[str, Any],
    seed_organization_body: dict[str, Any],
    document_type: str,
    titles: list[str],
) -> None:
    seed_document_body["type"] = document_type
    document, organization = _models(seed_document_body, seed_organization_body)

    for language, title in zip(LANGUAGES, titles, strict=True):
        text = _text(renderer.render_sync(document, organization, language=language))
        assert title in text, (document_type, language)
        assert "2023-00001" in text


def test_language_parameter_overrides_the_organization_locale_and_keeps_its_region(
    renderer: PdfRenderer, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    text = _text(renderer.render_sync(*_models(seed_document_body, seed_organization_body), language="fr"))

    assert "Facture" in text
    assert "12\u202f100,00\xa0€" in text  # fr_BE grouping with a narrow no-break space
    assert "TVA" in text


def test_unsupported_language_is_refused_with_the_supported_list(
    renderer: PdfRenderer, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    with pytest.raises(UnsupportedLanguageError) as caught:
        renderer.render_sync(*_models(seed_document_body, seed_organization_body), language="xx")

    assert "en, nl, fr, de, sl, it, es" in str(caught.value)


def test_organization_locale_without_labels_uses_english_labels_and_local_number_format(
    renderer: PdfRenderer, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    seed_organization_body["locale"] = "pl-PL"

    text = _text(renderer.render_sync(*_models(seed_document_body, seed_organization_body)))

    assert "Invoice" in text
    assert "12\xa0100,00\xa0€" in text


def test_money_is_rounded_half_up_before_formatting(
    renderer: PdfRenderer, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    seed_document_body["totalWithTax"] = seed_document_body["total"] = "0.125"
    seed_document_body["_documentItems"][0]["price"] = "0.1234"

    text = _text(renderer.render_sync(*_models(seed_document_body, seed_organization_body)))

    assert "€\xa00,13" in text  # babel alone would round half-even to 0,12
    assert "€\xa00,1234" in text  # unit prices keep their decimals


def test_typst_markup_in_untrusted_text_is_printed_literally(
    renderer: PdfRenderer, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    hostile = r"*Acme* #set page(width: 1cm) $x^2$ [a] \ ]] _u_ `r` <l> @ref"
    seed_document_body["_documentClient"]["name"] = hostile
    seed_document_body["_documentItems"][0]["name"] = '#read("/etc/passwd")'
    seed_document_body["_documentItems"][0]["description"] = "#emph[not emphasised] \\\\ #pagebreak()"
    seed_document_body["note"] = "#{ panic() } // not a comment"

    pdf = renderer.render_sync(*_models(seed_document_body, seed_organization_body))

    text = _text(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert hostile in text
    assert '#read("/etc/passwd")' in text
    assert "#emph[not emphasised] \\\\ #pagebreak()" in text
    assert "#{ panic() } // not a comment" in text
    assert len(reader.pages) == 1
    assert reader.pages[0].mediabox.width == pytest.approx(A4_WIDTH_PT, abs=0.1)


def test_control_and_bidi_override_characters_are_dropped(
    renderer: PdfRenderer, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    seed_document_body["_documentClient"]["name"] = "Evil\x07 Corp\u202e gpj.exe\x1b[31m"
    seed_document_body["note"] = "one\x00two\r\nthree\n\n\n\n\n\n\n\nfour"

    text = _text(renderer.render_sync(*_models(seed_document_body, seed_organization_body)))

    assert "Evil Corp gpj.exe[31m" in text
    assert "onetwo\nthree\nfour" in text


def test_very_long_words_wrap_inside_the_page(
    renderer: PdfRenderer, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    seed_document_body["_documentClient"]["name"] = "W" * 300
    pdf = renderer.render_sync(*_models(seed_document_body, seed_organization_body))

    rows: set[float] = set()

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if "WWWW" in text:
            rows.add(round(float(cm[5]), 1))  # typst positions each line with the CTM

    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    page.extract_text(visitor_text=visit)
    assert "W" * 300 in _text(pdf).replace("\n", "")
    assert len(rows) >= 3  # 300 wide letters need several lines in the client box


def test_character_no_font_has_is_a_clear_error_naming_it(
    renderer: PdfRenderer, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    seed_document_body["_documentClient"]["name"] = "東京 Trading"

    with pytest.raises(MissingGlyphError) as caught:
        renderer.render_sync(*_models(seed_document_body, seed_organization_body))

    assert caught.value.characters == ["東", "京"]
    assert "U+6771" in str(caught.value)
    assert "SI_MCP_FONT_DIRS" in str(caught.value)


def test_latin_greek_and_cyrillic_render_with_the_shipped_fonts(
    renderer: PdfRenderer, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    seed_document_body["_documentClient"]["name"] = "Łódź Zażółć Ελλάδα Москва Straße"

    text = _text(renderer.render_sync(*_models(seed_document_body, seed_organization_body)))

    assert "Łódź Zażółć Ελλάδα Москва Straße" in text


DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@pytest.mark.skipif(not DEJAVU.is_dir(), reason="needs a font folder with Georgian glyphs (DejaVu)")
def test_font_folder_from_settings_supplies_glyphs_the_shipped_fonts_lack(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    seed_document_body: dict[str, Any],
    seed_organization_body: dict[str, Any],
) -> None:
    seed_document_body["_documentClient"]["name"] = "Ⴀ Georgian"
    document, organization = _models(seed_document_body, seed_organization_body)
    with pytest.raises(MissingGlyphError):
        PdfRenderer().render_sync(document, organization)

    monkeypatch.setenv("SI_MCP_FONT_DIRS", f'["{DEJAVU}"]')  # the form the error message suggests
    settings = Settings(SI_MCP_DATA_DIR=tmp_path)
    text = _text(PdfRenderer.from_settings(settings).render_sync(document, organization))

    assert "Ⴀ Georgian" in text


def test_template_error_reports_file_line_and_column(
    tmp_path: Path, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    template = tmp_path / "mine.typ"
    template.write_text("#let d = json(bytes(sys.inputs.data))\nHello\n#text(size: 9pt, d.number\n")

    with pytest.raises(TemplateError) as caught:
        PdfRenderer(template=template).render_sync(*_models(seed_document_body, seed_organization_body))

    assert (caught.value.file, caught.value.line, caught.value.column) == ("mine.typ", 3, 6)  # the "(" left open
    assert "mine.typ:3:6" in str(caught.value)


def test_template_from_settings_replaces_the_packaged_one(
    tmp_path: Path, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    template = tmp_path / "custom.typ"
    template.write_text("#let d = json(bytes(sys.inputs.data))\nCUSTOM LAYOUT #d.title #d.number\n")
    settings = Settings(SI_MCP_DATA_DIR=tmp_path, SI_MCP_PDF_TEMPLATE=str(template))

    text = _text(PdfRenderer.from_settings(settings).render_sync(*_models(seed_document_body, seed_organization_body)))

    assert "CUSTOM LAYOUT Factuur 2023-00001" in text


def test_template_cannot_read_files_outside_its_folder(
    tmp_path: Path, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    folder = tmp_path / "template"
    folder.mkdir()
    template = folder / "invoice.typ"
    template.write_text('#read("../secret.txt")\n')

    with pytest.raises(TemplateError) as caught:
        PdfRenderer(template=template).render_sync(*_models(seed_document_body, seed_organization_body))

    assert "TOP SECRET" not in str(caught.value)
    assert caught.value.line == 1


def test_missing_template_file_is_a_template_error(
    tmp_path: Path, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    with pytest.raises(TemplateError) as caught:
        PdfRenderer(template=tmp_path / "nope.typ").render_sync(*_models(seed_document_body, seed_organization_body))

    assert "nope.typ" in str(caught.value)


def test_unchanged_document_is_rendered_once_and_a_change_renders_again(
    tmp_path: Path, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    cache = tmp_path / "cache"
    renderer = PdfRenderer(cache_dir=cache)
    document, organization = _models(seed_document_body, seed_organization_body)

    first = renderer.render_sync(document, organization)
    second = renderer.render_sync(document, organization)
    assert first == second
    assert renderer.stats.renders == 1
    assert renderer.stats.memory_hits == 1

    seed_document_body["note"] = "A different note"
    changed = renderer.render_sync(*_models(seed_document_body, seed_organization_body))
    assert changed != first
    assert renderer.stats.renders == 2

    restarted = PdfRenderer(cache_dir=cache)
    assert restarted.render_sync(document, organization) == first
    assert (restarted.stats.renders, restarted.stats.disk_hits) == (0, 1)


def test_editing_the_template_invalidates_the_cache(
    tmp_path: Path, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    template = tmp_path / "t.typ"
    template.write_text("version one\n")
    renderer = PdfRenderer(template=template)
    document, organization = _models(seed_document_body, seed_organization_body)
    assert "version one" in _text(renderer.render_sync(document, organization))

    template.write_text("version two, edited\n")

    assert "version two, edited" in _text(renderer.render_sync(document, organization))
    assert renderer.stats.renders == 2


def test_same_document_gives_identical_bytes_in_a_fresh_renderer(
    seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    document, organization = _models(seed_document_body, seed_organization_body)

    assert PdfRenderer().render_sync(document, organization) == PdfRenderer().render_sync(document, organization)


@pytest.mark.anyio
async def test_async_render_compiles_in_a_worker_thread(
    seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    threads: list[int] = []

    class Recording(PdfRenderer):
        def compile_view(self, view: dict[str, Any], **kwargs: Any) -> bytes:
            threads.append(threading.get_ident())
            return super().compile_view(view, **kwargs)

    pdf = await Recording().render(*_models(seed_document_body, seed_organization_body))

    assert pdf.startswith(b"%PDF-")
    assert threads and threads[0] != threading.get_ident()


def test_pdf_creation_date_is_the_issue_date(
    renderer: PdfRenderer, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    pdf = renderer.render_sync(*_models(seed_document_body, seed_organization_body))

    created = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert created is not None and created.creation_date is not None
    assert created.creation_date.replace(tzinfo=None) == datetime(2023, 4, 30, 6, 14, 3)


def test_importing_the_pdf_and_mail_packages_does_not_load_typst_babel_or_smtp() -> None:
    code = (
        "import sys, si_mcp.local.pdf, si_mcp.local.mail; "
        "heavy = [m for m in ('typst', 'babel', 'aiosmtplib', 'aiosmtpd', 'pypdf') if m in sys.modules]; "
        "print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"


def _red_png(size: int = 4) -> bytes:
    """A tiny valid PNG, made by hand (no imaging library needed)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xcc\x00\x00" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_logo_next_to_a_custom_template_is_printed_in_the_header(
    tmp_path: Path, seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    from si_mcp.local.pdf import DEFAULT_TEMPLATE

    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "invoice.typ").write_text(DEFAULT_TEMPLATE.read_text())
    document, organization = _models(seed_document_body, seed_organization_body)
    without = PdfRenderer(template=folder / "invoice.typ").render_sync(document, organization)
    (folder / "logo.png").write_bytes(_red_png())

    with_logo = PdfRenderer(template=folder / "invoice.typ").render_sync(document, organization)

    assert "/XObject" not in pypdf.PdfReader(io.BytesIO(without)).pages[0]["/Resources"]
    images = pypdf.PdfReader(io.BytesIO(with_logo)).pages[0].images
    assert len(images) == 1


@pytest.mark.parametrize(
    ("change", "asks_for_payment"),
    [
        ({}, True),  # unpaid, the organization has an IBAN
        ({"_iban": ""}, False),  # nowhere to pay to: no "Please pay to bank account ."
        ({"totalPaid": 12100, "totalDue": 0, "paidInFull": True}, False),
        ({"type": "credit-note"}, False),
    ],
)
def test_payment_instructions_are_printed_only_when_something_is_due_to_a_known_account(
    renderer: PdfRenderer,
    seed_document_body: dict[str, Any],
    seed_organization_body: dict[str, Any],
    change: dict[str, Any],
    asks_for_payment: bool,
) -> None:
    iban = change.pop("_iban", "BE68 5390 0754 7034")
    body = {**seed_document_body, "totalPaid": 0, "totalDue": 12100, "paidInFull": False, **change}
    body["note"] = "Bedankt voor uw vertrouwen."  # what a document gets today (the stored seed has the old note)
    body["_documentIssuer"] = {**body["_documentIssuer"], "IBAN": iban}
    document, organization = _models(body, seed_organization_body)

    text = " ".join(_text(renderer.render_sync(document, organization)).split())

    assert ("Gelieve € 12.100,00 over te schrijven" in text.replace("\xa0", " ")) is asks_for_payment
    assert ("BE68 5390 0754 7034" in text) is asks_for_payment
    assert "bank account ." not in text
