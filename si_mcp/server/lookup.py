"""Finding the organization, document and client a call is about — never by a silent guess.

* Organizations: by id, or by name (case-insensitive, must be unique). Omitted: the configured
  default (``SPACEINVOICES_ORGANIZATION_ID``, id or name), else the only organization, else a
  tool error listing the candidates.
* Documents: by id or by number (``2026-00001``) within the organization. When the
  organization is omitted and ambiguous, a document id (or a number found in exactly one
  organization) decides it.
* Clients: by id, email or exact name within the organization.

Only objects of the caller's own account are ever listed or fetched, so another account's ids
are simply "not found".

The client and the wire models are imported inside the functions that use them, which keeps
them off the stdio start-up path (see :mod:`si_mcp.server.backend`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mcp.server.mcpserver.exceptions import ToolError

from .errors import api_call
from .text import clean

if TYPE_CHECKING:
    from si_mcp.models import Client, Document, Organization

    from .backend import Books

__all__ = ["NotFound", "document_in", "find_client", "organization", "organization_and_document", "organizations"]

_MAX_LISTED = 8
_NUMBER = re.compile(r"^[\w./-]*\d[\w./-]*$")


class NotFound(ToolError):
    """The named object is not in the caller's account (resources answer "not found")."""


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _names(orgs: list[Organization]) -> str:
    shown = ", ".join(f"'{clean(org.name, 60)}' (id {org.id})" for org in orgs[:_MAX_LISTED])
    more = f" and {len(orgs) - _MAX_LISTED} more" if len(orgs) > _MAX_LISTED else ""
    return shown + more


async def organizations(books: Books) -> list[Organization]:
    with api_call("list your organizations"):
        return await books.api.organizations.list(books.account_id)


def _match(orgs: list[Organization], ref: str) -> Organization:
    by_id = [org for org in orgs if org.id == ref.strip()]
    if by_id:
        return by_id[0]
    by_name = [org for org in orgs if _key(org.name) == _key(ref)]
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        raise ToolError(f"{len(by_name)} organizations are named '{clean(ref)}': {_names(by_name)}. Pass the id.")
    if not orgs:
        raise NotFound("There is no organization yet. Call create_organization first.")
    raise NotFound(
        f"No organization '{clean(ref)}' in your account. Organizations: {_names(orgs)}. "
        "Pass one of these names or ids."
    )


def _pick(orgs: list[Organization], ref: str | None, default: str | None) -> Organization | None:
    """The organization named, else the default, else the only one; ``None`` if still ambiguous."""
    if ref and ref.strip():
        return _match(orgs, ref)
    if default:
        return _match(orgs, default)
    if not orgs:
        raise NotFound("There is no organization yet. Call create_organization first.")
    return orgs[0] if len(orgs) == 1 else None


def _ambiguous(orgs: list[Organization]) -> ToolError:
    return ToolError(
        f"You have {len(orgs)} organizations: {_names(orgs)}. Pass organization= with one of these names or ids."
    )


async def organization(books: Books, ref: str | None, *, default: str | None = None) -> Organization:
    """The organization a call acts on (see the module docstring)."""
    orgs = await organizations(books)
    picked = _pick(orgs, ref, default)
    if picked is None:
        raise _ambiguous(orgs)
    return picked


async def _by_number(books: Books, org: Organization, number: str, doc_type: str | None) -> list[Document]:
    from si_mcp.models import Filter

    where: dict[str, object] = {"number": number}
    if doc_type:
        where["type"] = doc_type
    with api_call("look up the document"):
        return await books.api.documents.list(org.id, filter=Filter(where=where, limit=5))


async def _by_id(books: Books, ref: str, *, include_payments: bool) -> Document | None:
    from si_mcp.client import AuthenticationError, BadRequestError, NotFoundError, UnprocessableEntityError

    if not ref or any(ch.isspace() or ch in "/?#%" for ch in ref):
        return None
    with api_call("look up the document"):
        try:
            return await books.api.documents.get(ref, include_payments=include_payments)
        except (NotFoundError, AuthenticationError, BadRequestError, UnprocessableEntityError, ValueError):
            return None  # not an id of this account: the caller reports it as not found


