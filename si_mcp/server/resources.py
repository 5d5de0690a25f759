"""Resources (organizations, recent documents, one document, its PDF) and argument completions.

URIs::

    si://organizations                                  static: your organizations
    si://organizations/{organization}                   one organization (id or name), with currency and taxes
    si://organizations/{organization}/documents         its 20 most recent documents
    si://documents/{document_id}                        one document (id, or a number unique in your account)
    si://documents/{document_id}/pdf                    its PDF (application/pdf)
    si://documents/{document_id}/pdf?l={language}       its PDF in another language
    si://documents/{organization}/{type}/{number}       one document by number (numbers repeat across types)

Completions cover organization names, client names and document numbers, for both the
resource templates and the prompts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import (
    Completion,
    CompletionArgument,
    CompletionContext,
    PromptReference,
    ResourceTemplateReference,
)

from . import lookup
from .backend import Books
from .errors import api_call, resource_call
from .state import AppState
from .text import clean
from .tools._common import today
from .tools.organizations import organization_details
from .views import document_detail, document_summary, org_brief, org_ref

if TYPE_CHECKING:
    from si_mcp.models import Document, Organization

__all__ = ["register_resources"]

_Completer = Callable[
    [PromptReference | ResourceTemplateReference, CompletionArgument, CompletionContext | None],
    Awaitable[Completion | None],
]
_RECENT = 20
_COMPLETIONS = 20
JSON = "application/json"
_LANGUAGE = re.compile(r"[a-z]{2}(-[A-Za-z]{2})?")


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _document_json(org: Organization, doc: Document) -> str:
    return _dump(
        {
            "organization": {"id": org.id, "name": org_ref(org)},
            "document": document_detail(doc, today(org), org.timezone, org_locale=org.locale).model_dump(mode="json"),
        }
    )


def register_resources(server: MCPServer[AppState], state: AppState) -> None:
    """Resources read through ``state`` (static resources get no request context)."""

    async def books() -> Books:
        with resource_call("open the books"):
            return await state.backend.books()

    @server.resource("si://organizations", name="organizations", title="Organizations", mime_type=JSON)
    async def organizations() -> str:
        """Your organizations: ids, names, countries."""
        opened = await books()
        with resource_call("list your organizations"):
            orgs = await lookup.organizations(opened)
        default = state.settings.organization_id or (orgs[0].name if len(orgs) == 1 else None)
        views = [org_brief(org).model_dump(mode="json") for org in orgs]  # currency and taxes: one organization
        return _dump({"organizations": views, "default": default})

    @server.resource("si://organizations/{organization}", name="organization", title="Organization", mime_type=JSON)
    async def organization(organization: str) -> str:
        """One organization (id or name) with its currency and taxes."""
        opened = await books()
        with resource_call(f"find organization '{organization}'"):
            org = await lookup.organization(opened, organization)
            view = await organization_details(opened, org)
        return view.model_dump_json()

    @server.resource(
        "si://organizations/{organization}/documents",
        name="recent_documents",
        title="Recent documents",
        mime_type=JSON,
    )
    async def recent_documents(organization: str) -> str:
        """The organization's most recent documents, newest first."""
        from si_mcp.models import Filter

        opened = await books()
        with resource_call(f"list the documents of '{organization}'"):
            org = await lookup.organization(opened, organization)
            docs = await opened.api.documents.list(
                org.id, filter=Filter(order=["date DESC", "number DESC"], limit=_RECENT)
            )
        summaries = [document_summary(doc, today(org), org.timezone).model_dump(mode="json") for doc in docs]
        return _dump({"organization": {"id": org.id, "name": org_ref(org)}, "documents": summaries})

    @server.resource("si://documents/{document_id}", name="document", title="Document", mime_type=JSON)
    async def document(document_id: str) -> str:
        """One document with items, VAT, payments and note."""
        opened = await books()
        with resource_call(f"find document '{document_id}'"):
            org, doc = await lookup.organization_and_document(opened, None, document_id, include_payments=True)
        return _document_json(org, doc)

    @server.resource(
        "si://documents/{organization}/{type}/{number}",
        name="document_by_number",
        title="Document by number",
        mime_type=JSON,
    )
    async def document_by_number(organization: str, type: str, number: str) -> str:
        """One document by organization (id or name), type (invoice, estimate, advance, credit-note) and number."""
        from si_mcp.models import DOCUMENT_TYPES

        opened = await books()
        with resource_call(f"find {type} '{number}' of '{organization}'"):
            if type not in DOCUMENT_TYPES:
                raise ToolError(f"Unknown document type '{clean(type, 20)}': use one of {', '.join(DOCUMENT_TYPES)}.")
            org, doc = await lookup.organization_and_document(
                opened, organization, number, doc_type=type, include_payments=True
            )
        return _document_json(org, doc)

    @server.resource(
        "si://documents/{document_id}/pdf", name="document_pdf", title="Document PDF", mime_type="application/pdf"
    )
    async def document_pdf(document_id: str) -> bytes:
        """The document's PDF."""
        opened = await books()
        with resource_call(f"render the PDF of '{document_id}'"):
            _, doc = await lookup.organization_and_document(opened, None, document_id)
            return await opened.api.documents.pdf(doc.id)

    @server.resource(
        "si://documents/{document_id}/pdf{?l}",
        name="document_pdf_language",
        title="Document PDF in a language",
        mime_type="application/pdf",
    )
    async def document_pdf_language(document_id: str, l: str = "") -> bytes:  # noqa: E741 (the v1 API's name)
        """The document's PDF in language ``l`` (en, fr, nl-BE, ...)."""
        language = l
        opened = await books()
        with resource_call(f"render the PDF of '{document_id}' in '{clean(language, 20)}'"):
            if language and not _LANGUAGE.fullmatch(language):
                raise ToolError(f"'{clean(language, 20)}' is not a language code like en, fr or nl-BE.")
            _, doc = await lookup.organization_and_document(opened, None, document_id)
            return await opened.api.documents.pdf(doc.id, language=language or None)

    @server.resource(
        "si://documents/{document_id}/ubl", name="document_ubl", title="Document e-invoice", mime_type="application/xml"
    )
    async def document_ubl(document_id: str) -> str:
        """The document as a Peppol BIS Billing 3.0 UBL e-invoice, checked against the EN 16931 rules."""
        opened = await books()
        with resource_call(f"build the e-invoice of '{document_id}'"):
            _, doc = await lookup.organization_and_document(opened, None, document_id)
            return (await opened.api.documents.ubl(doc.id)).decode("utf-8")  # XML is text

    @server.resource(
        "si://documents/{document_id}/factur-x.pdf",
        name="document_factur_x",
        title="Document Factur-X PDF",
        mime_type="application/pdf",
    )
    async def document_factur_x(document_id: str) -> bytes:
        """The document's PDF with its EN 16931 CII XML embedded (Factur-X / ZUGFeRD), checked."""
        opened = await books()
        with resource_call(f"build the Factur-X PDF of '{document_id}'"):
            _, doc = await lookup.organization_and_document(opened, None, document_id)
            return await opened.api.documents.factur_x(doc.id)

    # The SDK leaves its completion decorator unannotated; the handler below is fully typed.
    completion_handler: Callable[[_Completer], _Completer] = server.completion()  # type: ignore[no-untyped-call]

    @completion_handler
    async def complete(
        ref: PromptReference | ResourceTemplateReference,
        argument: CompletionArgument,
        context: CompletionContext | None,
    ) -> Completion | None:
        try:
            with api_call("complete the argument"):
                opened = await state.backend.books()
                values = await _complete(opened, state, argument, context)
        except ToolError:
            return None  # nothing to offer (no books, ambiguous organization): the user types freely
        return Completion(values=values[:_COMPLETIONS], has_more=len(values) > _COMPLETIONS)


