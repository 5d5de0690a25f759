"""Distribution files derived from the code, so they cannot drift from it.

    python scripts/dist.py server-json [--check]   write (or check) server.json for the MCP Registry
    python scripts/dist.py mcpb-dir WHEEL DIR       lay out an MCP Bundle (.mcpb) folder around a built wheel
    python scripts/dist.py smoke-bundle DIR         start the unpacked bundle's server as a host would, over stdio

server.json declares every environment variable of ``si_mcp.settings.Settings``; the bundle's ``user_config`` maps
the settings a desktop user sets to those variables. Run with the project's .venv python (scripts/check-dist does).
"""

from __future__ import annotations

import json
import shutil
import sys
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from si_mcp import __version__
from si_mcp.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SERVER_JSON = ROOT / "server.json"
SERVER_SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
REGISTRY_NAME = "io.github.si-mcp/si-mcp"  # must match the `mcp-name:` line in README.md
DESCRIPTION = "Invoicing for AI assistants: invoices, VAT, payments, PDFs and email, offline or on Space Invoices."
TITLE = "Space Invoices (si-mcp)"

# Desktop users set these in the bundle's settings dialog; everything else keeps its default.
USER_CONFIG = {
    "data_dir": ("SI_MCP_DATA_DIR", "Books folder"),
    "access_token": ("SPACEINVOICES_ACCESS_TOKEN", "Space Invoices access token"),
    "organization": ("SPACEINVOICES_ORGANIZATION_ID", "Default organization"),
    "smtp_host": ("SI_MCP_SMTP_HOST", "SMTP server"),
    "smtp_port": ("SI_MCP_SMTP_PORT", "SMTP port"),
    "smtp_security": ("SI_MCP_SMTP_SECURITY", "SMTP security"),
    "smtp_username": ("SI_MCP_SMTP_USERNAME", "SMTP user"),
    "smtp_password": ("SI_MCP_SMTP_PASSWORD", "SMTP password"),
    "smtp_from": ("SI_MCP_SMTP_FROM", "From address"),
    "read_only": ("SI_MCP_READ_ONLY", "Read-only"),
}


def _kind(annotation: Any) -> str:
    """The registry's input format of a setting: string, number, boolean or filepath."""
    args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = args[0]
    if annotation is bool:
        return "boolean"
    if annotation is int:
        return "number"
    if annotation is Path:
        return "filepath"
    return "string"


def environment_variables() -> list[dict[str, Any]]:
    variables = []
    for field in Settings.model_fields.values():
        name = field.validation_alias
        assert isinstance(name, str), "every setting has one environment variable"
        annotation = field.annotation
        secret = annotation is SecretStr or SecretStr in typing.get_args(annotation)
        entry: dict[str, Any] = {
            "name": name,
            "description": field.description,
            "isRequired": False,
            "isSecret": secret,
            "format": _kind(annotation),
        }
        if typing.get_origin(annotation) is typing.Literal:
            entry["choices"] = list(typing.get_args(annotation))
        if field.default is not None and field.default_factory is None:
            default = field.default
            entry["default"] = str(default).lower() if isinstance(default, bool) else str(default)
        variables.append(entry)
    return variables


def server_json() -> dict[str, Any]:
    return {
        "$schema": SERVER_SCHEMA,
        "name": REGISTRY_NAME,
        "title": TITLE,
        "description": DESCRIPTION,
        "version": __version__,
        "packages": [
            {
                "registryType": "pypi",
                "identifier": "si-mcp",
                "version": __version__,
                "runtimeHint": "uvx",
                "transport": {"type": "stdio"},
                "packageArguments": [{"type": "positional", "value": "serve"}],
                "environmentVariables": environment_variables(),
            }
        ],
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_server_json(check: bool) -> int:
    wanted = render(server_json())
    if not check:
        SERVER_JSON.write_text(wanted, encoding="utf-8")
        return 0
    if SERVER_JSON.read_text(encoding="utf-8") != wanted:
        print("server.json is stale: run .venv/bin/python scripts/dist.py server-json", file=sys.stderr)
        return 1
    return 0


def _user_config() -> dict[str, dict[str, Any]]:
    by_alias = {field.validation_alias: field for field in Settings.model_fields.values()}
    variables = {entry["name"]: entry for entry in environment_variables()}
    config: dict[str, dict[str, Any]] = {}
    for key, (alias, title) in USER_CONFIG.items():
        variable = variables[alias]
        kind = {"filepath": "directory"}.get(variable["format"], variable["format"])
        entry: dict[str, Any] = {"type": kind, "title": title, "description": by_alias[alias].description}
        entry["required"] = False
        if variable["isSecret"]:
            entry["sensitive"] = True
        if "default" in variable:
            default = variable["default"]
            entry["default"] = int(default) if kind == "number" else default == "true" if kind == "boolean" else default
        config[key] = entry
    return config


def _locked_pins() -> list[str]:
    """The runtime and dev pins of requirements.lock (with their markers): constraints for the bundle's resolution."""
    from lockfile import requirements  # scripts/lockfile.py, next to this file

    return [f"{name}=={version}" + (f" ; {marker}" if marker else "") for name, version, marker in requirements()]


async def _tools() -> list[dict[str, str]]:
    import tempfile

    from mcp import Client

    from si_mcp.server import build_server

    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir))
        async with Client(build_server(settings)) as client:
            tools = (await client.list_tools()).tools
    return [{"name": tool.name, "description": (tool.description or "").split("\n")[0]} for tool in tools]


