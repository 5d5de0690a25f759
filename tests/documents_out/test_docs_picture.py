"""The README's invoice picture is what the current template renders."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from si_mcp.local.pdf import renderer as renderer_module

ROOT = Path(__file__).resolve().parent.parent.parent


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_seed_invoice", ROOT / "docs" / "make_seed_invoice.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_picture_is_what_the_current_template_renders() -> None:
    assert _generator().main(["--check"]) == 0
    assert "](docs/seed-invoice.png)" in (ROOT / "README.md").read_text()


def test_picture_check_fails_once_the_template_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edited = tmp_path / "invoice.typ"
    edited.write_text(renderer_module.DEFAULT_TEMPLATE.read_text().replace("luma(100)", "luma(40)"))
    monkeypatch.setattr(renderer_module, "DEFAULT_TEMPLATE", edited)

    assert _generator().main(["--check"]) == 1
