"""Another account's organizations and documents are invisible through every tool and resource."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from si_mcp.client import SpaceInvoices
from si_mcp.server import build_server

from .conftest import SEED_INVOICE, answering, make_settings, seed, text_of


@pytest.mark.anyio
async def test_a_second_accounts_ids_are_refused_by_every_tool(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/shared.db"
    async with (
        SpaceInvoices.local(url, data_dir=tmp_path / "b") as api_b,
        SpaceInvoices.local(url, data_dir=tmp_path / "a") as api_a,
    ):
        async with Client(build_server(make_settings(tmp_path / "b"), api=api_b)) as b:
            theirs = await seed(b, payments=None)
        org_b = (await api_b.documents.get(theirs["document"]["id"])).organization_id
        doc_b = theirs["document"]["id"]
        before = (await api_b.documents.get(doc_b)).model_dump()

        calls: list[tuple[str, dict[str, Any]]] = [
            ("get_document", {"document": doc_b}),
            ("get_document", {"document": doc_b, "organization": org_b}),
            ("get_pdf", {"document": doc_b}),
            ("mark_paid", {"document": doc_b}),
            ("send_invoice", {"document": doc_b}),
            ("cancel_document", {"document": doc_b}),
            ("find_documents", {"organization": org_b}),
            ("find_clients", {"organization": org_b}),
            ("update_organization", {"organization": org_b, "iban": "XX00"}),
            ("create_invoice", {**SEED_INVOICE, "organization": org_b}),
        ]
        settings_a = make_settings(tmp_path / "a", SI_MCP_CONFIRM=False)
        async with Client(build_server(settings_a, api=api_a), elicitation_callback=answering("accept", {})) as a:
            await a.call_tool("create_organization", {"name": "Mine", "country": "BE"})
            results = {f"{tool} {sorted(args)}": await a.call_tool(tool, args) for tool, args in calls}
            for uri in (f"si://documents/{doc_b}", f"si://documents/{doc_b}/pdf", f"si://organizations/{org_b}"):
                with pytest.raises(MCPError):
                    await a.read_resource(uri)

        for name, result in results.items():
            assert result.is_error, name
            assert "International Space Agency" not in text_of(result), name
        assert (await api_b.documents.get(doc_b)).model_dump() == before