def _one(found: list[Document], ref: str, org: Organization) -> Document:
    if len(found) == 1:
        return found[0]
    kinds = ", ".join(sorted({doc.type for doc in found}))
    raise ToolError(
        f"Several documents numbered '{clean(ref)}' in {clean(org.name)} ({kinds}). Pass type= or the id "
        "(as a resource: si://documents/{organization}/{type}/{number})."
    )


def _missing(ref: str, org: Organization) -> NotFound:
    return NotFound(f"No document '{clean(ref)}' in {clean(org.name)}. Call find_documents to look it up.")


async def document_in(
    books: Books, org: Organization, ref: str, doc_type: str | None, include_payments: bool
) -> Document:
    ref = ref.strip()
    if _NUMBER.match(ref):
        found = await _by_number(books, org, ref, doc_type)
        if found:
            return await _refetch(books, _one(found, ref, org), include_payments)
    doc = await _by_id(books, ref, include_payments=include_payments)
    if doc is None or doc.organization_id != org.id:
        raise _missing(ref, org)
    if doc_type and doc.type != doc_type:
        raise NotFound(f"Document '{clean(ref)}' in {clean(org.name)} is a {doc.type}, not a {doc_type}.")
    return doc


async def _refetch(books: Books, doc: Document, include_payments: bool) -> Document:
    if not include_payments:
        return doc
    with api_call("read the document"):
        return await books.api.documents.get(doc.id, include_payments=True)


async def organization_and_document(
    books: Books,
    org_ref: str | None,
    doc_ref: str,
    *,
    default: str | None = None,
    doc_type: str | None = None,
    include_payments: bool = False,
) -> tuple[Organization, Document]:
    """Resolve both; an omitted, ambiguous organization is decided by the document when that is unique."""
    orgs = await organizations(books)
    picked = _pick(orgs, org_ref, default)
    if picked is not None:
        return picked, await document_in(books, picked, doc_ref, doc_type, include_payments)
    by_org = {org.id: org for org in orgs}
    doc = await _by_id(books, doc_ref.strip(), include_payments=include_payments)
    if doc is not None and doc.organization_id in by_org:
        return by_org[doc.organization_id], doc
    hits = [(org, found) for org in orgs for found in await _by_number(books, org, doc_ref.strip(), doc_type)]
    holders = list({org.id: org for org, _ in hits}.values())
    if len(holders) == 1:  # one organization; several of its types may share the number
        org = holders[0]
        return org, await _refetch(books, _one([found for _, found in hits], doc_ref.strip(), org), include_payments)
    if hits:
        where = ", ".join(f"'{clean(org.name, 60)}'" for org in holders[:_MAX_LISTED])
        raise ToolError(f"Document '{clean(doc_ref)}' exists in several organizations ({where}). Pass organization=.")
    raise _ambiguous(orgs)


async def client_by_email(books: Books, org: Organization, email: str) -> Client | None:
    """The client with this email: the one a document with a new client's details is filed under."""
    with api_call("look up the client"):
        candidates = await books.api.clients.search(org.id, term=email.strip())
    return next((c for c in candidates if _key(c.email or "") == _key(email)), None)


async def find_client(books: Books, org: Organization, ref: str) -> tuple[Client | None, list[Client]]:
    """The client ``ref`` names exactly (id, email or name), plus near matches for a helpful error.

    Raises ToolError when the name is shared by several clients.
    """
    from si_mcp.client import AuthenticationError, NotFoundError

    ref = ref.strip()
    with api_call("look up the client"):
        candidates = await books.api.clients.search(org.id, term=ref)
    exact = [c for c in candidates if c.id == ref or _key(c.email or "") == _key(ref) or _key(c.name) == _key(ref)]
    if len(exact) > 1:
        listed = ", ".join(f"'{clean(c.name, 60)}' (id {c.id}, {clean(c.email or 'no email', 60)})" for c in exact[:5])
        raise ToolError(
            f"{len(exact)} clients match '{clean(ref)}' in {clean(org.name)}: {listed}. Pass the client's id."
        )
    if exact:
        return exact[0], []
    if ref and not any(ch.isspace() or ch in "@/?#%" for ch in ref):
        with api_call("look up the client"):
            try:
                client: Client | None = await books.api.clients.get(ref)
            except (NotFoundError, AuthenticationError, ValueError):
                client = None
        if client is not None and client.organization_id == org.id:
            return client, []
    return None, candidates[:5]
