"""Reference data every organization shares: countries (with their default taxes) and currencies."""

from __future__ import annotations

import builtins

from si_mcp.models import Country, Currency

from ._resource import Resource

__all__ = ["Countries", "Currencies"]


class Countries(Resource):
    async def list(self) -> builtins.list[Country]:
        return await self._client.fetch_list(Country, "GET", "/countries")


class Currencies(Resource):
    async def list(self) -> builtins.list[Currency]:
        return await self._client.fetch_list(Currency, "GET", "/currencies")
