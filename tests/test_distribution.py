"""What users install without a checkout: the wheel in a clean venv (pip-style and uvx), and server.json.

The wheel is built from this tree and installed with the locked dependency versions (requirements.lock as
constraints), so the test checks the package, not whatever the registry serves today.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

import si_mcp
from si_mcp.settings import Settings

from .server.conftest import SEED_INVOICE, SEED_ORGANIZATION

ROOT = Path(__file__).resolve().parent.parent
UV = str(ROOT / "scripts" / "uv")
LOCK = str(ROOT / "requirements.lock")


def run(*command: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(UV, "build", "--quiet", "--wheel", "--no-build-isolation", "--python", sys.executable, "--out-dir", str(out))
    (built,) = out.glob("si_mcp-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean venv holding only the wheel and its (locked) dependencies; returns its bin folder."""
    venv = tmp_path_factory.mktemp("venv")
    run(UV, "venv", "--quiet", "--python", sys.executable, str(venv))
    run(UV, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), "-c", LOCK, str(wheel))
    return venv / "bin"


def test_the_wheel_carries_prompts_templates_migrations_and_its_type_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "si_mcp/py.typed" in names and "si_mcp/local/pdf/templates/invoice.typ" in names
    assert {f"si_mcp/_prompts/{p.name}" for p in (ROOT / "prompts").glob("*.toml")} <= names
    migrations = {p.name for p in (ROOT / "si_mcp/local/migrations/versions").glob("*.py")}
    assert migrations and {f"si_mcp/local/migrations/versions/{m}" for m in migrations} <= names
    assert not any(name.startswith(("tests/", "scripts/", "bench/")) for name in names)
    metadata = zipfile.ZipFile(wheel).read(f"si_mcp-{si_mcp.__version__}.dist-info/METADATA").decode()
    assert "Requires-Dist: fontpkg-noto-sans" in metadata  # the PDF fonts arrive as a dependency


def test_the_installed_wheel_prints_its_version_and_runs_from_outside_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    assert run(str(installed / "si-mcp"), "--version").strip() == f"si-mcp {si_mcp.__version__}"
    where = run(str(installed / "python"), "-c", "import si_mcp; print(si_mcp.__file__)", cwd=tmp_path)
    assert str(ROOT) not in where and "site-packages" in where


def test_uvx_runs_the_wheel_with_the_locked_dependencies(wheel: Path) -> None:
    printed = run(UV, "tool", "run", "--quiet", "-c", LOCK, "--from", str(wheel), "si-mcp", "--version")
    assert printed.strip() == f"si-mcp {si_mcp.__version__}"


@pytest.mark.anyio
async def test_the_installed_wheel_answers_mcp_over_stdio_and_invoices_with_a_pdf(
    installed: Path, tmp_path: Path
) -> None:
    env = {"SI_MCP_DATA_DIR": str(tmp_path), "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    params = StdioServerParameters(command=str(installed / "si-mcp"), args=["serve"], env=env, cwd=str(tmp_path))
    with anyio.fail_after(120):
        async with Client(params) as client:
            assert client.server_info.name
            tools = {tool.name for tool in (await client.list_tools()).tools}
            prompts = {prompt.name for prompt in (await client.list_prompts()).prompts}
            await client.call_tool("create_organization", SEED_ORGANIZATION)
            made = await client.call_tool("create_invoice", SEED_INVOICE)
            number = made.structured_content["document"]["number"] if made.structured_content else ""
            pdf = await client.call_tool("get_pdf", {"document": number, "embed": True})

    assert {"create_invoice", "get_pdf", "find_documents"} <= tools and "invoice_client" in prompts
    assert not made.is_error and made.structured_content and made.structured_content["document"]["gross"] == "12100.00"
    blobs = [getattr(part, "resource", None) for part in pdf.content]
    data = [base64.b64decode(blob.blob) for blob in blobs if blob is not None and hasattr(blob, "blob")]
    assert data and data[0].startswith(b"%PDF-")  # template and fonts came with the wheel


def test_server_json_is_generated_from_the_settings_and_valid_for_the_mcp_registry() -> None:
    import jsonschema

    committed = json.loads((ROOT / "server.json").read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "packaging" / "server.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(committed)

    (package,) = committed["packages"]
    assert committed["version"] == package["version"] == si_mcp.__version__
    assert package["transport"] == {"type": "stdio"} and package["identifier"] == "si-mcp"
    declared = {variable["name"]: variable for variable in package["environmentVariables"]}
    assert set(declared) == {field.validation_alias for field in Settings.model_fields.values()}
    assert all(variable["description"] for variable in declared.values())
    secrets = {name for name, variable in declared.items() if variable["isSecret"]}
    assert secrets == {
        "SPACEINVOICES_ACCESS_TOKEN",
        "SI_MCP_SMTP_PASSWORD",
        "SI_MCP_HTTP_TOKEN",
        "SI_MCP_OAUTH_CLIENT_SECRET",
        "SI_MCP_CONFIRM_SECRET",
    }
    run(sys.executable, str(ROOT / "scripts" / "dist.py"), "server-json", "--check")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"mcp-name: {committed['name']}\n" in readme or f"mcp-name: {committed['name']} " in readme


def test_an_empty_environment_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    # MCP hosts (MCP Bundles) pass every optional setting, empty when the user left it blank.
    for name in ("SPACEINVOICES_ACCESS_TOKEN", "SI_MCP_SMTP_PORT", "SI_MCP_READ_ONLY", "SI_MCP_DATA_DIR"):
        monkeypatch.setenv(name, "")
    settings = Settings()
    assert settings.use_local_backend and settings.smtp_port == 587 and not settings.read_only
    assert settings.data_dir.name == "si-mcp"
