"""The document view (``ui://si-mcp/document.html``) in headless Chromium, embedded by the official MCP Apps
``AppBridge`` (tests/browser/host), fed real tool results from a running si-mcp server, its buttons' ``tools/call``
requests forwarded to that server.

    SI_MCP_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/browser   # rewrite docs/document-view.png
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp.types import CallToolResult, TextResourceContents

from si_mcp.server import build_server
from si_mcp.server.apps import DOCUMENT_VIEW
from si_mcp.settings import Settings
from tests.server.conftest import SEED_ORGANIZATION

pytestmark = pytest.mark.anyio

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "document-view.png"
INVOICE = {  # the quickstart's invoice, not yet paid, on a fixed day so that the picture is stable
    "client": "Rocket man",
    "client_country": "United Kingdom",
    "client_email": "rocket@example.com",
    "date": "2026-12-02",
    "items": [
        {"name": "Space suit", "quantity": 1, "price": 10000, "tax_rates": [21]},
        {"name": "Helmet polish", "quantity": 3, "unit": "h", "price": "45.50", "tax_rates": [21]},
    ],
}


class Served:
    """A running si-mcp server (embedded books in a temp folder) that the page's tool calls reach."""

    def __init__(self, client: Client, data_dir: Path) -> None:
        self.client, self.data_dir = client, data_dir

    async def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        result = await self.client.call_tool(name, arguments)
        return _wire(result)

    async def view_html(self) -> str:
        content = (await self.client.read_resource(DOCUMENT_VIEW)).contents[0]
        assert isinstance(content, TextResourceContents)
        return content.text


def _wire(result: CallToolResult) -> dict[str, Any]:
    wire: dict[str, Any] = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    return wire


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    settings = Settings(SI_MCP_DATA_DIR=tmp_path / "data")
    apps = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})
    async with Client(build_server(settings), extensions=[apps]) as client:
        served = Served(client, tmp_path / "data")
        await served.call("create_organization", SEED_ORGANIZATION)
        await served.call("update_organization", {"tax_number": "BE0477472701", "iban": "BE71096123456769"})
        yield served


async def _show(
    page: Any,
    served: Served,
    result: dict[str, Any],
    *,
    tool: str | None = None,
    arguments: Any = None,
    capabilities: dict[str, Any] | None = None,
) -> Any:
    """Embed the view, forward its tool calls to the server, hand it the call (``tool`` with ``arguments``) and its
    ``result``, as a host does; the view's frame once drawn. ``capabilities``: the host's, instead of the test
    host's own (which let the view call tools and download files)."""
    await page.expose_function("siCall", served.call)
    context = {"toolInfo": {"tool": {"name": tool, "inputSchema": {"type": "object"}}}} if tool else {}
    options: dict[str, Any] = {"width": 680, "height": 400, "hostContext": context}
    if capabilities is not None:
        options["hostCapabilities"] = capabilities
    await page.evaluate("([html, options]) => host.load(html, options)", [await served.view_html(), options])
    await page.evaluate("host.forward = (name, args) => window.siCall(name, args); 0")
    if arguments is not None:
        await page.evaluate("args => host.sendToolInput(args)", arguments)
    await page.evaluate("result => host.sendToolResult(result)", result)
    frame = page.frame_locator("#view")
    await frame.locator("#view:not([hidden])").wait_for()
    return frame


async def _click_twice(frame: Any, selector: str) -> None:
    """Two clicks in one go, before the page could redraw anything between them."""
    await frame.locator(selector).evaluate("(button) => { button.click(); button.click(); }")


async def _idle(frame: Any) -> None:
    """Until the action a click started has ended (the view marks itself busy while one runs)."""
    await frame.locator('#view[data-busy="no"]').wait_for()


async def _calls(page: Any) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = await page.evaluate("host.calls")
    return calls


