"""Bearer auth for the HTTP transport: a static token, OAuth tokens checked by RFC 7662 introspection, or both.

With ``SI_MCP_OAUTH_INTROSPECTION_URL`` set, a bearer token that is not the static one is sent to the
authorization server's introspection endpoint (authenticated with ``SI_MCP_OAUTH_CLIENT_ID`` and
``SI_MCP_OAUTH_CLIENT_SECRET``). It is accepted only when the answer says it is ``active``, not expired,
and issued for this server: its ``aud`` must name this server's resource URL (RFC 8707), so a token
minted for another service cannot be replayed here. Any failure to ask (network, bad answer) refuses.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import TYPE_CHECKING, Any

from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings

if TYPE_CHECKING:
    import httpx2

    from si_mcp.settings import Settings

__all__ = ["IntrospectionTokenVerifier", "StaticTokenVerifier", "TokenVerifiers", "auth_options"]

logger = logging.getLogger("si_mcp.server.auth")

_TIMEOUT_SECONDS = 10.0


class StaticTokenVerifier:
    """One shared token from ``SI_MCP_HTTP_TOKEN``; it carries whatever scopes the server requires."""

    def __init__(self, token: str, resource: str, scopes: list[str] | None = None) -> None:
        self._token = token.encode()
        self._resource = resource
        self._scopes = scopes or []

    async def verify_token(self, token: str) -> AccessToken | None:
        if not secrets.compare_digest(token.encode(), self._token):
            return None
        return AccessToken(token=token, client_id="si-mcp-static-token", scopes=self._scopes, resource=self._resource)


class IntrospectionTokenVerifier:
    """Asks the authorization server about each token (RFC 7662); ``transport`` is for tests."""

    def __init__(
        self,
        url: str,
        *,
        resource: str,
        client_id: str | None,
        client_secret: str | None,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = url
        self._resource = resource
        self._auth = (client_id, client_secret or "") if client_id else None
        self._transport = transport

    async def verify_token(self, token: str) -> AccessToken | None:
        import httpx2  # already loaded by the SDK's HTTP transport; kept off the stdio path

        auth = httpx2.BasicAuth(*self._auth) if self._auth else None
        try:
            async with httpx2.AsyncClient(transport=self._transport, timeout=_TIMEOUT_SECONDS, auth=auth) as http:
                response = await http.post(self._url, data={"token": token, "token_type_hint": "access_token"})
            answer = response.json() if response.status_code == 200 else None
        except (httpx2.HTTPError, ValueError) as exc:
            logger.warning("token introspection at %s failed: %r", self._url, exc)
            return None
        if not isinstance(answer, dict):
            logger.warning("token introspection at %s answered %s", self._url, response.status_code)
            return None
        return self._accepted(token, answer)

    def _accepted(self, token: str, answer: dict[str, Any]) -> AccessToken | None:
        if answer.get("active") is not True:
            return None
        expires = answer.get("exp")
        if expires is not None and (not isinstance(expires, int) or expires <= time.time()):
            return None
        audience = answer.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
        if self._resource not in {str(a).rstrip("/") for a in audiences}:
            logger.info("refused a token issued for %r, not %s", audience, self._resource)
            return None
        scope = answer.get("scope")
        return AccessToken(
            token=token,
            client_id=str(answer.get("client_id") or "unknown"),
            scopes=scope.split() if isinstance(scope, str) else [],
            expires_at=expires,
            resource=self._resource,
        )


class TokenVerifiers:
    """The first verifier that accepts the token wins."""

    def __init__(self, *verifiers: StaticTokenVerifier | IntrospectionTokenVerifier) -> None:
        self._verifiers = verifiers

    async def verify_token(self, token: str) -> AccessToken | None:
        for verifier in self._verifiers:
            accepted = await verifier.verify_token(token)
            if accepted is not None:
                return accepted
        return None


def auth_options(
    settings: Settings, resource_url: str | None, *, transport: httpx2.AsyncBaseTransport | None = None
) -> dict[str, Any]:
    """``MCPServer`` keyword arguments for bearer auth, when serving HTTP with a token or introspection."""
    introspection = settings.oauth_introspection_url
    if resource_url is None or (settings.http_token is None and introspection is None):
        return {}
    verifiers: list[StaticTokenVerifier | IntrospectionTokenVerifier] = []
    if settings.http_token is not None:
        token = settings.http_token.get_secret_value()
        verifiers.append(StaticTokenVerifier(token, resource_url, settings.oauth_required_scopes))
    if introspection is not None:
        secret = settings.oauth_client_secret
        verifiers.append(
            IntrospectionTokenVerifier(
                introspection,
                resource=resource_url,
                client_id=settings.oauth_client_id,
                client_secret=secret.get_secret_value() if secret else None,
                transport=transport,
            )
        )
    issuer = settings.oauth_issuer_url or resource_url.rsplit("/mcp", 1)[0]
    return {
        "token_verifier": TokenVerifiers(*verifiers),
        "auth": AuthSettings(
            issuer_url=issuer,
            resource_server_url=resource_url,
            required_scopes=settings.oauth_required_scopes,
            validate_token_resource=True,  # every verifier above names this server as the token's resource
        ),
    }
