"""``si-mcp api``: serve the local API over HTTP with uvicorn, logging to stderr."""

from __future__ import annotations

import logging
import sys

from si_mcp.settings import Settings

__all__ = ["run_api"]


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
