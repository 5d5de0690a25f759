from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from si_mcp import __version__
from si_mcp.cli import main
from si_mcp.settings import Settings


@pytest.mark.parametrize("command", ["serve", "api", "migrate"])
def test_help_lists_every_environment_variable_of_the_settings(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    names = [field.validation_alias for field in Settings.model_fields.values()]
    assert names and all(isinstance(name, str) and name in text for name in names)


def test_version_flag_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"si-mcp {__version__}"


def test_a_missing_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    assert "serve" in capsys.readouterr().err


def test_migrate_creates_the_books_and_refuses_to_grant_a_role_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SI_MCP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SI_MCP_DATABASE_URL", raising=False)
    with pytest.raises(SystemExit) as exited:
        main(["migrate"])
    assert exited.value.code == 0
    with sqlite3.connect(tmp_path / "books.db") as books:
        version = books.execute("SELECT version_num FROM alembic_version").fetchone()
    assert version is not None and "at this version" in capsys.readouterr().err

    with pytest.raises(SystemExit) as refused:
        main(["migrate", "--grant", "si_mcp_app"])
    assert "for PostgreSQL books" in str(refused.value.code)
