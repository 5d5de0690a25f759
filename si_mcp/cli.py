"""Command line: ``si-mcp serve`` (the MCP server) and ``si-mcp api`` (the local v1 API over HTTP).

Heavy modules are imported inside the commands, so ``--help`` and the stdio server start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from si_mcp import __version__


def _settings_epilog() -> str:
    from si_mcp.settings import Settings

    lines = ["environment variables:"]
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        if isinstance(alias, str):
            lines.append(f"  {alias:<30} {field.description or ''}")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="si-mcp", description="Conversational invoicing over MCP.")
    parser.add_argument("--version", action="version", version=f"si-mcp {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    epilog = _settings_epilog()
    serve = commands.add_parser(
        "serve",
        help="run the MCP server (stdio by default)",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
    serve.add_argument("--read-only", action="store_true", help="register no write tools")

    api = commands.add_parser(
        "api",
        help="serve the embedded Space Invoices v1 API over HTTP",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    api.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    api.add_argument("--port", type=int, default=8080, help="port (default 8080)")

    migrate = commands.add_parser(
        "migrate",
        help="create or upgrade the embedded books' schema, then exit (run it as the tables' owner)",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    migrate.add_argument(
        "--grant",
        metavar="ROLE",
        help="PostgreSQL: let ROLE (the role the replicas connect as) read and write the books, now and after "
        "later migrations; it does not own the tables, so it cannot turn row-level security off",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    from si_mcp.settings import Settings

    settings = Settings()
    if args.command == "api":
        from si_mcp.local.runner import run_api

        run_api(settings, host=args.host, port=args.port)
    elif args.command == "migrate":
        from si_mcp.local.runner import run_migrate

        run_migrate(settings, grant=args.grant)
    else:
        from si_mcp.server.runner import run_server

        if args.read_only:
            settings = settings.model_copy(update={"read_only": True})
        run_server(settings, http=args.http, host=args.host, port=args.port)
    sys.exit(0)
