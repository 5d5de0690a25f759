"""The languages documents are written in, and the tags that name them.

One list for the labels, the VAT wording, the default notes and the checks on requests. A tag is a BCP-47-like
``language[-region]`` (``fr``, ``nl-BE``, ``de_AT``); an organization's ``locale`` may name any language (its
documents then print English labels in its number formats), a client's or a document's must be one of ours.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

__all__ = ["LANGUAGES", "LanguageTag", "SupportedLanguage", "base_language", "supported"]

LANGUAGES: tuple[str, ...] = ("en", "nl", "fr", "de", "sl", "it", "es")
"""Languages with labels, VAT legends, default notes and email texts (the order of every per-language table)."""

_TAG_PATTERN = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,2}$"


def base_language(tag: str) -> str:
    """``"nl-BE"`` → ``"nl"``."""
    return tag.strip().replace("_", "-").split("-")[0].lower()


def supported(tag: str | None) -> bool:
    return bool(tag) and base_language(tag or "") in LANGUAGES


def _check_supported(value: str | None) -> str | None:
    if value is not None and not supported(value):
        raise ValueError(f"language {value[:20]!r} is not supported; use one of: {', '.join(LANGUAGES)}")
    return value


LanguageTag = Annotated[str, Field(max_length=20, pattern=_TAG_PATTERN)]
"""Any language tag (an organization's ``locale``)."""

SupportedLanguage = Annotated[
    str,
    Field(max_length=20, pattern=_TAG_PATTERN, description=f"one of {', '.join(LANGUAGES)}, optionally with a region"),
    AfterValidator(_check_supported),
]
"""A tag whose language documents can be written in (a client's or a document's ``locale``)."""
