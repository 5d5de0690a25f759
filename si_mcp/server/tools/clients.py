"""``find_clients``: look clients up by name, email or tax number."""

from typing import Annotated

from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from .. import lookup
from ..errors import api_call
from ..state import Ctx, books_of, state_of
from ..text import clean
from ..views import ClientView, client_view, org_ref
from ._common import OrgArg, ToolSpec, result

__all__ = ["TOOLS"]


class ClientsPage(BaseModel):
    organization: str
    clients: list[ClientView]
    next_offset: int | None = None


async def find_clients(
    ctx: Ctx,
    organization: OrgArg = None,
    query: Annotated[
        str | None, Field(description="Part of a name, email or tax number; omit for all.", max_length=200)
    ] = None,
    limit: Annotated[int, Field(description="Rows to list.", ge=1, le=50)] = 20,
    offset: Annotated[int, Field(description="Rows to skip (next page).", ge=0, le=100_000)] = 0,
) -> Annotated[CallToolResult, ClientsPage]:
    """Find clients by name, email or tax number."""
    from si_mcp.models import Filter

    books = await books_of(ctx)
    org = await lookup.organization(books, organization, default=state_of(ctx).settings.organization_id)
    with api_call("search the clients"):
        if query and query.strip():
            found = (await books.api.clients.search(org.id, term=query.strip()))[offset : offset + limit + 1]
        else:
            page = Filter(order="name ASC", limit=limit + 1, skip=offset)
            found = await books.api.clients.list(org.id, filter=page)
    more = len(found) > limit
    clients = [client_view(c) for c in found[:limit]]
    data = ClientsPage(organization=org_ref(org), clients=clients, next_offset=offset + limit if more else None)
    if not clients:
        text = f"No clients{f' matching {clean(query)!r}' if query else ''} in {clean(org.name)}."
    else:
        lines = [
            f"{c.name} ({c.email or 'no email'}{f', {c.country}' if c.country else ''}) id {c.id}" for c in clients
        ]
        text = f"{len(clients)} client(s) in {clean(org.name)}:\n" + "\n".join(lines)
        if more:
            text += f"\nMore: call again with offset={offset + limit}."
    return result(text, data)


TOOLS = [ToolSpec(find_clients, "Find clients", read_only=True, idempotent=True)]
