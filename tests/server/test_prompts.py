"""Prompts come from the files in prompts/ and teach the tool flow."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import TextContent

from si_mcp.server import build_server
from si_mcp.server.prompts import load_prompts, prompts_dir

from .conftest import make_settings

EXPECTED = {"invoice_client", "record_payment", "chase_overdue", "set_up_organization", "month_summary"}


def test_the_prompt_files_are_found_in_the_checkout() -> None:
    assert prompts_dir() == Path(__file__).parents[2] / "prompts"
    assert {prompt.name for prompt in load_prompts()} == EXPECTED


def test_an_installed_wheel_reads_its_prompts_from_inside_the_package(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "si_mcp"
    (package / "_prompts").mkdir(parents=True)
    for source in (Path(__file__).parents[2] / "prompts").glob("*.toml"):
        (package / "_prompts" / source.name).write_text(source.read_text())
    assert prompts_dir(package) == package / "_prompts"
    assert {prompt.name for prompt in load_prompts(prompts_dir(package))} == EXPECTED


@pytest.mark.anyio
async def test_every_prompt_is_listed_with_a_description_and_arguments(tmp_path: Path) -> None:
    async with Client(build_server(make_settings(tmp_path))) as client:
        prompts = (await client.list_prompts()).prompts
    assert {p.name for p in prompts} == EXPECTED
    for prompt in prompts:
        assert prompt.title and prompt.description and prompt.arguments
    invoice = next(p for p in prompts if p.name == "invoice_client")
    assert {(a.name, a.required) for a in invoice.arguments or []} >= {
        ("client", True),
        ("work", True),
        ("send", False),
    }


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("name", "arguments", "tools"),
    [
        (
            "invoice_client",
            {"client": "Rocket man", "work": "space suit, 10000 EUR + 21% VAT"},
            ["create_invoice", "send_invoice"],
        ),
        ("record_payment", {"document": "2026-00001"}, ["mark_paid", "get_document"]),
        ("chase_overdue", {}, ["find_documents", "send_invoice"]),
        ("set_up_organization", {"name": "International Space Agency", "country": "Belgium"}, ["create_organization"]),
        ("month_summary", {"month": "2026-11"}, ["report", 'kind="vat"']),
    ],
)
async def test_each_prompt_renders_its_arguments_and_names_the_tools_to_call(
    tmp_path: Path, name: str, arguments: dict[str, str], tools: list[str]
) -> None:
    async with Client(build_server(make_settings(tmp_path))) as client:
        result = await client.get_prompt(name, arguments)
    text = result.messages[0].content
    assert isinstance(text, TextContent)
    for value in arguments.values():
        assert value in text.text
    for tool in tools:
        assert tool in text.text
    assert "$" + next(iter(arguments), "organization") not in text.text  # every placeholder was filled


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("name", "arguments", "says"),
    [
        ("invoice_client", {"client": "Rocket man"}, "missing required argument(s): work"),
        ("invoice_client", {"client": "Rocket man", "work": "1 suit", "colour": "red"}, "unknown argument(s): colour"),
        ("write_poem", {}, "unknown prompt 'write_poem'"),
    ],
)
async def test_a_prompt_asked_for_wrongly_is_an_invalid_params_error_naming_what_is_wrong(
    tmp_path: Path, name: str, arguments: dict[str, str], says: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with Client(build_server(make_settings(tmp_path))) as client:
        with pytest.raises(MCPError) as refused:
            await client.get_prompt(name, arguments)

    assert refused.value.error.code == -32602  # the client's mistake (JSON-RPC invalid params), not an internal error
    assert says in refused.value.error.message, refused.value.error.message
    assert not [r for r in caplog.records if r.exc_info], "a caller's mistake is not logged with a traceback"


@pytest.mark.anyio
async def test_prompts_mention_only_tools_and_arguments_that_exist(tmp_path: Path) -> None:
    async with Client(build_server(make_settings(tmp_path))) as client:
        tools = (await client.list_tools()).tools
    known_words = {word for tool in tools for word in re.findall(r"[a-z]+(?:_[a-z]+)+", json.dumps(tool.model_dump()))}
    for prompt in load_prompts():
        words = set(re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", prompt.template))
        assert words <= known_words | {arg.name for arg in prompt.arguments}, prompt.name