async def test_the_view_draws_a_created_invoice_as_it_prints_and_matches_the_readme_picture(
    page: Any, served: Served
) -> None:
    created = await served.call("create_invoice", INVOICE)
    frame = await _show(page, served, created)
    # create_invoice's result names the document; the view asked get_document for the rest, once.
    assert [c["name"] for c in await _calls(page)] == ["get_document"]
    assert await frame.locator("#title").text_content() == "Factuur"  # the document's language (nl-BE)
    assert await frame.locator("#number").text_content() == "2026-00001"
    assert await frame.locator("#status").text_content() == "Onbetaald"
    assert await frame.locator("#issuer-name").text_content() == "International Space Agency"
    assert "BE0477472701" in (await frame.locator("#issuer-tax").text_content() or "")
    assert await frame.locator("#iban").text_content() == "BE71096123456769"
    assert await frame.locator("#buyer-name").text_content() == "Rocket man"
    assert await frame.locator("#lines tr").count() == 2
    totals = await frame.locator("#totals").inner_text()
    assert (
        "€\u00a010.136,50" in totals and "€\u00a02.128,67" in totals and "€\u00a012.265,17" in totals
    )  # Belgian Dutch format
    assert await frame.locator("#send").text_content() == "Send to \u2068rocket@example.com\u2069"  # the user's UI
    assert await frame.locator("#pay").text_content() == "Record payment of \u2068€\u00a012.265,17\u2069"

    shot = await page.locator("#view").screenshot()
    if os.environ.get("SI_MCP_UPDATE_SNAPSHOTS") == "1":
        SCREENSHOT.write_bytes(shot)
    assert SCREENSHOT.is_file(), "run SI_MCP_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/browser"
    drift = await page.evaluate(
        _COMPARE, [base64.b64encode(shot).decode(), base64.b64encode(SCREENSHOT.read_bytes()).decode()]
    )
    # Renders here are identical (0 pixels); the margin (0.05 %) is for anti-aliasing, not for a changed amount.
    assert drift["same_size"] and drift["differing"] <= drift["pixels"] // 2000, (
        f"docs/document-view.png is not what the view renders now ({drift}): "
        "run SI_MCP_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/browser and review the picture"
    )
    assert "](docs/document-view.png)" in (SCREENSHOT.parents[1] / "README.md").read_text(encoding="utf-8")


# Both pictures decoded by the browser itself; a pixel differs when a channel moved by more than 24 of 255.
_COMPARE = """async ([a, b]) => {
  const load = async (b64) => createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
  const [x, y] = [await load(a), await load(b)];
  const pixels = x.width * x.height;
  if (x.width !== y.width || x.height !== y.height) return {same_size: false, pixels, differing: pixels};
  const read = (img) => {
    const canvas = new OffscreenCanvas(img.width, img.height), ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    return ctx.getImageData(0, 0, img.width, img.height).data;
  };
  const [p, q] = [read(x), read(y)];
  let differing = 0;
  for (let i = 0; i < p.length; i += 4) {
    const moved = [0, 1, 2].some((c) => Math.abs(p[i + c] - q[i + c]) > 24);
    if (moved) differing++;
  }
  return {same_size: true, pixels, differing};
}"""


async def test_send_asks_with_the_recipient_and_a_double_click_emails_once(page: Any, served: Served) -> None:
    created = await served.call("create_invoice", INVOICE)
    document_id = created["structuredContent"]["document"]["id"]
    frame = await _show(page, served, created)

    await frame.locator("#send").dblclick()
    await frame.locator("#confirm:not([hidden])").wait_for()
    sends = [c for c in await _calls(page) if c["name"] == "send_invoice"]
    assert sends == [
        {
            "name": "send_invoice",
            "arguments": {
                "document": document_id,
                "organization": "International Space Agency",
                "recipients": ["rocket@example.com"],
            },
        }
    ]
    # The panel says what will happen; nothing went out yet.
    question = await frame.locator("#confirm-text").text_content()
    assert question == "Email \u20682026-00001\u2069 and its PDF to \u2068rocket@example.com\u2069?"
    preview = await frame.locator("#confirm-preview").text_content() or ""  # send_invoice's own words
    assert "rocket@example.com" in preview and "12,265.17 EUR" in preview
    assert not list(served.data_dir.rglob("*.eml"))

    await _click_twice(frame, "#confirm-go")
    await _idle(frame)
    sends = [c for c in await _calls(page) if c["name"] == "send_invoice"]
    assert len(sends) == 2 and sends[1]["arguments"]["confirmation_token"]
    assert {k: v for k, v in sends[1]["arguments"].items() if k != "confirmation_token"} == sends[0]["arguments"]
    assert len(list(served.data_dir.rglob("*.eml"))) == 1  # no SMTP configured: the email is kept as a file
    # The same token again (a replayed click, another replica) sends nothing more.
    again = await served.call("send_invoice", sends[1]["arguments"])
    assert "NOTHING NEW WAS SENT" in again["content"][0]["text"]
    assert len(list(served.data_dir.rglob("*.eml"))) == 1

    # Redrawn from the books: sent now, so the button offers a resend, and asks for it as one.
    assert await frame.locator("#send").text_content() == "Send again to \u2068rocket@example.com\u2069"
    await frame.locator("#send").click()
    await frame.locator("#confirm:not([hidden])").wait_for()
    assert (await _calls(page))[-1]["arguments"] == {**sends[0]["arguments"], "resend": True}
    await frame.locator("#confirm-go").click()
    await _idle(frame)
    assert len(list(served.data_dir.rglob("*.eml"))) == 2


