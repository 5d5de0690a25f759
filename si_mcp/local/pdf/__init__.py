"""Documents as PDF: a typst template fed with a pre-formatted view of the document.

Nothing here imports typst or babel at import time, so the MCP stdio start-up stays fast.
"""

from si_mcp.models.labels import (
    LANGUAGES,
    Language,
    UnsupportedLanguageError,
    document_title,
    labels_for,
    resolve_language,
)

from .errors import MissingGlyphError, PdfError, TemplateError
from .renderer import DEFAULT_TEMPLATE, PdfRenderer, RenderStats
from .view import build_view, clean_text

__all__ = [
    "DEFAULT_TEMPLATE",
    "LANGUAGES",
    "Language",
    "MissingGlyphError",
    "PdfError",
    "PdfRenderer",
    "RenderStats",
    "TemplateError",
    "UnsupportedLanguageError",
    "build_view",
    "clean_text",
    "document_title",
    "labels_for",
    "resolve_language",
]
