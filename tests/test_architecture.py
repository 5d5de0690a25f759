"""Imports flow one way: server → client → models; local → models (+ its engine); client and local → einvoice (the
pure e-invoice mapping and its validator) → models.

Checked on the source (AST), so a forbidden import fails CI even inside a function.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "si_mcp"

# layer -> module prefixes it must never import
FORBIDDEN = {
    "models": ("si_mcp.client", "si_mcp.server", "si_mcp.local", "si_mcp.einvoice", "mcp", "httpx", "sqlalchemy"),
    # Pure mapping (and an offline validator): no network, no database, no MCP, nothing of the layers above.
    "einvoice": ("si_mcp.client", "si_mcp.server", "si_mcp.local", "mcp", "httpx", "sqlalchemy", "anyio", "socket"),
    "local": ("si_mcp.client", "si_mcp.server", "mcp"),
    "client": ("si_mcp.server", "mcp", "sqlalchemy"),
    "server": ("si_mcp.local", "si_mcp.einvoice", "sqlalchemy", "httpx", "aiosqlite", "typst", "aiosmtplib"),
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


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _internal_imports(path: Path, modules: set[str]) -> set[str]:
    """Every si_mcp module ``path`` imports, at top level, in functions or under TYPE_CHECKING."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.update(f"{module}.{alias.name}" for alias in node.names)
            found.add(module)
    return {m for m in found if m in modules and m != name}


def test_no_import_cycles_inside_the_package() -> None:
    files = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph = {name: _internal_imports(path, set(files)) for name, path in files.items()}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str], done: set[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in trail:
                cycles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in done:
                visit(nxt, [*trail, nxt], done)
        done.add(node)

    done: set[str] = set()
    for start in sorted(graph):
        if start not in done:
            visit(start, [start], done)
    # A package's __init__ re-exporting its own submodules is not a cycle of the code.
    real = [
        c for c in cycles if not any(a.startswith(b + ".") or b.startswith(a + ".") for a, b in itertools.pairwise(c))
    ]
    assert real == []