async def test_an_email_the_model_asked_for_is_confirmed_in_the_view_with_the_calls_own_arguments(
    page: Any, served: Served
) -> None:
    await served.call("create_invoice", INVOICE)
    arguments = {"document": "2026-00001", "message": "Thank you for flying with us.", "language": "en"}
    held = await served.call("send_invoice", arguments)  # what the model got: a preview and a token
    assert held["structuredContent"]["status"] == "needs_confirmation"
    frame = await _show(page, served, held, tool="send_invoice", arguments=arguments)
    await frame.locator("#confirm:not([hidden])").wait_for()
    assert "\u2068rocket@example.com\u2069" in (await frame.locator("#confirm-text").text_content() or "")
    assert not list(served.data_dir.rglob("*.eml"))
    await frame.locator("#confirm-go").dblclick()
    await _idle(frame)
    sends = [c["arguments"] for c in await _calls(page) if c["name"] == "send_invoice"]
    token = held["structuredContent"]["confirmation_token"]
    assert sends == [{**arguments, "confirmation_token": token}]
    (email,) = served.data_dir.rglob("*.eml")
    assert "Thank you for flying with us." in email.read_text(errors="replace")


async def test_an_invoice_created_with_send_is_emailed_from_the_view_through_send_invoice_with_its_message(
    page: Any, served: Served
) -> None:
    arguments = {**INVOICE, "send": "See you in orbit."}
    created = await served.call("create_invoice", arguments)
    email = created["structuredContent"]["email"]
    assert email["status"] == "needs_confirmation"
    frame = await _show(page, served, created, tool="create_invoice", arguments=arguments)
    await frame.locator("#confirm:not([hidden])").wait_for()
    assert "rocket@example.com" in (await frame.locator("#confirm-preview").text_content() or "")  # the server's words
    await _click_twice(frame, "#confirm-go")
    await _idle(frame)
    sends = [c["arguments"] for c in await _calls(page) if c["name"] == "send_invoice"]
    assert sends == [
        {
            "document": created["structuredContent"]["document"]["id"],
            "organization": "International Space Agency",
            "message": "See you in orbit.",
            "confirmation_token": email["confirmation_token"],
        }
    ]
    (sent,) = served.data_dir.rglob("*.eml")
    assert "See you in orbit." in sent.read_text(errors="replace")


async def test_amounts_keep_the_books_digits_not_the_browsers_currency_data(page: Any, served: Served) -> None:
    # ISO 4217 gives the forint 2 decimals (the books'); browsers' CLDR data says 0 and would round 1270.65 to 1271.
    invoice = {**INVOICE, "currency": "HUF", "items": [{"name": "Fuel", "price": "1050.1234", "tax_rates": [21]}]}
    frame = await _show(page, served, await served.call("create_invoice", invoice))
    assert "1.270,65" in (await frame.locator("#pay").text_content() or "")
    assert "1.050,1234" in (await frame.locator("#lines td").nth(2).text_content() or "")  # the unit price as given


