"""Organization images (a logo, a signature): what an upload is, told from its bytes, never from its name or the
type its sender claims. PNG and JPEG by their signatures; SVG as text that is an ``<svg>`` document and nothing
that reaches outside it (no DTD or entities, no scripts or foreign objects, no event handlers, links only to its
own fragments or to embedded PNG, JPEG, GIF or WebP ``data:`` pictures), so printing it on a PDF reads no file
and calls no host."""

from __future__ import annotations

import re

__all__ = ["IMAGE_TYPES", "MAX_IMAGE_BYTES", "ImageRefused", "sniff"]

IMAGE_TYPES = ("logo", "signature")
MAX_IMAGE_BYTES = 512 * 1024
"""A logo is a few kilobytes to a few hundred: larger uploads are refused (413)."""


class ImageRefused(ValueError):
    """Not an image we print: the message says why."""


_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_SVG_ROOT = re.compile(r"<svg[\s>]", re.IGNORECASE)
_FORBIDDEN = (
    (re.compile(r"<!DOCTYPE|<!ENTITY", re.IGNORECASE), "a DTD or entity"),
    (re.compile(r"<\s*script", re.IGNORECASE), "a script"),
    (re.compile(r"<\s*foreignObject", re.IGNORECASE), "a foreign object"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "an event handler"),
)
_LINK = re.compile(r"""(?:xlink:)?href\s*=\s*["']\s*([^"']*)["']""", re.IGNORECASE)
# An element that draws a picture from its href: only an embedded one (typst would read "#/../x.png" as a file).
_PICTURE = re.compile(r"<\s*(?:[\w-]+:)?(?:image|feImage)\b", re.IGNORECASE)
_FRAGMENT = re.compile(r"^#[A-Za-z_][\w.\-]*$")  # a reference to an element of the drawing itself
_EMBEDDED = ("data:image/png", "data:image/jpeg", "data:image/jpg", "data:image/gif", "data:image/webp")
_URL = re.compile(r"""url\(\s*["']?\s*([^)"']*)""", re.IGNORECASE)


def sniff(content: bytes) -> str:
    """The media type of an image we print: ``image/png``, ``image/jpeg`` or ``image/svg+xml``."""
    if not content:
        raise ImageRefused("the file is empty")
    if len(content) > MAX_IMAGE_BYTES:
        raise ImageRefused(f"the file is larger than {MAX_IMAGE_BYTES // 1024} KiB")
    if content.startswith(_PNG) and content[12:16] == b"IHDR":
        return "image/png"
    if content.startswith(_JPEG):
        return "image/jpeg"
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImageRefused("the file is not a PNG, JPEG or SVG image") from None
    if not _SVG_ROOT.search(text[:4096]):
        raise ImageRefused("the file is not a PNG, JPEG or SVG image")
    for pattern, what in _FORBIDDEN:
        if pattern.search(text):
            raise ImageRefused(f"the SVG contains {what}; only self-contained drawings are printed")
    if "<?xml-stylesheet" in text or "@import" in text:
        raise ImageRefused("the SVG refers to something outside itself (a style sheet)")
    if _PICTURE.search(text):  # then every link must be an embedded picture: a tag cannot hide a "#…" path
        for target in _LINK.findall(text):
            if not target.strip().lower().startswith(_EMBEDDED):
                raise ImageRefused("the SVG draws a picture from outside itself; embed it as a PNG or JPEG data: URI")
    for target in [*_LINK.findall(text), *_URL.findall(text)]:
        target = target.strip()
        if not (_FRAGMENT.match(target) or target.lower().startswith(_EMBEDDED)):
            raise ImageRefused("the SVG refers to something outside itself; embed pictures as PNG or JPEG data: URIs")
    return "image/svg+xml"
