"""Organization images (v1): ``POST /organizations/{id}/images?type=logo|signature`` (multipart, form field ``file``;
also the older ``upload-image``), ``GET`` (the bytes; also ``download-image``) and ``DELETE`` (also ``delete-image``).
An upload is told by its bytes (PNG, JPEG, or a self-contained SVG, see ``engine.images``) and at most 512 KiB; the
logo is printed at the top of the organization's PDFs."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message

from .. import tables
from ..access import require_org
from ..engine.images import IMAGE_TYPES, MAX_IMAGE_BYTES, ImageRefused, sniff
from ..errors import LocalAPIError, invalid
from ..http import Call, Route, json_response
from ..ids import object_id
from ..store import now, to_naive

__all__ = ["routes"]

_I = tables.organization_images
_MODEL = "Image"


def _type(call: Call) -> str:
    kind = call.query("type") or "logo"
    if kind not in IMAGE_TYPES:
        raise invalid(_MODEL, "type", f"must be one of {', '.join(IMAGE_TYPES)}")
    return kind


def _too_large() -> LocalAPIError:
    return LocalAPIError(
        413, f"The image is larger than {MAX_IMAGE_BYTES // 1024} KiB.", code="REQUEST_ENTITY_TOO_LARGE"
    )


_FORM_LIMIT = MAX_IMAGE_BYTES + 64 * 1024  # the image and the form around it


async def _upload(call: Call) -> bytes:
    """The bytes of the form field ``file``, the body read with a size limit (also when it is sent chunked)."""
    declared = call.request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > _FORM_LIMIT:
        raise _too_large()
    if not call.request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise invalid(_MODEL, "file", "send the image as multipart/form-data, in the form field 'file'")
    chunks, size = [], 0
    async for chunk in call.request.stream():
        size += len(chunk)
        if size > _FORM_LIMIT:
            raise _too_large()
        chunks.append(chunk)
    body = b"".join(chunks)

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    buffered = Request(call.request.scope, receive)  # the form parser reads the checked bytes, not the socket
    try:
        form = await buffered.form(max_files=1, max_fields=4, max_part_size=MAX_IMAGE_BYTES + 1)
    except Exception as error:  # starlette's MultiPartException and friends: a malformed or oversized form
        raise LocalAPIError(400, f"The form cannot be read: {error}", code="BAD_REQUEST") from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise invalid(_MODEL, "file", "send the image as a file in the form field 'file'")
        content = await upload.read(MAX_IMAGE_BYTES + 1)
    finally:
        await form.close()
    if len(content) > MAX_IMAGE_BYTES:
        raise _too_large()
    return content


async def upload_image(call: Call) -> Response:
    organization_id, kind = call.params["id"], _type(call)
    async with call.db.read() as conn:  # who may write, before the upload is even read
        await require_org(conn, call.account_id, organization_id, "write")
    content = await _upload(call)
    try:
        media_type = sniff(content)
    except ImageRefused as error:
        raise invalid(_MODEL, "file", str(error)) from None
    async with call.db.write() as conn:
        await require_org(conn, call.account_id, organization_id, "write")
        await conn.execute(_I.delete().where(_I.c.organization_id == organization_id, _I.c.type == kind))
        await conn.execute(
            _I.insert().values(
                id=object_id(),
                organization_id=organization_id,
                type=kind,
                media_type=media_type,
                content=content,
                created_at=to_naive(now()),
            )
        )
    return json_response(True)


async def get_image(call: Call) -> Response:
    organization_id = call.params["id"]
    async with call.db.read() as conn:
        await require_org(conn, call.account_id, organization_id)
        kind = _type(call)
        query = sa.select(_I.c.media_type, _I.c.content).where(
            _I.c.organization_id == organization_id, _I.c.type == kind
        )
        row = (await conn.execute(query)).first()
    if row is None:
        raise LocalAPIError(404, f"The organization has no {kind} image.", code="NOT_FOUND")
    headers = {"Content-Disposition": f'inline; filename="{kind}"', "X-Content-Type-Options": "nosniff"}
    if row.media_type == "image/svg+xml":
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return Response(bytes(row.content), media_type=row.media_type, headers=headers)


async def delete_image(call: Call) -> Response:
    organization_id = call.params["id"]
    async with call.db.write() as conn:
        await require_org(conn, call.account_id, organization_id, "write")
        kind = _type(call)
        await conn.execute(_I.delete().where(_I.c.organization_id == organization_id, _I.c.type == kind))
    return json_response(True)


def routes() -> list[Route]:
    return [
        Route("POST", "/organizations/{id}/images", upload_image),
        Route("POST", "/organizations/{id}/upload-image", upload_image),
        Route("GET", "/organizations/{id}/images", get_image),
        Route("GET", "/organizations/{id}/download-image", get_image),
        Route("DELETE", "/organizations/{id}/images", delete_image),
        Route("DELETE", "/organizations/{id}/delete-image", delete_image),
    ]
