"""Serving the MCP server: stdio (default) or streamable HTTP.

stdio writes only protocol messages to stdout; logs go to stderr. HTTP is stateless JSON
(no sessions, as the 2026-07-28 protocol expects), checks ``Host``/``Origin`` against an
allowlist (DNS-rebinding protection), takes a bearer token when ``SI_MCP_HTTP_TOKEN`` or an
introspection endpoint is set (see :mod:`si_mcp.server.auth`), and refuses to listen beyond
loopback without one.
"""

from __future__ import annotations

import ipaddress
import logging
import sys
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mcp.server import MCPServer
from mcp.server.transport_security import TransportSecuritySettings

from .app import build_server
from .state import AppState

if TYPE_CHECKING:
    import httpx2
    from starlette.applications import Starlette

    from si_mcp.client import SpaceInvoices
    from si_mcp.settings import Settings

__all__ = ["HttpConfigError", "http_app", "run_server"]

_LOOPBACK_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
_LOOPBACK_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]


class HttpConfigError(Exception):
    """The HTTP transport is configured unsafely or incompletely; the message says how to fix it."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _log_level(settings: Settings) -> str:
    level = settings.log_level.upper()
    return level if level in logging.getLevelNamesMapping() else "WARNING"


def _configure_logging(settings: Settings) -> None:
    """Everything to stderr: on stdio, stdout belongs to the protocol. (Before the SDK configures its own.)"""
    logging.basicConfig(
        stream=sys.stderr, level=_log_level(settings), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def _security(settings: Settings, host: str, port: int) -> TransportSecuritySettings:
    hosts = list(_LOOPBACK_HOSTS)
    origins = list(_LOOPBACK_ORIGINS)
    if settings.public_url:
        public = urlsplit(settings.public_url)
        if public.hostname:
            hosts += [public.netloc, f"{public.hostname}:*", public.hostname]
            origins.append(f"{public.scheme}://{public.netloc}")
    if not is_loopback(host) and host not in ("0.0.0.0", "::"):
        hosts += [f"{host}:{port}", host]
    for extra in settings.http_allowed_hosts:
        hosts += [extra, f"{extra}:*"] if ":" not in extra else [extra]
    origins += settings.http_allowed_origins
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=list(dict.fromkeys(hosts)),
        allowed_origins=list(dict.fromkeys(origins)),
    )


def resource_url(settings: Settings, host: str, port: int) -> str:
    """The URL clients use for this server (the OAuth protected-resource identifier)."""
    if settings.public_url:
        url = settings.public_url.rstrip("/")
        return url if url.endswith("/mcp") else url + "/mcp"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/mcp"


def check_http(settings: Settings, host: str) -> None:
    """Refuse configurations that would expose the books."""
    if settings.oauth_introspection_url and not settings.oauth_issuer_url:
        raise HttpConfigError(
            "SI_MCP_OAUTH_INTROSPECTION_URL needs SI_MCP_OAUTH_ISSUER_URL: clients learn from it where to get "
            "a token for this server."
        )
    if is_loopback(host):
        return
    if settings.http_token is None and settings.oauth_introspection_url is None:
        raise HttpConfigError(
            f"refusing to serve HTTP on {host} without authentication: set SI_MCP_HTTP_TOKEN "
            "(clients then send 'Authorization: Bearer <token>') or SI_MCP_OAUTH_INTROSPECTION_URL, "
            "or bind to 127.0.0.1."
        )
    if not settings.public_url and not settings.http_allowed_hosts and host in ("0.0.0.0", "::"):
        raise HttpConfigError(
            f"serving on {host} needs the public host name for DNS-rebinding protection: "
            "set SI_MCP_PUBLIC_URL (e.g. https://mcp.example.com) or SI_MCP_HTTP_ALLOWED_HOSTS."
        )


def http_app(
    settings: Settings,
    *,
    host: str,
    port: int,
    api: SpaceInvoices | None = None,
    introspection_transport: httpx2.AsyncBaseTransport | None = None,
) -> tuple[MCPServer[AppState], Starlette]:
    """The streamable HTTP app (stateless, JSON responses) and its server; run ``server.session_manager.run()``
    around it when mounting it yourself (uvicorn runs the app's own lifespan)."""
    check_http(settings, host)
    server = build_server(
        settings,
        api=api,
        http_resource_url=resource_url(settings, host, port),
        introspection_transport=introspection_transport,
    )
    app = server.streamable_http_app(
        stateless_http=True,
        json_response=True,
        transport_security=_security(settings, host, port),
        host=host,
    )
    transport_log = logging.getLogger("mcp.server.streamable_http")
    if not any(isinstance(f, _QuietDisconnects) for f in transport_log.filters):
        transport_log.addFilter(_QuietDisconnects())
    return server, app


class _QuietDisconnects(logging.Filter):
    """The SDK logs a client that hangs up in the middle of its request as an ERROR with a traceback; it is nobody's
    fault, so it becomes an INFO line (the SDK's own body limit, auth and Host checks run as before)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from starlette.requests import ClientDisconnect

        if record.exc_info and isinstance(record.exc_info[1], ClientDisconnect):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg, record.args = "client disconnected during a request", None
            record.exc_info, record.exc_text = None, None
        return True


def run_server(settings: Settings, *, http: bool, host: str, port: int) -> None:
    """Serve until stopped (the ``si-mcp serve`` command); an unsafe HTTP setup exits with an explanation."""
    if not http:
        _configure_logging(settings)
        build_server(settings).run()
        return
    try:
        check_http(settings, host)
    except HttpConfigError as exc:
        raise SystemExit(f"si-mcp: {exc}") from None
    _configure_logging(settings)
    _, app = http_app(settings, host=host, port=port)
    import uvicorn  # only the HTTP transport needs it

    uvicorn.run(app, host=host, port=port, log_level=_log_level(settings).lower(), lifespan="on")
