"""The MCP server: conversational invoicing tools, resources and prompts over the client.

``build_server(settings)`` makes a server; :mod:`si_mcp.server.runner` serves it over stdio or
streamable HTTP.
"""

from .app import build_server

__all__ = ["build_server"]
