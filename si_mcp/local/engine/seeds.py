"""The settings (``_defaults``) every new organization starts with (Space Invoices §4.2)."""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT_DUE_DAYS", "DEFAULT_VALID_DAYS", "organization_defaults"]

DEFAULT_DUE_DAYS = 30
DEFAULT_VALID_DAYS = 30

INVOICE_NOTE = (
    "Please pay to bank account [IBAN].\nWhen paying please use reference [document number].\n\n\n\n"
    "Thank you for your business"
)
ESTIMATE_NOTE = "This estimate is valid until [valid till].\n\nWe look forward to working with you."
ADVANCE_NOTE = "Thank you for your payment."
CREDIT_NOTE_NOTE = "This credit note corrects an earlier invoice.\nThank you for your business"
FOOTER = "[organization name], [address], [zip] [city], [country]"
EMAIL_DOCUMENT = (
    "Hello,\n\nplease find attached [document type] [document number].\n\nKind regards,\n[organization name]"
)
EMAIL_SUBJECT = "[document type] [document number] from [organization name]"


def organization_defaults(currency: str) -> list[tuple[str, Any]]:
    """(name, value) pairs seeded on organization creation, in a stable order."""
    return [
        ("currencyId", currency),
        ("invoice_dueDays", DEFAULT_DUE_DAYS),
        ("estimate_validTillDays", DEFAULT_VALID_DAYS),
        ("invoice_note", INVOICE_NOTE),
        ("estimate_note", ESTIMATE_NOTE),
        ("advance_note", ADVANCE_NOTE),
        ("credit-note_note", CREDIT_NOTE_NOTE),
        ("signature", "[organization name]"),
        ("footer", FOOTER),
        ("email_document", EMAIL_DOCUMENT),
        ("email_subject", EMAIL_SUBJECT),
        ("color_main", "0082c9"),
        ("pdf_template", "classic"),
    ]
