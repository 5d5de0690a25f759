"""si_mcp: an MCP server and async client for the Space Invoices v1 API, with an embedded offline backend."""

__version__ = "0.1.0"
