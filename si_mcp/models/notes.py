"""The default notes documents start with, in every language we write, and how to recognize one on a document.

Pure data and functions: the embedded API seeds and prints them, the MCP tools recognize them (an estimate's
validity note is not copied onto the invoice made from it), both the same way.
"""

from __future__ import annotations

import re

from .language import LANGUAGES, base_language

__all__ = ["FIRST_RELEASE_NOTES", "NOTE_NAMES", "default_note", "filled_from", "is_seeded_note", "translate_note"]

# What the first release seeded (Space Invoices' texts, English only). Payment instructions do not belong in a note:
# it is fixed when the document is issued, so it would still ask for payment once the invoice is paid, and it
# printed "Please pay to bank account ." without an IBAN. The PDF's payment block says it only when true.
FIRST_RELEASE_NOTES = {
    "invoice_note": (
        "Please pay to bank account [IBAN].\nWhen paying please use reference [document number].\n\n\n\n"
        "Thank you for your business"
    ),
    "estimate_note": "This estimate is valid until [valid till].\n\nWe look forward to working with you.",
    "advance_note": "Thank you for your payment.",
    "credit-note_note": "This credit note corrects an earlier invoice.\nThank you for your business",
}

_NOTES: dict[str, tuple[str, ...]] = {
    "invoice_note": (
        "Thank you for your business.",
        "Bedankt voor uw vertrouwen.",
        "Merci pour votre confiance.",
        "Vielen Dank für Ihren Auftrag.",
        "Hvala za zaupanje.",
        "Grazie per la fiducia.",
        "Gracias por su confianza.",
    ),
    "estimate_note": (
        "This estimate is valid until [valid till].\n\nWe look forward to working with you.",
        "Deze offerte is geldig tot [valid till].\n\nWij kijken ernaar uit met u samen te werken.",
        "Ce devis est valable jusqu'au [valid till].\n\nAu plaisir de travailler avec vous.",
        "Dieses Angebot ist gültig bis [valid till].\n\nWir freuen uns auf die Zusammenarbeit.",
        "Ponudba velja do [valid till].\n\nVeselimo se sodelovanja z vami.",
        "Il presente preventivo è valido fino al [valid till].\n\nRestiamo a vostra disposizione.",
        "Este presupuesto es válido hasta el [valid till].\n\nEsperamos trabajar con usted.",
    ),
    "advance_note": (
        "Thank you for your payment.",
        "Bedankt voor uw betaling.",
        "Merci pour votre paiement.",
        "Vielen Dank für Ihre Zahlung.",
        "Hvala za plačilo.",
        "Grazie per il pagamento.",
        "Gracias por su pago.",
    ),
    "credit-note_note": (
        "This credit note corrects an earlier invoice.\nThank you for your business.",
        "Deze creditnota corrigeert een eerdere factuur.\nBedankt voor uw vertrouwen.",
        "Cet avoir corrige une facture antérieure.\nMerci pour votre confiance.",
        "Diese Gutschrift berichtigt eine frühere Rechnung.\nVielen Dank für Ihren Auftrag.",
        "Ta dobropis popravlja prejšnji račun.\nHvala za zaupanje.",
        "Questa nota di credito rettifica una fattura precedente.\nGrazie per la fiducia.",
        "Esta factura rectificativa corrige una factura anterior.\nGracias por su confianza.",
    ),
}

NOTE_NAMES: tuple[str, ...] = tuple(_NOTES)


def default_note(name: str, locale: str) -> str:
    """The seeded ``<type>_note`` in the organization's language (English when it is not one of ours)."""
    code = base_language(locale)
    texts = _NOTES[name]
    return texts[LANGUAGES.index(code)] if code in LANGUAGES else texts[0]


def is_seeded_note(name: str, text: str) -> bool:
    """Whether ``text`` is the ``name`` note as seeded, in any of our languages: nobody rewrote it."""
    return name in _NOTES and text.strip() in {seeded.strip() for seeded in _NOTES[name]}


_CODE = re.compile(r"\[([^\]]*)\]")


def translate_note(note: str, document_type: str, language: str) -> str | None:
    """``note``, a seeded ``<type>_note`` as printed on a document (smart codes filled in), in ``language``; None
    when it is not one (a note someone wrote is their words: it is not translated).

    The values the smart codes took (a date) are carried over, so "valid until 2026-01-31" keeps its date.
    """
    for seeded in _NOTES.get(f"{document_type}_note", ()):
        values = filled_from(seeded, note)
        if values is not None:
            return _fill(default_note(f"{document_type}_note", language), values)
    return None


def filled_from(template: str, text: str) -> dict[str, str] | None:
    """The values ``template``'s smart codes took if ``text`` is ``template`` with its codes filled in, else None."""
    if not text.strip():
        return None
    parts = _CODE.split(template.strip())  # text, code, text, code, ..., text
    pattern = "".join(re.escape(part) if i % 2 == 0 else f"(?P<c{i}>.*?)" for i, part in enumerate(parts))
    match = re.fullmatch(pattern, text.strip(), flags=re.DOTALL)
    if match is None:
        return None
    return {parts[i].strip().lower(): match.group(f"c{i}") for i in range(1, len(parts), 2)}


def _fill(template: str, values: dict[str, str]) -> str:
    return _CODE.sub(lambda m: values.get(m.group(1).strip().lower(), m.group(0)), template)