async def test_discounts_show_the_pdfs_subtotal_and_discount_rows_summed_exactly(page: Any, served: Served) -> None:
    invoice = {**INVOICE, "items": [{"name": "Space suit", "price": "0.10", "quantity": 3, "discount": 10}]}
    frame = await _show(page, served, await served.call("create_invoice", invoice))
    totals = await frame.locator("#totals").inner_text()
    # 0.30 before the 10 % discount of 0.03: the subtotal is net + discount, added as decimals (0.1 + 0.2 ≠ 0.3).
    assert "Subtotaal\t€\u00a00,30" in totals and "Korting\t€\u00a0-0,03" in totals
    assert "Totaal excl. btw\t€\u00a00,27" in totals


async def test_a_send_awaiting_approval_is_offered_even_by_a_host_that_names_neither_tool_nor_arguments(
    page: Any, served: Served
) -> None:
    await served.call("create_invoice", INVOICE)
    held = await served.call("send_invoice", {"document": "2026-00001"})
    frame = await _show(page, served, held)  # no toolInfo in the host context, no tool-input
    await frame.locator("#confirm:not([hidden])").wait_for()
    await frame.locator("#confirm-go").click()
    await _idle(frame)
    assert len(list(served.data_dir.rglob("*.eml"))) == 1


async def test_what_the_books_would_refuse_is_not_offered(page: Any, served: Served) -> None:
    await served.call("create_invoice", INVOICE)
    partial = {
        "type": "credit-note",
        "related_document": "2026-00001",
        "items": [{"name": "Helmet polish", "price": 45.5}],
    }
    await served.call("create_invoice", partial)
    frame = await _show(page, served, await served.call("get_document", {"document": "2026-00001", "type": "invoice"}))
    assert await frame.locator("#pay").is_visible()  # still something due
    assert await frame.locator("#credit").is_hidden()  # partly credited: the rest needs its own lines
    assert "\u20682026-00001\u2069" in (await frame.locator("#refs").text_content() or "")  # credited by


async def test_a_canceled_invoice_asks_for_no_payment(page: Any, served: Served) -> None:
    await served.call("create_invoice", INVOICE)
    held = await served.call("cancel_document", {"document": "2026-00001"})
    token = held["structuredContent"]["confirmation_token"]
    await served.call("cancel_document", {"document": "2026-00001", "confirmation_token": token})
    frame = await _show(page, served, await served.call("get_document", {"document": "2026-00001"}))
    assert await frame.locator("#status").text_content() == "Geannuleerd"
    for hidden in ("#iban-box", "#pay", "#send", "#credit"):
        assert await frame.locator(hidden).is_hidden(), hidden


async def test_a_negative_discount_prints_as_the_pdf_does(page: Any, served: Served) -> None:
    # A discounted negative line makes the books' total discount negative: -5.00 here, printed as +5.00.
    items = [{"name": "Space suit", "price": 100}, {"name": "Trade-in", "price": -50, "discount": 10}]
    frame = await _show(page, served, await served.call("create_invoice", {**INVOICE, "items": items}))
    totals = await frame.locator("#totals").inner_text()
    assert "Subtotaal\t€\u00a050,00" in totals and "Korting\t€\u00a05,00" in totals
    assert "Totaal excl. btw\t€\u00a055,00" in totals


async def test_a_host_that_lets_no_view_call_tools_gets_the_document_without_buttons(page: Any, served: Served) -> None:
    await served.call("create_invoice", INVOICE)
    shown = await served.call("get_document", {"document": "2026-00001"})
    frame = await _show(page, served, shown, capabilities={"openLinks": {}})
    assert await frame.locator("#number").text_content() == "2026-00001"
    for hidden in ("#send", "#pay", "#pdf", "#credit"):
        assert await frame.locator(hidden).is_hidden(), hidden


async def test_a_new_result_closes_the_question_about_the_previous_one(page: Any, served: Served) -> None:
    first = await served.call("create_invoice", INVOICE)
    frame = await _show(page, served, first)
    await frame.locator("#credit").click()
    await frame.locator("#confirm:not([hidden])").wait_for()
    await served.call("create_invoice", {**INVOICE, "client": "Moon base", "client_email": "moon@example.com"})
    second = await served.call("get_document", {"document": "2026-00002"})
    await page.evaluate("result => host.sendToolResult(result)", second)
    await frame.locator("#number", has_text="2026-00002").wait_for()
    assert await frame.locator("#confirm").is_hidden()
    assert await frame.locator("#confirm-go").evaluate("(button) => { button.click(); return true; }")
    await _idle(frame)
    assert "create_invoice" not in [c["name"] for c in await _calls(page)]  # nothing credited, neither one