async def _complete(
    books: Books, state: AppState, argument: CompletionArgument, context: CompletionContext | None
) -> list[str]:
    typed = argument.value.strip().casefold()
    if argument.name == "organization":
        orgs = await lookup.organizations(books)
        return [org.name for org in orgs if typed in org.name.casefold()]
    if argument.name not in ("client", "document", "document_id"):
        return []
    chosen = (context.arguments or {}).get("organization") if context else None
    orgs = (
        [await lookup.organization(books, chosen, default=state.settings.organization_id)]
        if chosen or state.settings.organization_id
        else await lookup.organizations(books)
    )
    if argument.name == "client":
        return await _client_names(books, [org.id for org in orgs], typed)
    return await _document_numbers(books, [org.id for org in orgs], argument.value.strip())


async def _client_names(books: Books, org_ids: list[str], typed: str) -> list[str]:
    from si_mcp.models import Filter

    names: list[str] = []
    for org_id in org_ids[:5]:
        if typed:
            found = await books.api.clients.search(org_id, term=typed)
        else:
            found = await books.api.clients.list(org_id, filter=Filter(order="name ASC", limit=_COMPLETIONS + 1))
        names += [c.name for c in found if typed in c.name.casefold()]
    return list(dict.fromkeys(names))


async def _document_numbers(books: Books, org_ids: list[str], typed: str) -> list[str]:
    from si_mcp.models import Filter

    numbers: list[str] = []
    where = {"number": {"like": f"{typed}%"}} if typed else None
    for org_id in org_ids[:5]:
        query = Filter(where=where, order=["date DESC", "number DESC"], limit=_COMPLETIONS + 1)
        numbers += [doc.number for doc in await books.api.documents.list(org_id, filter=query) if doc.number]
    return list(dict.fromkeys(numbers))
