"""Reference data every organization shares: countries (with their default taxes) and currencies."""

from __future__ import annotations

import builtins

from si_mcp.models import Country, Currency

from ._resource import Resource

__all__ = ["Countries", "Currencies"]


class Countries(Resource):
    async def list(self) -> builtins.list[Country]:
        """Every country the API knows, with its default taxes; needs no token.

        Raises:
            SpaceInvoicesError: the call failed.
        """
        return await self._client.fetch_list(Country, "GET", "/countries")


class Currencies(Resource):
    async def list(self) -> builtins.list[Currency]:
        """Every currency the API knows; needs no token.

        Raises:
            SpaceInvoicesError: the call failed.
        """
        return await self._client.fetch_list(Currency, "GET", "/currencies")
