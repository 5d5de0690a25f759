from __future__ import annotations

import pytest

from si_mcp import __version__
from si_mcp.cli import main
from si_mcp.settings import Settings


@pytest.mark.parametrize("command", ["serve", "api"])
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
