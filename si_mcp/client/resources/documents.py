"""Documents: invoices, estimates, advance invoices and credit notes."""

from __future__ import annotations

import builtins
import re
from collections.abc import AsyncIterator
from typing import Any

from si_mcp.models import (
    MAX_LIMIT,
    Document,
    DocumentCreate,
    DocumentUpdate,
    Filter,
    PeppolRequest,
    PeppolResult,
    ReminderRequest,
    SendRequest,
    SendResult,
    Share,
    ShareRequest,
)

from .._base import json_body, parse_model
from .._errors import APIResponseValidationError, EInvoiceIncompleteError
from ._resource import Resource, filter_params, path_id, where_params

__all__ = ["Documents"]

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$")


class Documents(Resource):
    async def create(self, organization_id: str, *, body: DocumentCreate) -> Document:
        """Issue a document (numbered, totals computed by the server).

        Retried only when ``body.unique_id`` is set: the API's 2024 spec (and the embedded API)
        answer a repeated ``uniqueId`` with the document already made, older docs with an error;
        either way a retry can never create a second invoice. Without it a lost answer leaves the
        outcome unknown, and repeating could bill the client twice.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            UnprocessableEntityError: the API refused the body (``error.details`` says which fields).
            APIConnectionError: no answer came; without ``unique_id`` the document may or may not exist.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/documents"
        return await self._client.fetch(Document, "POST", path, body=body, retry=body.unique_id is not None)

    async def list(self, organization_id: str, *, filter: Filter | None = None) -> builtins.list[Document]:
        """One page of documents, narrowed and ordered by ``filter``; see :meth:`iterate` for all of them.

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            BadRequestError: the filter names an unknown field or operator.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/documents"
        return await self._client.fetch_list(Document, "GET", path, params=filter_params(filter))

    def iterate(
        self, organization_id: str, *, filter: Filter | None = None, page_size: int = 100
    ) -> AsyncIterator[Document]:
        """Every document matching ``filter``, fetched ``page_size`` at a time with ``limit``/``skip``.

        The filter's own ``skip`` is where paging starts and its ``limit`` caps the total. Give
        an ``order`` when the collection may change while you page, so pages do not overlap.
        When the first page comes back short, one more page is asked for, in case the API caps
        pages below ``page_size``: a collection is never cut short silently.

        Raises:
            ValueError: ``organization_id`` is not a plain id or ``page_size`` is out of range
                (at once, not on the first ``await``).
            SpaceInvoicesError: a page failed, as for :meth:`list`, while iterating.
        """
        path_id(organization_id, "organization_id")
        if not 1 <= page_size <= MAX_LIMIT:
            raise ValueError(f"page_size must be between 1 and {MAX_LIMIT}")
        return self._pages(organization_id, filter or Filter(), page_size)

    async def _pages(self, organization_id: str, base: Filter, page_size: int) -> AsyncIterator[Document]:
        start = base.skip if base.skip is not None else base.offset or 0
        seen = 0
        size_honoured = False
        while base.limit is None or seen < base.limit:
            size = page_size if base.limit is None else min(page_size, base.limit - seen)
            page = await self.list(
                organization_id, filter=base.model_copy(update={"limit": size, "skip": start + seen, "offset": None})
            )
            for document in page:
                yield document
            seen += len(page)
            if len(page) >= size:
                size_honoured = True
            elif size_honoured or not page:
                return  # a short page from an API that fills its pages: the end
            else:
                # A short first page is the end, or an API that caps pages below our size (the real
                # one documents no maximum): go on at that size, and the next page tells which.
                page_size, size_honoured = len(page), True

    async def count(self, organization_id: str, *, where: dict[str, Any] | None = None) -> int:
        """How many documents the organization has (matching ``where``, if given).

        Raises:
            ValueError: ``organization_id`` is empty or not a plain id.
            AuthenticationError: no valid token, or no access to the organization.
            BadRequestError: ``where`` names an unknown field or operator.
            SpaceInvoicesError: any other failure.
        """
        path = f"/organizations/{path_id(organization_id, 'organization_id')}/documents/count"
        return await self._client.fetch_count("GET", path, params=where_params(where))

    async def get(self, document_id: str, *, include_payments: bool = False) -> Document:
        """One document, with its ``payments`` when ``include_payments`` is set.

        Raises:
            ValueError: ``document_id`` is empty or not a plain id.
            NotFoundError: no such document (or it was deleted).
            AuthenticationError: no valid token, or the document belongs to another account's organization.
            SpaceInvoicesError: any other failure.
        """
        params = filter_params(Filter(include="payments")) if include_payments else None
        path = f"/documents/{path_id(document_id, 'document_id')}"
        return await self._client.fetch(Document, "GET", path, params=params)

    async def replace(self, document_id: str, *, body: DocumentCreate) -> Document:
        """Replace a document as a whole (``PUT``); repeating it leaves the same result, so it is retried.

        ``payments`` and ``send`` belong to create only: a retried replace carrying them could record
        money or send an email twice, so they are refused here (the embedded API refuses them too).

        Raises:
            ValueError: ``document_id`` is not a plain id, or ``body`` carries ``payments`` or ``send``.
            NotFoundError: no such document.
            UnprocessableEntityError: the body is refused, or the document is issued and may not change.
            SpaceInvoicesError: any other failure.
        """
        if body.payments or body.send:
            raise ValueError("payments and send can only be given on create; use payments.create and send")
        path = f"/documents/{path_id(document_id, 'document_id')}"
        return await self._client.fetch(Document, "PUT", path, body=body)

    async def update(self, document_id: str, *, body: DocumentUpdate) -> Document:
        """Change only the fields set on ``body`` (``PATCH``; not retried). A draft or estimate is rebuilt with the
        rest as it was (totals, VAT and legends recomputed); an issued invoice, advance or credit note takes only
        ``custom`` and ``sent_snail_mail``.

        Raises:
            ValueError: ``document_id`` is empty or not a plain id.
            NotFoundError: no such document.
            UnprocessableEntityError: the body is invalid, or it changes what an issued document says (code
                ``immutable``: issue a credit note instead).
            SpaceInvoicesError: any other failure.
        """
        path = f"/documents/{path_id(document_id, 'document_id')}"
        return await self._client.fetch(Document, "PATCH", path, body=body, retry=False)

    async def mark_sent(self, document_id: str) -> None:
        """Record that the document went out by other means (post, by hand): ``sent_snail_mail`` becomes true.

        Raises:
            ValueError: ``document_id`` is empty or not a plain id.
            NotFoundError: no such document.
            UnprocessableEntityError: it is a draft (issue it first).
            SpaceInvoicesError: any other failure.
        """
        await self._client.fetch_success("POST", f"/documents/{path_id(document_id, 'document_id')}/mark-sent")

    async def share(self, document_id: str, *, regenerate: bool = False) -> str:
        """The document's public ``shareableId`` (made on first use; ``regenerate`` replaces it, and the old link
        stops working). Anyone holding it reads the document with :meth:`public` and :meth:`public_pdf`.

        Raises:
            ValueError: ``document_id`` is empty or not a plain id.
            NotFoundError: no such document.
            UnprocessableEntityError: it is a draft.
            SpaceInvoicesError: any other failure.
        """
        path = f"/documents/{path_id(document_id, 'document_id')}/share"
        body = ShareRequest(regenerate=regenerate)
        return (await self._client.fetch(Share, "POST", path, body=body, retry=not regenerate)).shareable_id

    async def unshare(self, document_id: str) -> None:
        """Revoke the document's public link (embedded API: ``DELETE /documents/{id}/share``).

        Raises:
            ValueError: ``document_id`` is empty or not a plain id.
            NotFoundError: no such document.
            SpaceInvoicesError: any other failure.
        """
        await self._client.fetch_success("DELETE", f"/documents/{path_id(document_id, 'document_id')}/share")

    async def public(self, shareable_id: str) -> Document:
        """A shared document, read by its ``shareableId`` (no token needed; internal fields left out).

        Raises:
            ValueError: ``shareable_id`` is empty or not a plain id.
            NotFoundError: nothing is shared under this id (or the link was revoked).
            RateLimitError: too many reads from this address; ``retry_after`` says when to try again.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch(Document, "GET", f"/documents/public/{path_id(shareable_id, 'shareable_id')}")

    async def public_pdf(self, shareable_id: str, *, language: str | None = None) -> bytes:
        """A shared document's PDF, read by its ``shareableId`` (no token needed).

        Raises:
            ValueError: ``shareable_id`` is not a plain id or ``language`` is not a language code.
            NotFoundError: nothing is shared under this id (or the link was revoked).
            RateLimitError: too many reads from this address.
            SpaceInvoicesError: any other failure.
        """
        params = None if language is None else {"l": _language(language)}
        path = f"/documents/public/{path_id(shareable_id, 'shareable_id')}/pdf"
        return await self._client.fetch_bytes("GET", path, params=params, accept="application/pdf")

    async def cancel(self, document_id: str, *, idempotency_key: str | None = None) -> None:
        """Cancel an issued document. Never retried (cancelling a fiscally verified one issues a credit note), but on
        the embedded API with an ``idempotency_key``: there a repeat under the same key changes nothing, even after an
        uncancel since.

        Raises:
            ValueError: ``document_id`` is empty or not a plain id.
            NotFoundError: no such document.
            SpaceInvoicesError: any other failure.
        """
        path = f"/documents/{path_id(document_id, 'document_id')}/cancel"
        retry = idempotency_key is not None and self._client.keeps_keys
        await self._client.fetch_success("POST", path, retry=retry, idempotency_key=idempotency_key)

    async def uncancel(self, document_id: str, *, idempotency_key: str | None = None) -> None:
        """Undo :meth:`cancel`. Never retried, for the same reason.

        Raises:
            ValueError: ``document_id`` is empty or not a plain id.
            NotFoundError: no such document.
            SpaceInvoicesError: any other failure.
        """
        path = f"/documents/{path_id(document_id, 'document_id')}/uncancel"
        retry = idempotency_key is not None and self._client.keeps_keys
        await self._client.fetch_success("POST", path, retry=retry, idempotency_key=idempotency_key)

    async def delete(self, document_id: str) -> int:
        """Delete a document (the API refuses issued invoices: cancel those). Returns how many were deleted.

        Raises:
            ValueError: ``document_id`` is empty or not a plain id.
            NotFoundError: no such document.
            UnprocessableEntityError: the document is issued and may only be cancelled.
            SpaceInvoicesError: any other failure.
        """
        return await self._client.fetch_count("DELETE", f"/documents/{path_id(document_id, 'document_id')}")

    async def pdf(self, document_id: str, *, language: str | None = None) -> bytes:
        """The document rendered as PDF bytes, in ``language`` (e.g. ``"de"``) or the organization's.

        Raises:
            ValueError: ``document_id`` is not a plain id or ``language`` is not a language code.
            NotFoundError: no such document.
            UnprocessableEntityError: the language is not supported.
            SpaceInvoicesError: any other failure.
        """
        params = None if language is None else {"l": _language(language)}
        path = f"/documents/{path_id(document_id, 'document_id')}/pdf"
        return await self._client.fetch_bytes("GET", path, params=params, accept="application/pdf")

    async def ubl(self, document_id: str) -> bytes:
        """The document as a Peppol BIS Billing 3.0 UBL invoice or credit note (XML bytes), checked against the CEN
        EN 16931 rules. The embedded API serves it (``GET /documents/{id}/ubl``); against Space Invoices, which has
        no such route, the client builds it from the document and its organization, and checks it the same way.

        Raises:
            ValueError: ``document_id`` is not a plain id.
            NotFoundError: no such document.
            UnprocessableEntityError: the books lack what an e-invoice needs (the message says what), or the
                result breaks an EN 16931 rule (the rule ids are in ``error.details``).
            EInvoiceIncompleteError: built here (Space Invoices): the books lack what an e-invoice needs, or it breaks
                an EN 16931 rule, or the rules could not be run.
            SpaceInvoicesError: any other failure.
        """
        path = f"/documents/{path_id(document_id, 'document_id')}/ubl"
        if self._client.keeps_keys:  # si-mcp's own API: it has the route
            return await self._client.fetch_bytes("GET", path, accept="application/xml")
        return await self._built_ubl(document_id)

    async def factur_x(self, document_id: str, *, language: str | None = None) -> bytes:
        """The document's PDF/A-3 with its CII XML embedded (Factur-X / ZUGFeRD, EN 16931 profile), the XML checked
        against the CEN rules and the profile's XSD (embedded API extension ``GET /documents/{id}/factur-x``).

        Raises:
            ValueError: ``document_id`` is not a plain id or ``language`` is not a language code.
            NotFoundError: no such document, or the API has no such route (Space Invoices).
            UnprocessableEntityError: the books lack what an e-invoice needs, or it breaks an EN 16931 rule.
            SpaceInvoicesError: any other failure.
        """
        params = None if language is None else {"l": _language(language)}
        path = f"/documents/{path_id(document_id, 'document_id')}/factur-x"
        return await self._client.fetch_bytes("GET", path, params=params, accept="application/pdf")

    async def _built_ubl(self, document_id: str) -> bytes:
        from si_mcp.einvoice import EInvoiceError, to_ubl
        from si_mcp.einvoice.validation import ValidationUnavailable, Validator
        from si_mcp.models import Organization

        document = await self.get(document_id)
        path = f"/organizations/{path_id(document.organization_id, 'organization_id')}"
        organization = await self._client.fetch(Organization, "GET", path)
        try:
            xml = to_ubl(document, organization)
            fatal = Validator().fatal(xml)  # compiled per call: this path serves APIs without the route, rarely
        except (EInvoiceError, ValidationUnavailable) as error:
            raise EInvoiceIncompleteError(str(error)) from None
        if fatal:
            broken = "; ".join(str(v) for v in fatal[:5])
            raise EInvoiceIncompleteError(f"The e-invoice breaks EN 16931 rules: {broken}")
        return xml

    async def send(
        self, document_id: str, *, body: SendRequest, language: str | None = None, idempotency_key: str | None = None
    ) -> SendResult:
        """Email the document. Never retried without ``idempotency_key``: a lost answer may mean the email already
        left. With one (the ``Idempotency-Key`` header, an embedded API extension; Space Invoices ignores it), the
        same key answers the send it made, so the call is retried on the embedded API in process.

        Returns:
            A :class:`~si_mcp.models.SendResult`. The real API answers only ``success``; the
            embedded one also says whether the email was ``sent``, ``queued`` or ``failed`` (kept
            in its outbox for retry), with the message id and recipients.

        Raises:
            ValueError: ``document_id`` is not a plain id or ``language`` is not a language code.
            NotFoundError: no such document.
            UnprocessableEntityError: a draft, no recipient, or already sent without ``resend``.
            APIConnectionError: no answer came; the email may or may not have left.
            APIResponseValidationError: the server answered ``success: false``.
            SpaceInvoicesError: any other failure.
        """
        params = None if language is None else {"l": _language(language)}
        path = f"/documents/{path_id(document_id, 'document_id')}/send"
        response = await self._client.request(
            "POST",
            path,
            params=params,
            body=body,
            retry=idempotency_key is not None and self._client.keeps_keys,
            idempotency_key=idempotency_key,
        )
        result = parse_model(SendResult, response, json_body(response))
        if not result.success:
            raise APIResponseValidationError(response, "the server answered success=false")
        return result

    async def peppol(
        self, document_id: str, *, resend: bool = False, idempotency_key: str | None = None
    ) -> PeppolResult:
        """Hand the document's checked Peppol UBL to the embedded API's access point (``POST /documents/{id}/peppol``,
        an embedded API extension). Retried only under ``idempotency_key``: the same key answers the first hand-over.

        Raises:
            ValueError: ``document_id`` is not a plain id.
            NotFoundError: no such document (or Space Invoices: no such route).
            UnprocessableEntityError: no access point configured, a draft, not an e-invoice (``EINVOICE_*``), or
                handed over already without ``resend``.
            SpaceInvoicesError: any other failure (502 ``PEPPOL_FAILED``: the access point refused it).
        """
        path = f"/documents/{path_id(document_id, 'document_id')}/peppol"
        response = await self._client.request(
            "POST",
            path,
            body=PeppolRequest(resend=resend),
            retry=idempotency_key is not None and self._client.keeps_keys,
            idempotency_key=idempotency_key,
        )
        return parse_model(PeppolResult, response, json_body(response))

    async def send_reminder(
        self,
        document_id: str,
        *,
        body: ReminderRequest | None = None,
        language: str | None = None,
        idempotency_key: str | None = None,
    ) -> SendResult:
        """Email a payment reminder for an overdue invoice, with its PDF (embedded API extension); every call sends
        one and counts it (``reminders`` in the answer and on the document), but one made with the same
        ``idempotency_key``. Retried only with a key, on the embedded API in process.

        Raises:
            ValueError: ``document_id`` is not a plain id or ``language`` is not a language code.
            NotFoundError: no such document, or the API has no reminders (the Space Invoices API).
            UnprocessableEntityError: not an issued invoice, nothing due, not overdue yet, or no recipient.
            APIConnectionError: no answer came; the email may or may not have left.
            SpaceInvoicesError: any other failure.
        """
        params = None if language is None else {"l": _language(language)}
        path = f"/documents/{path_id(document_id, 'document_id')}/send-reminder"
        response = await self._client.request(
            "POST",
            path,
            params=params,
            body=body or ReminderRequest(),
            retry=idempotency_key is not None and self._client.keeps_keys,
            idempotency_key=idempotency_key,
        )
        return parse_model(SendResult, response, json_body(response))

    async def sent_under(self, document_id: str, idempotency_key: str, *, reminder: bool = False) -> SendResult | None:
        """What the send (or reminder) made under ``idempotency_key`` answered, or ``None`` when none was: a read
        that sends nothing (embedded API extension ``GET /documents/{id}/actions``; ``None`` on books that keep no
        keys).

        Raises:
            ValueError: ``document_id`` is not a plain id.
            NotFoundError: no such document.
            SpaceInvoicesError: any other failure.
        """
        if not self._client.keeps_keys:
            return None
        path = f"/documents/{path_id(document_id, 'document_id')}/actions"
        response = await self._client.request("GET", path, params={"key": idempotency_key})
        done = json_body(response)
        if not isinstance(done, dict) or done.get("action") != ("send-reminder" if reminder else "send"):
            return None  # nothing under this key, or another action: not a send of this kind
        return parse_model(SendResult, response, done.get("answer"))


def _language(value: str) -> str:
    if not _LANGUAGE.match(value):
        raise ValueError(f"language {value!r} must be a language code like 'en' or 'de-AT'")
    return value
