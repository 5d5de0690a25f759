"""Organization images over REST: a logo uploaded as multipart is told by its bytes, kept per organization, served
back, printed on the organization's PDFs, and refused when it is not a self-contained PNG, JPEG or SVG."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import AsyncIterator

import pypdf
import pytest

pytestmark = pytest.mark.anyio


def png(width: int = 4, height: int = 2) -> bytes:
    """A real (tiny, red) PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#c00"/></svg>'


async def upload(tenant, content: bytes, name: str = "logo.png", path: str = "images", kind: str = "logo"):
    return await tenant.api.post(
        f"/organizations/{tenant.org_id}/{path}", params={"type": kind}, files={"file": (name, content)}
    )


def images_on_first_page(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images)


async def test_an_uploaded_logo_is_served_back_and_printed_on_the_pdf_until_it_is_deleted(tenant) -> None:
    invoice = await tenant.invoice()
    before = (await tenant.api.get(f"/documents/{invoice['id']}/pdf")).content

    uploaded = await upload(tenant, png(), name="anything.txt")
    served = await tenant.api.get(f"/organizations/{tenant.org_id}/images", params={"type": "logo"})
    with_logo = (await tenant.api.get(f"/documents/{invoice['id']}/pdf")).content
    deleted = await tenant.api.delete(f"/organizations/{tenant.org_id}/images", params={"type": "logo"})
    after = (await tenant.api.get(f"/documents/{invoice['id']}/pdf")).content

    assert uploaded.status_code == 200 and uploaded.json() is True
    assert served.headers["content-type"] == "image/png" and served.content == png()
    assert (images_on_first_page(before), images_on_first_page(with_logo), images_on_first_page(after)) == (0, 1, 0)
    assert deleted.json() is True


async def test_an_svg_logo_through_the_older_upload_path_is_printed(tenant) -> None:
    invoice = await tenant.invoice()
    plain = (await tenant.api.get(f"/documents/{invoice['id']}/pdf")).content

    uploaded = await upload(tenant, SVG, name="logo.svg", path="upload-image")
    drawn = (await tenant.api.get(f"/documents/{invoice['id']}/pdf")).content
    served = await tenant.api.get(f"/organizations/{tenant.org_id}/download-image", params={"type": "logo"})

    assert uploaded.status_code == 200
    assert (
        served.headers["content-type"] == "image/svg+xml"
        and "default-src 'none'" in served.headers["content-security-policy"]
    )
    assert drawn != plain and drawn.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"just some text", "not a PNG, JPEG or SVG"),
        (b"GIF89a" + b"\x00" * 20, "not a PNG, JPEG or SVG"),
        (SVG.replace(b"<rect", b"<script>alert(1)</script><rect"), "a script"),
        (SVG.replace(b"<rect", b'<image href="file:///etc/passwd"/><rect'), "outside itself"),
        (SVG.replace(b"<rect", b'<image href="https://tracker.example/p.png"/><rect'), "outside itself"),
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + SVG, "a DTD"),
        (SVG.replace(b"<rect", b'<rect onload="alert(1)"'), "an event handler"),
        (SVG.replace(b"<rect", b'<image href="#/../../../../etc/hostname"/><rect'), "outside itself"),
        (SVG.replace(b"<rect", b'<filter id="f"><feImage href="#/../x.png"/></filter><rect'), "outside itself"),
        (SVG.replace(b"<rect", b"<style>@import url(https://x.example/a.css);</style><rect"), "outside itself"),
    ],
)
async def test_anything_but_a_self_contained_image_is_refused(tenant, expect_error, content: bytes, why: str) -> None:
    error = expect_error(await upload(tenant, content, name="logo.png"), 422)

    assert why in error["message"]
    expect_error(await tenant.api.get(f"/organizations/{tenant.org_id}/images"), 404, "NOT_FOUND")


async def test_an_image_too_large_or_sent_without_a_form_is_refused(tenant, expect_error) -> None:
    big = png() + b"\x00" * (512 * 1024)

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: the limit still holds while reading
        boundary = b"--xyz\r\n"
        yield boundary + b'Content-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'
        for _ in range(200):
            yield b"\x00" * 65536

    streamed = await tenant.api.post(
        f"/organizations/{tenant.org_id}/images",
        content=chunked(),
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )

    expect_error(streamed, 413)
    expect_error(await upload(tenant, big), 413)
    raw = await tenant.api.post(f"/organizations/{tenant.org_id}/images", content=png())
    expect_error(raw, 422)


async def test_images_belong_to_their_organization(new_tenant, expect_error) -> None:
    ada, bob = await new_tenant(), await new_tenant()
    await upload(ada, png())

    stolen = await bob.api.post(f"/organizations/{ada.org_id}/images", files={"file": ("x.svg", SVG)})

    expect_error(await bob.api.get(f"/organizations/{ada.org_id}/images"), 401)
    expect_error(stolen, 401)
    expect_error(await bob.api.get(f"/organizations/{bob.org_id}/images"), 404)
    assert (await ada.api.get(f"/organizations/{ada.org_id}/images")).content == png()
