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
_DTD = re.compile(r"<!DOCTYPE|<!ENTITY", re.IGNORECASE)  # refused before parsing: no entity is ever expanded
_DATA_URL = re.compile(r"^data:image/(?:png|jpe?g|gif|webp)(?:;[^,;]*)*,", re.IGNORECASE)  # a whole data: URL
_FRAGMENT = re.compile(r"^#[A-Za-z_][\w.\-]*$")  # an element of the drawing itself
_URL = re.compile(r"""url\(\s*["']?\s*([^)"']*)""", re.IGNORECASE)
_PICTURES = frozenset({"image", "feImage"})  # elements that draw what their href names (typst reads a path)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _check_links(value: str, *, picture: bool) -> None:
    target = value.strip()
    if _DATA_URL.match(target) or (not picture and _FRAGMENT.match(target)):
        return
    if picture:
        raise ImageRefused("the SVG draws a picture from outside itself; embed it as a PNG or JPEG data: URI")
    raise ImageRefused("the SVG refers to something outside itself; embed pictures as PNG or JPEG data: URIs")


def _check_svg(text: str) -> None:
    """Parsed (no DTD can be there: refused before), every element and attribute looked at by its local name, so
    neither namespace prefixes, quoting nor character references hide a link."""
    import xml.etree.ElementTree as ElementTree

    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        raise ImageRefused("the file is not a well-formed SVG image") from None
    if _local(root.tag) != "svg":
        raise ImageRefused("the file is not a PNG, JPEG or SVG image")
    for element in root.iter():
        tag = _local(str(element.tag))
        if tag in ("script", "foreignObject"):
            raise ImageRefused(f"the SVG contains {'a script' if tag == 'script' else 'a foreign object'}")
        for name, value in element.attrib.items():
            attribute = _local(name)
            if attribute.lower().startswith("on"):
                raise ImageRefused("the SVG contains an event handler; only self-contained drawings are printed")
            if attribute == "href":
                _check_links(value, picture=tag in _PICTURES)
            for target in _URL.findall(value):
                _check_links(target, picture=False)
        if tag == "style" and element.text:
            if "@import" in element.text:
                raise ImageRefused("the SVG refers to something outside itself (a style sheet)")
            for target in _URL.findall(element.text):
                _check_links(target, picture=False)


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
    if _DTD.search(text):
        raise ImageRefused("the SVG contains a DTD or entity; only self-contained drawings are printed")
    if "<?xml-stylesheet" in text:
        raise ImageRefused("the SVG refers to something outside itself (a style sheet)")
    _check_svg(text)
    return "image/svg+xml"