async def test_the_buttons_follow_the_users_language_when_the_host_changes_it(page: Any, served: Served) -> None:
    frame = await _show(page, served, await served.call("create_invoice", INVOICE))
    assert (await frame.locator("#send").text_content() or "").startswith("Send to")
    await page.evaluate(
        "host.setHostContext({theme: 'light', locale: 'de-DE', timeZone: 'UTC', platform: 'web',"
        " displayMode: 'inline', availableDisplayModes: ['inline']}); 0"
    )
    await frame.locator("#send", has_text="Senden an").wait_for()
    assert await frame.locator("#title").text_content() == "Factuur"  # the document stays in its own language


async def test_an_estimate_shows_its_validity_and_the_invoice_made_from_it(page: Any, served: Served) -> None:
    await served.call("create_invoice", {**INVOICE, "type": "estimate"})
    await served.call("create_invoice", {"related_document": "2026-00001", "type": "invoice"})
    shown = await served.call("get_document", {"document": "2026-00001", "type": "estimate"})
    frame = await _show(page, served, shown)
    assert await frame.locator("#l-due").text_content() == "Geldig tot"
    assert (await frame.locator("#refs").text_content() or "").startswith("Gefactureerd als")
    for hidden in ("#pay", "#credit", "#iban-box"):  # an offer is not paid, credited or asked to be paid
        assert await frame.locator(hidden).is_hidden(), hidden


async def test_record_payment_asks_then_pays_what_is_due_once_and_redraws_paid(page: Any, served: Served) -> None:
    created = await served.call("create_invoice", INVOICE)
    frame = await _show(page, served, created)
    await frame.locator("#pay").click()
    await frame.locator("#confirm:not([hidden])").wait_for()
    asked = await frame.locator("#confirm-text").text_content() or ""
    assert "\u2068€\u00a012.265,17\u2069" in asked, asked
    await _click_twice(frame, "#confirm-go")
    await frame.locator("#status.paid").wait_for()
    assert await frame.locator("#status").text_content() == "Betaald"
    assert await frame.locator("#pay").is_hidden()
    totals = await frame.locator("#totals").inner_text()  # as the PDF: paid and due once something was paid
    assert "Betaald\t€\u00a012.265,17" in totals and "Te betalen\t€\u00a00,00" in totals
    shown = await served.call("get_document", {"document": "2026-00001"})
    payments = shown["structuredContent"]["document"]["payments"]
    assert [p["amount"] for p in payments] == ["12265.17"]
    assert [c["name"] for c in await _calls(page)].count("mark_paid") == 2  # the ask, then the confirmed one


async def test_a_credit_note_is_issued_only_after_the_panel_and_is_shown_correcting_the_invoice(
    page: Any, served: Served
) -> None:
    created = await served.call("create_invoice", INVOICE)
    frame = await _show(page, served, created)
    await frame.locator("#credit").click()
    assert "create_invoice" not in [c["name"] for c in await _calls(page)]  # the first click only asks
    assert "\u20682026-00001\u2069" in (await frame.locator("#confirm-text").text_content() or "")
    await frame.locator("#confirm-go").click()
    await frame.locator("#title", has_text="Creditnota").wait_for()
    assert await frame.locator("#number").text_content() == "2026-00001"  # the credit notes' own series
    assert "\u20682026-00001\u2069" in (await frame.locator("#refs").text_content() or "")
    assert await frame.locator("#credit").is_hidden()  # a credit note is not credited
    issued = [c for c in await _calls(page) if c["name"] == "create_invoice"]
    assert [c["arguments"] for c in issued] == [
        {
            "type": "credit-note",
            "related_document": created["structuredContent"]["document"]["id"],
            "organization": "International Space Agency",
        }
    ]