def manifest(tools: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "manifest_version": "0.4",
        "name": "si-mcp",
        "display_name": TITLE,
        "version": __version__,
        "description": DESCRIPTION,
        "long_description": (
            "Keeps a small business's invoicing from the chat: organizations, invoices, estimates, credit notes, "
            "payments, PDFs and email. With no Space Invoices account the books stay on this computer (SQLite in the "
            "books folder); with an access token they live in your Space Invoices account. Sending, paying and "
            "cancelling always ask first."
        ),
        "author": {"name": "si-mcp developers"},
        "license": "MIT",
        "keywords": ["invoicing", "invoices", "vat", "accounting", "space-invoices"],
        "server": {
            "type": "uv",
            "entry_point": "pyproject.toml",
            "mcp_config": {
                "command": "uv",
                "args": ["run", "--directory", "${__dirname}", "--no-dev", "--quiet", "si-mcp", "serve"],
                "env": {alias: f"${{user_config.{key}}}" for key, (alias, _) in USER_CONFIG.items()},
            },
        },
        "tools": tools,
        "tools_generated": False,
        "compatibility": {"platforms": ["darwin", "linux", "win32"], "runtimes": {"python": ">=3.11"}},
        "user_config": _user_config(),
    }


def bundle_pyproject(wheel: Path) -> str:
    """A project that installs the shipped wheel with the locked versions of its dependencies."""
    pins = ",\n".join(f"    {json.dumps(pin)}" for pin in _locked_pins())
    return (
        "# Installs the si-mcp wheel shipped next to this file, with the dependency versions si-mcp was tested with.\n"
        "[project]\n"
        'name = "si-mcp-bundle"\n'
        f'version = "{__version__}"\n'
        'requires-python = ">=3.11"\n'
        f'dependencies = ["si-mcp=={__version__}"]\n\n'
        "[tool.uv]\n"
        "package = false\n"
        f"constraint-dependencies = [\n{pins},\n]\n\n"
        "[tool.uv.sources]\n"
        f'si-mcp = {{ path = "{wheel.name}" }}\n'
    )


def mcpb_dir(wheel: Path, target: Path) -> int:
    import anyio

    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy2(wheel, target / wheel.name)
    (target / "pyproject.toml").write_text(bundle_pyproject(wheel), encoding="utf-8")
    tools = anyio.run(_tools)
    (target / "manifest.json").write_text(render(manifest(tools)), encoding="utf-8")
    return 0


async def _smoke(bundle: Path, uv: str) -> None:
    import os
    import tempfile

    from mcp import Client, StdioServerParameters

    config = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))["server"]["mcp_config"]
    args = [arg.replace("${__dirname}", str(bundle)) for arg in config["args"]]
    with tempfile.TemporaryDirectory() as data_dir:
        # As a host does: every user_config left empty is passed as an empty string.
        env = dict.fromkeys(config["env"], "") | {"SI_MCP_DATA_DIR": data_dir}
        env |= {key: os.environ[key] for key in ("PATH", "HOME", "SSL_CERT_FILE") if key in os.environ}
        async with Client(StdioServerParameters(command=uv, args=args, env=env)) as client:
            names = [tool.name for tool in (await client.list_tools()).tools]
            made = await client.call_tool(
                "create_organization", {"name": "Bundle test", "country": "Belgium", "city": "Brussels"}
            )
    assert "create_invoice" in names and not made.is_error, (names, made)
    print(f"smoke-bundle: {len(names)} tools listed, create_organization answered", file=sys.stderr)


def smoke_bundle(bundle: Path) -> int:
    import anyio

    anyio.run(_smoke, bundle, str(ROOT / "scripts" / "uv"))
    return 0


def main(argv: list[str]) -> int:
    match argv:
        case ["server-json"]:
            return write_server_json(check=False)
        case ["server-json", "--check"]:
            return write_server_json(check=True)
        case ["mcpb-dir", wheel, target]:
            return mcpb_dir(Path(wheel), Path(target))
        case ["smoke-bundle", bundle]:
            return smoke_bundle(Path(bundle))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
