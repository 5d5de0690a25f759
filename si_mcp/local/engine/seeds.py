"""The settings (``_defaults``) every new organization starts with (Space Invoices §4.2)."""

from __future__ import annotations

from typing import Any

from si_mcp.models.notes import NOTE_NAMES, default_note, is_seeded_note

__all__ = [
    "DEFAULT_DUE_DAYS",
    "DEFAULT_VALID_DAYS",
    "EMAIL_DOCUMENT",
    "EMAIL_SUBJECT",
    "organization_defaults",
    "relocalized_defaults",
]

DEFAULT_DUE_DAYS = 30
DEFAULT_VALID_DAYS = 30


def relocalized_defaults(defaults: dict[str, Any], language: str) -> dict[str, str]:
    """The seeded notes among ``defaults`` (name → value) rewritten in ``language``: what changes when an
    organization changes its language (notes it wrote itself stay)."""
    return {
        name: default_note(name, language)
        for name, value in defaults.items()
        if isinstance(value, str) and is_seeded_note(name, value) and value != default_note(name, language)
    }


FOOTER = "[organization name], [address], [zip] [city], [country]"
EMAIL_DOCUMENT = (
    "Hello,\n\nplease find attached [document type] [document number].\n\nKind regards,\n[organization name]"
)
EMAIL_SUBJECT = "[document type] [document number] from [organization name]"


def organization_defaults(currency: str, locale: str = "en") -> list[tuple[str, Any]]:
    """(name, value) pairs seeded on organization creation, in a stable order; notes in the ``locale``'s language."""
    return [
        ("currencyId", currency),
        ("invoice_dueDays", DEFAULT_DUE_DAYS),
        ("estimate_validTillDays", DEFAULT_VALID_DAYS),
        *((name, default_note(name, locale)) for name in NOTE_NAMES),
        ("signature", "[organization name]"),
        ("footer", FOOTER),
        ("email_document", EMAIL_DOCUMENT),
        ("email_subject", EMAIL_SUBJECT),
        ("color_main", "0082c9"),
        ("pdf_template", "classic"),
    ]
