"""What the model sees: the tool list is pinned by a snapshot, fits its budget and tells the truth about itself.

Regenerate the snapshot on purpose with ``SI_MCP_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/server``
and review the diff like an API change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp.types import Tool

from si_mcp.models import PAYMENT_TYPES
from si_mcp.server import build_server
from si_mcp.server.doc import END, START, render_table
from si_mcp.server.tools._common import PaymentType

from .conftest import make_settings

SNAPSHOT = Path(__file__).parent / "tool_list.json"
APPS_SNAPSHOT = Path(__file__).parent / "tool_list_apps.json"  # what a client that renders MCP Apps is listed
README = Path(__file__).parents[2] / "README.md"
# 24 KiB (about 6k tokens) for the whole tools/list answer and at most 18 tools; the JSON-RPC envelope and the
# SDK's _meta take about 150 bytes.
TOOLS_LIST_BUDGET = 24 * 1024 - 200
MAX_TOOLS = 18
WRITE_TOOLS = {
    "create_organization",
    "update_organization",
    "create_invoice",
    "mark_paid",
    "send_invoice",
    "cancel_document",
    "recurring_invoice",
}


async def _tools(tmp_path: Path, *, apps: bool = False, **settings: Any) -> list[Tool]:
    extensions = [advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})] if apps else None
    async with Client(build_server(make_settings(tmp_path, **settings)), extensions=extensions) as client:
        return (await client.list_tools()).tools


def _size(tools: list[dict[str, Any]]) -> int:
    return len(json.dumps({"tools": tools}, separators=(",", ":"), ensure_ascii=False).encode())


def _wire(tools: list[Tool]) -> list[dict[str, Any]]:
    return [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]


@pytest.mark.anyio
async def test_the_tool_list_matches_the_reviewed_snapshot(tmp_path: Path) -> None:
    listed = _wire(await _tools(tmp_path))
    if os.environ.get("SI_MCP_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(json.dumps(listed, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert listed == json.loads(SNAPSHOT.read_text(encoding="utf-8")), "tool list changed: review, then update"


@pytest.mark.anyio
async def test_a_client_that_renders_apps_gets_the_reviewed_list_with_the_document_view(tmp_path: Path) -> None:
    listed = _wire(await _tools(tmp_path, apps=True))
    if os.environ.get("SI_MCP_UPDATE_SNAPSHOTS") == "1":
        APPS_SNAPSHOT.write_text(json.dumps(listed, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert listed == json.loads(APPS_SNAPSHOT.read_text(encoding="utf-8")), "tool list changed: review, then update"


@pytest.mark.anyio
async def test_the_app_changes_only_the_three_view_tools_meta_and_adds_at_most_2_kib(tmp_path: Path) -> None:
    plain, apps = _wire(await _tools(tmp_path)), _wire(await _tools(tmp_path, apps=True))
    view = {"ui": {"resourceUri": "ui://si-mcp/document.html"}}
    assert [t["name"] for t in plain] == [t["name"] for t in apps]
    for before, after in zip(plain, apps, strict=True):
        shown = before["name"] in {"create_invoice", "get_document", "send_invoice"}
        assert after == ({**before, "_meta": {**before.get("_meta", {}), **view}} if shown else before)
    assert 0 < _size(apps) - _size(plain) <= 2048


@pytest.mark.anyio
@pytest.mark.parametrize("apps", [False, True], ids=["plain client", "apps client"])
async def test_the_whole_tool_list_fits_in_24_kib_and_18_tools(tmp_path: Path, apps: bool) -> None:
    tools = _wire(await _tools(tmp_path, apps=apps))
    assert _size(tools) <= TOOLS_LIST_BUDGET and len(tools) <= MAX_TOOLS


@pytest.mark.anyio
async def test_every_argument_a_name_does_not_explain_is_described(tmp_path: Path) -> None:
    # A model fills arguments from the schema; only plain address fields and a few filters go without words.
    self_evident = {"name", "address", "city", "zip", "phone", "type", "client_address"}
    undescribed = {
        f"{tool.name}.{name}"
        for tool in await _tools(tmp_path)
        for name, schema in tool.input_schema.get("properties", {}).items()
        if "description" not in schema and name not in self_evident
    }
    assert undescribed == set()


@pytest.mark.anyio
async def test_every_tool_has_a_title_an_output_schema_flat_arguments_and_all_four_hints(tmp_path: Path) -> None:
    tools = await _tools(tmp_path)
    assert 10 <= len(tools) <= MAX_TOOLS
    for tool in tools:
        assert tool.title and tool.description
        assert tool.output_schema is not None and tool.output_schema["type"] == "object"
        assert "params" not in tool.input_schema.get("properties", {})
        for hidden in ("ctx", "plan", "consent", "found"):  # context and resolver parameters are not arguments
            assert hidden not in tool.input_schema.get("properties", {})
        hints = tool.annotations
        assert hints is not None
        flags = (hints.read_only_hint, hints.destructive_hint, hints.idempotent_hint, hints.open_world_hint)
        assert None not in flags
        assert hints.read_only_hint == (tool.name not in WRITE_TOOLS)
    emails = {t.name for t in tools if t.annotations and t.annotations.open_world_hint}
    assert emails == {"create_invoice", "send_invoice", "recurring_invoice"}  # the only ways out of the books: email


# (read only, destructive, idempotent, open world) of every tool, as the client may rely on them. Destructive: what
# cannot be undone (an issued number, an email gone out, a cancel, a recurrence stopped, an organization's details
# replaced); open world: it can reach someone outside the books (email).
HINTS = {
    "create_organization": (False, False, False, False),
    "list_organizations": (True, False, True, False),
    "update_organization": (False, True, True, False),
    "create_invoice": (False, True, False, True),
    "mark_paid": (False, False, False, False),
    "send_invoice": (False, True, False, True),
    "get_pdf": (True, False, True, False),
    "find_documents": (True, False, True, False),
    "get_document": (True, False, True, False),
    "cancel_document": (False, True, True, False),
    "find_clients": (True, False, True, False),
    "recurring_invoice": (False, True, False, True),
    "report": (True, False, True, False),
}


@pytest.mark.anyio
async def test_each_tools_four_hints_are_true_to_what_it_does(tmp_path: Path) -> None:
    tools = await _tools(tmp_path)
    hints = {
        t.name: (
            t.annotations.read_only_hint,
            t.annotations.destructive_hint,
            t.annotations.idempotent_hint,
            t.annotations.open_world_hint,
        )
        for t in tools
        if t.annotations is not None
    }
    assert hints == HINTS


@pytest.mark.anyio
async def test_read_only_mode_registers_no_write_tools_at_all(tmp_path: Path) -> None:
    tools = await _tools(tmp_path, SI_MCP_READ_ONLY=True)
    assert tools
    assert all(tool.annotations and tool.annotations.read_only_hint for tool in tools)
    assert not {tool.name for tool in tools} & WRITE_TOOLS
    async with Client(build_server(make_settings(tmp_path, SI_MCP_READ_ONLY=True))) as client:
        refused = await client.call_tool("create_invoice", {"client": "x", "items": [{"name": "x", "price": 1}]})
    assert refused.is_error


@pytest.mark.anyio
async def test_the_readme_tool_table_is_generated_from_the_server(tmp_path: Path) -> None:
    table = render_table(await _tools(tmp_path))
    readme = README.read_text(encoding="utf-8")
    assert f"{START}\n{table}\n{END}" in readme, "README tool table is stale: run python -m si_mcp.server.doc --write"


def test_the_tools_offer_exactly_the_apis_payment_types() -> None:
    assert PaymentType.__args__ == PAYMENT_TYPES


def test_every_setting_is_documented_in_the_readme() -> None:
    from si_mcp.settings import Settings

    readme = README.read_text(encoding="utf-8")
    aliases = [field.validation_alias for field in Settings.model_fields.values()]
    missing = [alias for alias in aliases if isinstance(alias, str) and alias not in readme]
    assert missing == []
