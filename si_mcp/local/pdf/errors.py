"""Errors of PDF rendering, each with a message a user can act on."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["MissingGlyphError", "PdfError", "TemplateError", "missing_characters", "template_error"]


class PdfError(Exception):
    """Base of every rendering error."""

    code = "PDF_ERROR"


class TemplateError(PdfError):
    """The typst template failed to compile; ``line`` and ``column`` point into ``file``."""

    code = "PDF_TEMPLATE_ERROR"

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None, column: int | None = None):
        self.file = file
        self.line = line
        self.column = column
        where = f" at {file}:{line}:{column}" if file and line is not None and column is not None else ""
        super().__init__(f"PDF template error{where}: {message}")


class MissingGlyphError(PdfError):
    """Some text has characters that no available font can draw."""

    code = "PDF_MISSING_GLYPH"

    def __init__(self, characters: list[str]) -> None:
        self.characters = characters
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in characters)
        super().__init__(
            f"The document contains characters that no available font can display: {shown}. "
            "Install a font that has them (for example Noto Sans CJK for Chinese or Japanese) and add its "
            "folder to SI_MCP_FONT_DIRS, a JSON list of folders, e.g. SI_MCP_FONT_DIRS='[\"/path/to/fonts\"]'."
        )


# typst: PDF/A-3b error: the text `"\u{7}"` could not be displayed with font `"Noto Sans"`
_GLYPH = re.compile(r'the text `"((?:[^"\\]|\\.)*)"` could not be displayed')
_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]{1,6})\}|\\(.)")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}
# typst diagnostics point at the source like "  ┌─ invoice.typ:12:5"
_LOCATION = re.compile(r"┌─ (.+?):(\d+):(\d+)")


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(1):
            return chr(int(match.group(1), 16))
        char = match.group(2)
        return _SIMPLE_ESCAPES.get(char, char)

    return _ESCAPE.sub(one, text)


def missing_characters(diagnostic: str) -> list[str]:
    """The characters typst reports as undisplayable, in order of first appearance."""
    found: dict[str, None] = {}
    for match in _GLYPH.finditer(diagnostic):
        for char in _unescape(match.group(1)):
            if not char.isspace():
                found.setdefault(char, None)
    return list(found)


def template_error(message: str, diagnostic: str, template: Path) -> PdfError:
    """Map a typst failure to :class:`MissingGlyphError` or a located :class:`TemplateError`.

    typst reports the file relative to the working directory and a 0-based column; the error names the
    file relative to the template's folder and the 1-based column an editor shows.
    """
    characters = missing_characters(diagnostic)
    if characters:
        return MissingGlyphError(characters)
    # Never tell a caller where the server keeps its files (typst's "searched at /abs/path/…").
    message = message.replace(str(template.parent), "<template folder>")
    location = _LOCATION.search(diagnostic)
    if location is None:
        return TemplateError(message)
    file = _relative_to_template(location.group(1), template)
    return TemplateError(message, file=file, line=int(location.group(2)), column=int(location.group(3)) + 1)


def _relative_to_template(reported: str, template: Path) -> str:
    path = Path(reported)
    try:
        return str((path if path.is_absolute() else Path.cwd() / path).resolve().relative_to(template.parent))
    except (ValueError, OSError):
        return reported
