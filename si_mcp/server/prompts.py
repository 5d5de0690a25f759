"""Prompts, loaded from TOML files: ``prompts/*.toml`` in a checkout, ``si_mcp/_prompts`` in a wheel.

A file holds ``name``, ``title``, ``description``, ``[[arguments]]`` (``name``,
``description``, ``required``) and ``template``: the text, with ``$argument`` placeholders
(:class:`string.Template`, so braces and dollar amounts in the prose need no escaping beyond
``$$``). Arguments left out render as "(not given)".
"""

from __future__ import annotations

import tomllib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver.prompts.base import Prompt, PromptArgument

__all__ = ["PromptFile", "load_prompts", "prompts_dir", "register_prompts"]

_NOT_GIVEN = "(not given)"


def prompts_dir(package: Path | None = None) -> Path:
    """Where the prompt files are: ``_prompts`` inside the installed package (a wheel), else the checkout's
    ``prompts/`` next to the package (an editable install)."""
    root = package or Path(str(resources.files("si_mcp")))
    packaged = root / "_prompts"
    return packaged if packaged.is_dir() else root.parent / "prompts"


@dataclass(frozen=True)
class PromptFile:
    name: str
    title: str
    description: str
    arguments: list[PromptArgument]
    template: str

    def render(self, values: dict[str, Any]) -> str:
        known = {arg.name: _NOT_GIVEN for arg in self.arguments}
        given = {key: str(value).strip() or _NOT_GIVEN for key, value in values.items() if key in known}
        return Template(self.template).safe_substitute({**known, **given}).strip()


def _parse(path: Path) -> PromptFile:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    arguments = [
        PromptArgument(name=arg["name"], description=arg.get("description"), required=bool(arg.get("required", False)))
        for arg in data.get("arguments", [])
    ]
    return PromptFile(
        name=data["name"],
        title=data.get("title", data["name"]),
        description=data["description"],
        arguments=arguments,
        template=data["template"],
    )


def load_prompts(directory: Path | None = None) -> list[PromptFile]:
    """Every ``*.toml`` prompt, sorted by file name; a malformed file fails loudly at start-up."""
    folder = directory or prompts_dir()
    return [_parse(path) for path in sorted(folder.glob("*.toml"))]


def _renderer(prompt: PromptFile) -> Callable[..., Awaitable[str]]:
    async def render(**values: Any) -> str:  # async: no worker thread for a string substitution
        return prompt.render(values)

    return render


def register_prompts(server: MCPServer[Any], directory: Path | None = None) -> None:
    for prompt in load_prompts(directory):
        server.add_prompt(
            Prompt(
                name=prompt.name,
                title=prompt.title,
                description=prompt.description,
                arguments=prompt.arguments,
                fn=_renderer(prompt),
            )
        )
