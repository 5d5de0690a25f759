"""``si-mcp api``: serve the local API over HTTP with uvicorn, logging to stderr; ``si-mcp migrate``."""

from __future__ import annotations

import logging
import sys

from si_mcp.settings import Settings

__all__ = ["run_api", "run_migrate"]


def run_api(settings: Settings, *, host: str, port: int) -> None:
    """Serve the embedded v1 API at ``http://host:port/v1`` until interrupted."""
    import uvicorn

    from . import create_app

    logging.basicConfig(
        stream=sys.stderr, level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(database_url=settings.resolved_database_url(), data_dir=settings.data_dir, settings=settings)
    logging.getLogger(__name__).warning("local Space Invoices API on http://%s:%d/v1", host, port)
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower(), lifespan="on")


def run_migrate(settings: Settings, *, grant: str | None) -> None:
    """Bring the books' schema to this version (what every process also does at start), and grant ``grant``."""
    import anyio

    from .db import Database

    async def main() -> None:
        database = await Database.open(settings.resolved_database_url())
        try:
            if grant is not None:
                await database.grant(grant)
        finally:
            await database.dispose()

    try:
        anyio.run(main)
    except ValueError as error:
        sys.exit(f"si-mcp migrate: {error}")
    granted = f"; {grant} may read and write them" if grant else ""
    sys.stderr.write(f"si-mcp migrate: the books are at this version{granted}\n")