async def test_download_hands_the_host_the_pdf_itself(page: Any, served: Served) -> None:
    created = await served.call("create_invoice", INVOICE)
    frame = await _show(page, served, created)
    await frame.locator("#pdf").click()
    await page.wait_for_function("host.events.some(e => e.type === 'download-file')")
    events = await page.evaluate("host.events.filter(e => e.type === 'download-file')")
    (resource,) = [c["resource"] for c in events[0]["params"]["contents"]]
    assert resource["mimeType"] == "application/pdf"
    assert base64.b64decode(resource["blob"]).startswith(b"%PDF")


HOSTILE = '<img src=x onerror="parent.__pwned=1;__pwned=1"><script>parent.__pwned=1</script></td><b>bold</b>'
OVERRIDE = "\u202eevil.exe\u202c"  # right-to-left override: prints "exe.live"
OPEN_OVERRIDE = "\u202e1000-6202"  # never closed: would flip everything after it on the line


def _hostile_result() -> dict[str, Any]:
    """What a server (ours or another) might put in a get_document result: markup, script and bidi overrides."""
    document = {
        "id": "0" * 24,
        "number": f"2026-{OVERRIDE}",
        "type": "credit-note",
        "status": "unpaid",
        "client": HOSTILE,
        "date": "2026-12-02",
        "currency": "EUR",
        "net": "-10.00",
        "tax": "-2.10",
        "gross": "-12.10",
        "amount_due": "-12.10",
        "client_email": "x@example.com",
        "issuer": {"name": HOSTILE + OVERRIDE, "address": OVERRIDE + " street", "tax_number": OVERRIDE},
        "buyer": {"name": HOSTILE, "address": "<style>*{display:none}</style>", "tax_number": HOSTILE},
        "related": [{"type": "invoice", "number": OPEN_OVERRIDE, "date": "2026-12-01"}],
        "referenced_by": [],
        "items": [
            {
                "name": HOSTILE + OVERRIDE,
                "quantity": "1",
                "unit": OVERRIDE,
                "price": "-10",
                "discount": "0%",
                "tax_rates": ["21"],
                "net": "-10.00",
            }
        ],
        "vat": [{"rate": "21", "label": HOSTILE, "base": "-10.00", "tax": "-2.10"}],
        "payments": [],
        "note": HOSTILE + "\n" + OVERRIDE + " and then the note goes on",
        "language": "en",
        "pdf": "si://documents/x/pdf",
    }
    return {
        "content": [{"type": "text", "text": "a document"}],
        "structuredContent": {"organization": HOSTILE, "document": document},
    }


async def test_names_full_of_markup_script_and_bidi_overrides_stay_text(page: Any, served: Served) -> None:
    frame = await _show(page, served, _hostile_result())
    assert await frame.locator("#buyer-name").text_content() == HOSTILE  # shown as the characters it is
    assert await frame.locator("#lines td").first.text_content() == HOSTILE + OVERRIDE
    assert await frame.locator("#buyer-address").text_content() == "<style>*{display:none}</style>"
    # No element came from the data: the page's two scripts only, no img, b or style beyond the page's own.
    counts = await frame.locator("html").evaluate(
        "() => ({img: document.querySelectorAll('img').length, b: document.querySelectorAll('b').length,"
        " script: document.querySelectorAll('script').length, style: document.querySelectorAll('style').length})"
    )
    assert counts == {"img": 0, "b": 0, "script": 2, "style": 1}
    assert await page.evaluate("window.__pwned") is None
    assert await frame.locator("html").evaluate("() => window.__pwned") is None
    # The override reorders nothing around it: in the line "Corrects <number> <date>" the date still reads left to
    # right after the number, and every data cell is a bidi isolate.
    order = await frame.locator("#refs").evaluate(
        """(el) => {
          const text = el.firstChild, s = text.data, range = document.createRange();
          const at = (i) => {
            range.setStart(text, i);
            range.setEnd(text, i + 1);
            return range.getBoundingClientRect().x;
          };
          const start = s.indexOf("Dec"), end = s.length - 1;
          return {corrects: at(0), date_start: at(start), date_end: at(end)};
        }"""
    )
    assert order["corrects"] < order["date_start"] < order["date_end"]
    isolated = await frame.locator("#lines td").first.evaluate("(el) => getComputedStyle(el).unicodeBidi")
    assert isolated == "isolate"
    assert json.dumps(await _calls(page)) == "[]"  # a get_document result is drawn as is: no call needed
