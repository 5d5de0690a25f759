"""Configuration: the one place environment variables are read.

Every setting can be given as an environment variable (names below) or a ``.env``-free
keyword. ``si-mcp serve --help`` prints this table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_API_URL", "Settings", "default_data_dir"]

DEFAULT_API_URL = "https://api.spaceinvoices.com/v1"


def default_data_dir() -> Path:
    """The user's data folder for si-mcp (``~/.local/share/si-mcp`` on Linux)."""
    from platformdirs import user_data_path

    return user_data_path("si-mcp", appauthor=False)


class Settings(BaseSettings):
    """All si-mcp settings. Field names map to the environment variables in ``validation_alias``."""

    # An empty variable means "not set": MCP hosts pass every optional setting, filled in or not (MCP Bundles do).
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, env_ignore_empty=True)

    # -- backend: the real Space Invoices API, or the embedded local one
    access_token: SecretStr | None = Field(
        None,
        validation_alias="SPACEINVOICES_ACCESS_TOKEN",
        description="Space Invoices access token; when set, the real API is used instead of the embedded one.",
    )
    account_id: str | None = Field(
        None,
        validation_alias="SPACEINVOICES_ACCOUNT_ID",
        description="Account id for the real API (derived from GET /accounts/authorized when unset).",
    )
    organization_id: str | None = Field(
        None,
        validation_alias="SPACEINVOICES_ORGANIZATION_ID",
        description="Default organization (id or name) when a tool is called without one.",
    )
    api_url: str = Field(
        DEFAULT_API_URL, validation_alias="SPACEINVOICES_API_URL", description="Base URL of the v1 API."
    )

    # -- embedded backend
    data_dir: Path = Field(
        default_factory=default_data_dir,
        validation_alias="SI_MCP_DATA_DIR",
        description="Folder for the local database, outbox and cached PDFs.",
    )
    database_url: str | None = Field(
        None,
        validation_alias="SI_MCP_DATABASE_URL",
        description="SQLAlchemy URL of the local books (default: SQLite file books.db in the data dir).",
    )

    # -- documents out
    pdf_template: Path | None = Field(
        None, validation_alias="SI_MCP_PDF_TEMPLATE", description="A .typ file replacing the built-in invoice template."
    )
    font_dirs: list[Path] = Field(
        default_factory=list, validation_alias="SI_MCP_FONT_DIRS", description="Extra font folders (JSON list)."
    )
    emails_per_minute: int = Field(
        20,
        ge=0,
        validation_alias="SI_MCP_EMAILS_PER_MINUTE",
        description="Emails one organization may send in a minute (sends, reminders, recurring); 0: no limit.",
    )
    emails_per_day: int = Field(
        500,
        ge=0,
        validation_alias="SI_MCP_EMAILS_PER_DAY",
        description="Emails one organization may send in a day; 0: no limit.",
    )
    webhooks_allow_private: bool = Field(
        False,
        validation_alias="SI_MCP_WEBHOOKS_ALLOW_PRIVATE",
        description="Let webhooks reach loopback and private-network addresses (a receiver on this machine or LAN).",
    )
    peppol_folder: Path | None = Field(
        None,
        validation_alias="SI_MCP_PEPPOL_FOLDER",
        description="Folder your Peppol access point picks e-invoices up from (POST /documents/{id}/peppol).",
    )
    smtp_host: str | None = Field(
        None, validation_alias="SI_MCP_SMTP_HOST", description="SMTP server; unset writes .eml files to the outbox."
    )
    smtp_port: int = Field(587, validation_alias="SI_MCP_SMTP_PORT", description="SMTP port.")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        "starttls", validation_alias="SI_MCP_SMTP_SECURITY", description="starttls, tls (implicit) or none."
    )
    smtp_username: str | None = Field(None, validation_alias="SI_MCP_SMTP_USERNAME", description="SMTP user.")
    smtp_password: SecretStr | None = Field(None, validation_alias="SI_MCP_SMTP_PASSWORD", description="SMTP password.")
    smtp_from: str | None = Field(
        None, validation_alias="SI_MCP_SMTP_FROM", description="From address (default: the organization's email)."
    )

    # -- MCP server behaviour
    confirm: bool = Field(
        True,
        validation_alias="SI_MCP_CONFIRM",
        description="Ask the user before sending, paying or cancelling; false only for automation.",
    )
    read_only: bool = Field(False, validation_alias="SI_MCP_READ_ONLY", description="Register no write tools at all.")
    http_token: SecretStr | None = Field(
        None, validation_alias="SI_MCP_HTTP_TOKEN", description="Static bearer token required by the HTTP transport."
    )
    oauth_issuer_url: str | None = Field(
        None, validation_alias="SI_MCP_OAUTH_ISSUER_URL", description="OAuth issuer for the HTTP transport's metadata."
    )
    oauth_introspection_url: str | None = Field(
        None,
        validation_alias="SI_MCP_OAUTH_INTROSPECTION_URL",
        description="RFC 7662 endpoint that checks OAuth bearer tokens (needs SI_MCP_OAUTH_ISSUER_URL).",
    )
    oauth_client_id: str | None = Field(
        None, validation_alias="SI_MCP_OAUTH_CLIENT_ID", description="Client id for the introspection endpoint."
    )
    oauth_client_secret: SecretStr | None = Field(
        None, validation_alias="SI_MCP_OAUTH_CLIENT_SECRET", description="Client secret for the introspection endpoint."
    )
    oauth_required_scopes: list[str] = Field(
        default_factory=list,
        validation_alias="SI_MCP_OAUTH_REQUIRED_SCOPES",
        description='Scopes every bearer token must carry (JSON list, e.g. ["invoices"]).',
    )
    public_url: str | None = Field(
        None, validation_alias="SI_MCP_PUBLIC_URL", description="Public URL of the HTTP endpoint (resource server URL)."
    )
    log_level: str = Field("WARNING", validation_alias="SI_MCP_LOG_LEVEL", description="Log level (logs go to stderr).")
    confirm_secret: SecretStr | None = Field(
        None,
        validation_alias="SI_MCP_CONFIRM_SECRET",
        description="Secret for confirmation tokens and elicitation state (default: random per process).",
    )
    http_allowed_hosts: list[str] = Field(
        default_factory=list,
        validation_alias="SI_MCP_HTTP_ALLOWED_HOSTS",
        description='Extra Host headers the HTTP transport accepts (JSON list, e.g. ["mcp.example.com"]).',
    )
    http_allowed_origins: list[str] = Field(
        default_factory=list,
        validation_alias="SI_MCP_HTTP_ALLOWED_ORIGINS",
        description="Extra browser Origins the HTTP transport accepts (JSON list).",
    )

    @property
    def use_local_backend(self) -> bool:
        return self.access_token is None

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'books.db'}"
