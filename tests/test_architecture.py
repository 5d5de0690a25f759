"""Imports flow one way: server → client → models; local → models (+ its engine).

Checked on the source (AST), so a forbidden import fails CI even inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "si_mcp"

# layer -> module prefixes it must never import
FORBIDDEN = {
    "models": ("si_mcp.client", "si_mcp.server", "si_mcp.local", "mcp", "httpx", "sqlalchemy"),
    "local": ("si_mcp.client", "si_mcp.server", "mcp"),
    "client": ("si_mcp.server", "mcp", "sqlalchemy"),
    "server": ("si_mcp.local", "sqlalchemy", "httpx", "aiosqlite", "typst", "aiosmtplib"),
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _violations(layer: str) -> list[str]:
    found = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in _imports(path):
            if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[layer]):
                found.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_what_lies_below_it(layer: str) -> None:
    assert list((PACKAGE / layer).rglob("*.py")), f"layer {layer} has no modules"
    assert _violations(layer) == []
