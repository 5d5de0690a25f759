"""What every tool and resource reaches through the lifespan context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mcp.server.mcpserver import Context

from .backend import Backend, Books
from .consent import Signer

if TYPE_CHECKING:
    from si_mcp.settings import Settings

__all__ = ["AppState", "Ctx", "books_of", "state_of"]


@dataclass
class AppState:
    settings: Settings
    backend: Backend
    signer: Signer


Ctx = Context[AppState]


def state_of(ctx: Ctx) -> AppState:
    return ctx.request_context.lifespan_context


async def books_of(ctx: Ctx) -> Books:
    return await state_of(ctx).backend.books()
