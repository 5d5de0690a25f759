"""create_invoice picks the EU VAT treatment (reverse charge, intra-EU supply, export, exempt) and says why."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, get_args

import pypdf
import pytest
from mcp import Client

from si_mcp.client import SpaceInvoices
from si_mcp.models import vat
from si_mcp.server import build_server
from si_mcp.server.tools._common import VatCategory

from .conftest import SEED_ORGANIZATION, make_settings, structured, text_of

pytestmark = pytest.mark.anyio

WORK = [{"name": "Consulting", "price": 1000, "tax_rates": [21]}]


async def pdf_text(api: SpaceInvoices, document_id: str, language: str | None = None) -> str:
    pdf = await api.documents.pdf(document_id, language=language)
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())


async def invoice(c: Client, **arguments: Any) -> Any:
    return await c.call_tool("create_invoice", {"items": WORK, **arguments})


def test_the_tool_schema_offers_exactly_the_categories_the_books_know() -> None:
    assert get_args(VatCategory) == get_args(vat.Category)


async def test_a_french_business_client_is_reverse_charged_and_the_invoice_says_so(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)  # Belgian
        result = await invoice(c, client="Dupont SA", client_country="France", client_tax_number="FR 61 954 506 077")

    data = structured(result)
    assert data["vat_treatment"].startswith("AE: services to a VAT-registered business in another EU country")
    # The client applies its own country's rate: this invoice states 0 % (EN 16931 BR-AE-05), not Belgium's 21 %.
    assert data["vat"] == [
        {"rate": "0", "label": "Reverse charge 0%", "base": "1000.00", "tax": "0.00", "category": "AE"}
    ]
    assert data["document"]["gross"] == "1000.00"
    assert "VAT AE: services to a VAT-registered business" in text_of(result) and "vat='S'" in text_of(result)
    dutch = await pdf_text(api, data["document"]["id"])
    assert "Verlegging van heffing: btw te voldoen door de medecontractant (art. 196" in dutch
    assert "Verlegging van heffing (AE)" in dutch
    assert "Autoliquidation (AE)" in await pdf_text(api, data["document"]["id"], language="fr")


async def test_goods_to_a_german_business_with_a_wrong_vat_number_are_refused_before_anything_is_made(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)
        refused = await invoice(
            c, client="Müller GmbH", client_country="Germany", client_tax_number="DE136695977", supply="goods"
        )
        listed = structured(await c.call_tool("find_documents", {}))

    assert refused.is_error and "'DE136695977' is not a valid VAT number" in text_of(refused)
    assert "client_tax_number" in text_of(refused) and listed["documents"] == []


async def test_goods_to_a_us_client_are_an_export_at_zero_with_the_legend(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)
        data = structured(await invoice(c, client="Acme Inc", client_country="United States", supply="goods"))

    assert data["vat_treatment"].startswith("G: goods to a client outside the EU: export")
    assert data["vat"] == [{"rate": "0", "label": "Export 0%", "base": "1000.00", "tax": "0.00", "category": "G"}]
    assert "Uitvoer buiten de EU, vrijgesteld van btw (art. 146" in await pdf_text(api, data["document"]["id"])


async def test_a_belgian_consumer_pays_belgian_vat_and_nothing_is_derived(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)
        result = await invoice(c, client="Jan Peeters", client_country="Belgium")

    data = structured(result)
    assert "vat_treatment" not in data and "VAT AE" not in text_of(result)
    assert [(v["rate"], v["tax"], v.get("category")) for v in data["vat"]] == [("21", "210.00", None)]


async def test_an_exempt_line_needs_its_legal_reason_and_prints_it(tmp_path: Path, api: SpaceInvoices) -> None:
    exempt = [{"name": "Medical care", "price": 500, "vat": "E"}, *WORK]
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)
        missing = await c.call_tool(
            "create_invoice", {"client": "Jan Peeters", "client_country": "BE", "items": exempt}
        )
        reason = "Vrijgesteld van btw - art. 44 Wetboek btw"
        data = structured(
            await c.call_tool(
                "create_invoice",
                {"client": "Jan Peeters", "client_country": "BE", "items": exempt, "vat_exemption": reason},
            )
        )

    assert missing.is_error and "vat_exemption" in text_of(missing)
    assert [(v.get("category"), v["base"], v["tax"]) for v in data["vat"]] == [
        ("E", "500.00", "0.00"),
        (None, "1000.00", "210.00"),
    ]
    assert data["document"]["gross"] == "1710.00"
    assert reason in await pdf_text(api, data["document"]["id"])


async def test_results_say_what_the_organizations_invoices_still_lack_until_it_is_set(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        created = await c.call_tool("create_organization", SEED_ORGANIZATION)
        first = structured(await invoice(c, client="Jan Peeters", client_country="BE"))
        updated = await c.call_tool(
            "update_organization",
            {"tax_number": "BE0403170701", "iban": "BE68539007547034", "email": "billing@isa.example"},
        )
        second = structured(await invoice(c, client="Jan Peeters", client_country="BE", note="second"))

    missing = structured(created)["organization"]["missing"]
    assert [gap.split(":")[0] for gap in missing] == ["tax_number", "iban", "email"]
    assert "no-reply@si-mcp.invalid" in missing[2] and "Still missing for complete invoices" in text_of(created)
    assert first["missing"] == ["tax_number", "iban", "email"]
    assert structured(updated)["organization"].get("missing", []) == [] and "Still missing" not in text_of(updated)
    assert "missing" not in second


async def test_overdue_and_today_are_the_organizations_own_calendar_day(tmp_path: Path, api: SpaceInvoices) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from si_mcp.models import OrganizationUpdate

    # The first and the last places on Earth to see a date: 25 hours apart, so their days always differ.
    earliest = dt.datetime.now(dt.UTC).astimezone(ZoneInfo("Pacific/Pago_Pago")).date()
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        for name, zone in (("East", "Pacific/Kiritimati"), ("West", "Pacific/Pago_Pago")):
            created = structured(await c.call_tool("create_organization", {**SEED_ORGANIZATION, "name": name}))
            await api.organizations.update(created["organization"]["id"], body=OrganizationUpdate(timezone=zone))
            due = {"date": earliest.isoformat(), "due_date": earliest.isoformat()}
            await invoice(c, organization=name, client="Jan Peeters", client_country="BE", **due)
        fresh = structured(await invoice(c, organization="East", client="Jan Peeters", client_country="BE", note="now"))
        east = structured(await c.call_tool("find_documents", {"organization": "East", "status": "overdue"}))
        west = structured(await c.call_tool("find_documents", {"organization": "West", "status": "overdue"}))
        west_all = structured(await c.call_tool("find_documents", {"organization": "West"}))

    assert [d["status"] for d in east["documents"]] == ["overdue"]  # its today is already after the due day
    # Made now with the default terms: due 30 of its own days from its today, and not overdue.
    east_today = dt.datetime.now(dt.UTC).astimezone(ZoneInfo("Pacific/Kiritimati")).date()
    assert fresh["document"]["due_date"] == (east_today + dt.timedelta(days=30)).isoformat()
    assert fresh["document"]["status"] == "unpaid"
    assert west["documents"] == [] and [d["status"] for d in west_all["documents"]] == ["unpaid"]


async def test_a_vat_number_without_its_country_prefix_is_checked_with_the_clients_country(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)
        greek = structured(await invoice(c, client="Athens SA", client_country="Greece", client_tax_number="094014201"))
        wrong = await invoice(c, client="Lyon SARL", client_country="France", client_tax_number="61954506078")

    assert greek["vat_treatment"].startswith("AE")
    assert wrong.is_error and "'61954506078' is not a valid VAT number" in text_of(wrong)


async def test_a_category_whose_wording_would_be_false_is_refused(tmp_path: Path, api: SpaceInvoices) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        await c.call_tool("create_organization", SEED_ORGANIZATION)
        domestic_export = await c.call_tool(
            "create_invoice",
            {"client": "Jan Peeters", "client_country": "BE", "items": [{**WORK[0], "vat": "G"}]},
        )

    assert domestic_export.is_error and "an export (G) needs a client outside the EU" in text_of(domestic_export)
