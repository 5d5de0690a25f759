"""The MCP App's server side: the ``ui://`` page, who is told about it, and the facts ``get_document`` gives it.

The page itself runs in a real browser in ``tests/browser``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.extension import advertise
from mcp.client.streamable_http import streamable_http_client
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp.types import TextResourceContents

from si_mcp.client import SpaceInvoices
from si_mcp.models.labels import LANGUAGES, labels_for
from si_mcp.server import build_server
from si_mcp.server.apps import DOCUMENT_VIEW

from .conftest import SEED_INVOICE, SEED_ORGANIZATION, make_settings, structured, text_of
from .test_http import BASE, serving

pytestmark = pytest.mark.anyio

APPS = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})


def _client(tmp_path: Path, *, apps: bool) -> Client:
    return Client(build_server(make_settings(tmp_path)), extensions=[APPS] if apps else None)


async def _page(tmp_path: Path) -> tuple[str, Any]:
    async with _client(tmp_path, apps=True) as client:
        read = await client.read_resource(DOCUMENT_VIEW)
    content = read.contents[0]
    assert isinstance(content, TextResourceContents)
    return content.text, read


async def test_the_view_is_served_as_an_mcp_app_page_hosts_may_keep_a_day(tmp_path: Path) -> None:
    html, read = await _page(tmp_path)
    content = read.contents[0]
    assert content.mime_type == APP_MIME_TYPE
    assert content.meta == {"ui": {"csp": {}, "prefersBorder": True}}  # no outside origin to fetch from or frame
    assert (read.ttl_ms, read.cache_scope) == (24 * 60 * 60 * 1000, "public")
    assert html.startswith("<!doctype html>") and len(html.encode()) < 40_000


async def test_the_page_needs_no_network_and_never_writes_markup_from_data(tmp_path: Path) -> None:
    html, _ = await _page(tmp_path)
    assert not re.search(r"https?://", html)  # nothing to load: styles, script and labels are inline
    assert "default-src 'none'" in html and "connect-src 'none'" in html
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in html


async def test_the_page_prints_the_pdfs_own_labels_in_every_language(tmp_path: Path) -> None:
    html, _ = await _page(tmp_path)
    found = re.search(r'<script type="application/json" id="labels">(.*?)</script>', html, re.S)
    assert found is not None
    table = json.loads(found.group(1))
    assert set(table) == set(LANGUAGES)
    for language in LANGUAGES:
        printed = labels_for(language)
        assert table[language]["total_due"] == printed["total_due"]
        assert table[language]["title_credit-note"] == printed["title_credit-note"]
        assert "{to}" in table[language]["send_to"] and "{amount}" in table[language]["record_payment"]


async def test_the_server_advertises_apps_and_only_an_apps_client_sees_the_view_on_three_tools(tmp_path: Path) -> None:
    for apps in (False, True):
        async with _client(tmp_path / str(apps), apps=apps) as client:
            assert EXTENSION_ID in (client.server_capabilities.extensions or {})
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        shown = {name for name, tool in tools.items() if (tool.meta or {}).get("ui")}
        assert shown == ({"create_invoice", "get_document", "send_invoice"} if apps else set())
        for name in shown:
            assert tools[name].meta == {"ui": {"resourceUri": DOCUMENT_VIEW}}


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_an_apps_client_over_stateless_http_is_told_about_the_view_in_either_protocol(
    tmp_path: Path, api: SpaceInvoices, mode: str
) -> None:
    # Under the 2025 protocol stateless HTTP keeps no client capabilities between requests: the view is named anyway.
    with anyio.fail_after(30):
        async with serving(tmp_path, api) as http:
            transport = streamable_http_client(f"{BASE}/mcp", http_client=http)
            async with Client(transport, mode=mode, extensions=[APPS]) as client:
                tools = (await client.list_tools()).tools
    shown = {tool.name for tool in tools if (tool.meta or {}).get("ui")}
    assert shown == {"create_invoice", "get_document", "send_invoice"}


async def test_a_client_without_apps_gets_exactly_the_results_an_apps_client_gets(tmp_path: Path) -> None:
    answers = []
    for apps in (False, True):
        async with _client(tmp_path / str(apps), apps=apps) as client:
            await client.call_tool("create_organization", SEED_ORGANIZATION)
            created = await client.call_tool("create_invoice", {**SEED_INVOICE, "date": "2026-12-02"})
            shown = await client.call_tool("get_document", {"document": "2026-00001"})
        answers.append([_without_ids([text_of(r), structured(r)]) for r in (created, shown)])
    assert answers[0] == answers[1]


def _without_ids(data: Any) -> str:
    return re.sub(r"[0-9a-f]{24}", "<id>", json.dumps(data, sort_keys=True))


async def test_get_document_gives_the_view_both_parties_as_the_document_prints_them(tmp_path: Path) -> None:
    async with _client(tmp_path, apps=True) as client:
        await client.call_tool("create_organization", SEED_ORGANIZATION)
        await client.call_tool("update_organization", {"tax_number": "BE0477472701", "iban": "BE71096123456769"})
        await client.call_tool(
            "create_invoice",
            {
                **SEED_INVOICE,
                "client": "Orbit GmbH",
                "client_country": "Germany",
                "client_address": "Raumfahrtweg 7, 10115 Berlin",
                "client_tax_number": "DE136695976",
            },
        )
        # What the organization says later does not rewrite the issued invoice (nor what the view shows of it).
        await client.call_tool("update_organization", {"iban": "BE68539007547034"})
        document = structured(await client.call_tool("get_document", {"document": "2026-00001"}))["document"]
    assert document["issuer"] == {
        "name": "International Space Agency",
        "address": "Rocket street 1, 10000 Brussels, Belgium",
        "tax_number": "BE0477472701",
        "iban": "BE71096123456769",
    }
    assert document["buyer"]["name"] == "Orbit GmbH"
    assert document["buyer"]["tax_number"] == "DE136695976"
    assert "Berlin" in document["buyer"]["address"] and "iban" not in document["buyer"]
    assert document["language"] == "nl-BE"
