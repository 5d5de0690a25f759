"""Consent before sending, paying or cancelling: elicitation on both protocol eras, and the token fallback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from si_mcp.client import SpaceInvoices
from si_mcp.server import build_server

from .conftest import SEED_INVOICE, answering, make_settings, seed, structured, text_of

UNPAID = {"payments": None}

ACTIONS: list[tuple[str, dict[str, Any], str]] = [
    ("send_invoice", {}, "saved"),  # no SMTP server in these tests: written to an .eml, nobody received it
    ("mark_paid", {"payment_type": "bank", "amount": 100}, "recorded"),
    ("cancel_document", {}, "canceled"),
]


async def _state(api: SpaceInvoices, document_id: str) -> tuple[bool, str, Any]:
    doc = await api.documents.get(document_id)
    return doc.canceled, str(doc.total_paid), doc.sent_at


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
@pytest.mark.parametrize(("tool", "extra", "done"), ACTIONS)
async def test_an_accepted_question_lets_the_action_happen(
    tmp_path: Path, api: SpaceInvoices, mode: str, tool: str, extra: dict[str, Any], done: str
) -> None:
    asked: list[str] = []
    server = build_server(make_settings(tmp_path), api=api)
    with anyio.fail_after(30):
        async with Client(server, mode=mode, elicitation_callback=answering("accept", {"confirm": True}, asked)) as c:
            invoice = await seed(c, **UNPAID)
            result = await c.call_tool(tool, {"document": invoice["document"]["number"], **extra})

    assert structured(result)["status"] == done
    assert len(asked) == 1
    assert "International Space Agency" in asked[0] and invoice["document"]["number"] in asked[0]
    assert "12,100.00 EUR" in asked[0]
    canceled, paid, sent_at = await _state(api, invoice["document"]["id"])
    assert (canceled, paid != "0", sent_at is not None) == (done == "canceled", done == "recorded", done == "saved")


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
@pytest.mark.parametrize(
    ("answer", "content", "status"),
    [("decline", None, "declined"), ("cancel", None, "dismissed"), ("accept", {"confirm": False}, "declined")],
)
@pytest.mark.parametrize(("tool", "extra", "done"), ACTIONS)
async def test_a_declined_or_dismissed_question_changes_nothing(
    tmp_path: Path,
    api: SpaceInvoices,
    mode: str,
    answer: str,
    content: dict[str, Any] | None,
    status: str,
    tool: str,
    extra: dict[str, Any],
    done: str,
) -> None:
    server = build_server(make_settings(tmp_path), api=api)
    with anyio.fail_after(30):
        async with Client(server, mode=mode, elicitation_callback=answering(answer, content)) as c:
            invoice = await seed(c, **UNPAID)
            before = await _state(api, invoice["document"]["id"])
            result = await c.call_tool(tool, {"document": invoice["document"]["number"], **extra})

    assert structured(result)["status"] == status
    assert "Not " in text_of(result) and "Nothing" in text_of(result)
    assert await _state(api, invoice["document"]["id"]) == before


@pytest.mark.anyio
async def test_declining_the_email_of_a_new_invoice_keeps_the_invoice_and_sends_nothing(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    server = build_server(make_settings(tmp_path), api=api)
    async with Client(server, elicitation_callback=answering("decline")) as c:
        invoice = await seed(c, send="Thanks for flying with us")

    assert invoice["email"]["status"] == "declined"
    doc = await api.documents.get(invoice["document"]["id"])
    assert doc.sent_at is None and doc.number == invoice["document"]["number"]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
@pytest.mark.parametrize(("tool", "extra", "done"), ACTIONS)
async def test_a_client_that_cannot_elicit_gets_a_preview_and_a_token_that_works_once(
    tmp_path: Path, api: SpaceInvoices, mode: str, tool: str, extra: dict[str, Any], done: str
) -> None:
    server = build_server(make_settings(tmp_path), api=api)
    async with Client(server, mode=mode) as c:
        invoice = await seed(c, **UNPAID)
        args = {"document": invoice["document"]["number"], **extra}
        preview = await c.call_tool(tool, args)
        untouched = await _state(api, invoice["document"]["id"])
        token = structured(preview)["confirmation_token"]
        confirmed = await c.call_tool(tool, {**args, "confirmation_token": token})
        done_state = await _state(api, invoice["document"]["id"])
        again = await c.call_tool(tool, {**args, "confirmation_token": token})

    assert structured(preview)["status"] == "needs_confirmation"
    assert "NOT" in text_of(preview) and "12,100.00 EUR" in text_of(preview) and token in text_of(preview)
    assert untouched == (False, "0", None)
    assert structured(confirmed)["status"] == done
    if tool == "cancel_document":  # cancelling twice is harmless and says so
        assert structured(again)["status"] == "already_canceled"
    else:  # the books keep the token's key: a repeat answers what it did, and does it not again
        assert structured(again)["status"] == done, text_of(again)
        assert "NOTHING NEW WAS" in text_of(again)
    assert await _state(api, invoice["document"]["id"]) == done_state


@pytest.mark.anyio
@pytest.mark.parametrize(("tool", "extra"), [("send_invoice", {}), ("mark_paid", {}), ("cancel_document", {})])
async def test_a_token_for_one_document_is_refused_for_another(
    tmp_path: Path, api: SpaceInvoices, tool: str, extra: dict[str, Any]
) -> None:
    server = build_server(make_settings(tmp_path), api=api)
    async with Client(server) as c:
        first = await seed(c, **UNPAID)
        second = structured(await c.call_tool("create_invoice", {**SEED_INVOICE, **UNPAID, "note": "second"}))
        preview = await c.call_tool(tool, {"document": first["document"]["number"], **extra})
        token = structured(preview)["confirmation_token"]
        misuse = await c.call_tool(tool, {"document": second["document"]["number"], "confirmation_token": token})

    assert misuse.is_error
    assert "another document" in text_of(misuse)
    assert await _state(api, second["document"]["id"]) == (False, "0", None)


@pytest.mark.anyio
async def test_a_send_token_is_refused_for_other_recipients(tmp_path: Path, api: SpaceInvoices) -> None:
    server = build_server(make_settings(tmp_path), api=api)
    async with Client(server) as c:
        invoice = await seed(c)
        number = invoice["document"]["number"]
        token = structured(await c.call_tool("send_invoice", {"document": number}))["confirmation_token"]
        other = await c.call_tool(
            "send_invoice", {"document": number, "recipients": ["thief@example.net"], "confirmation_token": token}
        )

    assert other.is_error
    assert (await api.documents.get(invoice["document"]["id"])).sent_at is None


@pytest.mark.anyio
async def test_a_payment_token_is_refused_for_another_amount(tmp_path: Path, api: SpaceInvoices) -> None:
    server = build_server(make_settings(tmp_path), api=api)
    async with Client(server) as c:
        invoice = await seed(c, **UNPAID)
        args = {"document": invoice["document"]["number"], "amount": 100}
        token = structured(await c.call_tool("mark_paid", args))["confirmation_token"]
        bigger = await c.call_tool("mark_paid", {**args, "amount": 12000, "confirmation_token": token})

    assert bigger.is_error
    assert str((await api.documents.get(invoice["document"]["id"])).total_paid) == "0"


@pytest.mark.anyio
async def test_one_token_used_by_concurrent_calls_records_one_payment(tmp_path: Path, api: SpaceInvoices) -> None:
    server = build_server(make_settings(tmp_path), api=api)
    async with Client(server) as c:
        invoice = await seed(c, **UNPAID)
        args = {"document": invoice["document"]["number"], "amount": 100}
        token = structured(await c.call_tool("mark_paid", args))["confirmation_token"]
        results: list[Any] = []

        async def confirm() -> None:
            results.append(await c.call_tool("mark_paid", {**args, "confirmation_token": token}))

        async with anyio.create_task_group() as group:
            for _ in range(5):
                group.start_soon(confirm)

    # The books spend the token: one payment; the other calls answer it instead of failing.
    assert [r.is_error for r in results] == [False] * 5, [text_of(r) for r in results]
    assert sum("NOTHING NEW WAS RECORDED" in text_of(r) for r in results) == 4
    assert str((await api.documents.get(invoice["document"]["id"])).total_paid) == "100"


@pytest.mark.anyio
async def test_a_call_that_looked_before_the_payment_was_made_and_checks_the_token_after_answers_that_payment(
    tmp_path: Path, api: SpaceInvoices, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interleaving behind a once-flaky run: a second call with the token looks for a payment made with it (none
    yet), the first call records it, and only then does the second check the token. It must find that payment, not
    refuse a token the books (not this process) spend."""
    from si_mcp.server.tools import payments as payments_tool

    lookup = payments_tool._paid_under
    looked, first_done = anyio.Event(), anyio.Event()
    held: list[object] = []

    async def first_lookup_answers_late(*args: Any) -> Any:
        found = await lookup(*args)
        if not held:  # the second call's planning lookup: answer what it saw, but only once the first call is done
            held.append(object())
            looked.set()
            with anyio.fail_after(10):
                await first_done.wait()
        return found

    server = build_server(make_settings(tmp_path), api=api)
    async with Client(server) as c:
        invoice = await seed(c, **UNPAID)
        args = {"document": invoice["document"]["number"], "amount": 100}
        token = structured(await c.call_tool("mark_paid", args))["confirmation_token"]
        monkeypatch.setattr(payments_tool, "_paid_under", first_lookup_answers_late)
        late: list[Any] = []

        async def second() -> None:
            late.append(await c.call_tool("mark_paid", {**args, "confirmation_token": token}))

        async with anyio.create_task_group() as group:
            group.start_soon(second)
            with anyio.fail_after(10):
                await looked.wait()
            first = await c.call_tool("mark_paid", {**args, "confirmation_token": token})
            first_done.set()

    assert text_of(first).startswith("Recorded 100.00 EUR"), text_of(first)
    assert not late[0].is_error, text_of(late[0])
    assert "NOTHING NEW WAS RECORDED" in text_of(late[0])
    assert str((await api.documents.get(invoice["document"]["id"])).total_paid) == "100"


@pytest.mark.anyio
async def test_a_new_invoice_sent_by_a_client_without_elicitation_waits_for_a_send_invoice_token(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    server = build_server(make_settings(tmp_path), api=api)
    async with Client(server) as c:
        invoice = await seed(c, send=True)
        token = invoice["email"]["confirmation_token"]
        pending = (await api.documents.get(invoice["document"]["id"])).sent_at
        sent = await c.call_tool(
            "send_invoice", {"document": invoice["document"]["number"], "confirmation_token": token}
        )

    assert invoice["email"]["status"] == "needs_confirmation"
    assert pending is None
    assert structured(sent)["status"] == "saved"
    assert structured(sent)["recipients"] == ["rocket@example.com"]


@pytest.mark.anyio
async def test_an_expired_or_forged_token_is_refused(tmp_path: Path, api: SpaceInvoices) -> None:
    server = build_server(make_settings(tmp_path), api=api)
    async with Client(server) as c:
        invoice = await seed(c, **UNPAID)
        args = {"document": invoice["document"]["number"]}
        token = structured(await c.call_tool("cancel_document", args))["confirmation_token"]
        expired = await c.call_tool("cancel_document", {**args, "confirmation_token": "1." + token.split(".")[1]})
        forged = await c.call_tool("cancel_document", {**args, "confirmation_token": token.split(".")[0] + ".AAAA"})
        junk = await c.call_tool("cancel_document", {**args, "confirmation_token": "not a token"})

    assert "expired" in text_of(expired)
    assert "does not allow" in text_of(forged)
    assert "malformed" in text_of(junk)
    assert not (await api.documents.get(invoice["document"]["id"])).canceled


@pytest.mark.anyio
async def test_confirmation_can_be_switched_off_for_automation(tmp_path: Path, api: SpaceInvoices) -> None:
    server = build_server(make_settings(tmp_path, SI_MCP_CONFIRM=False), api=api)
    async with Client(server) as c:  # no elicitation callback, no token
        invoice = await seed(c, **UNPAID)
        paid = await c.call_tool("mark_paid", {"document": invoice["document"]["number"], "amount": "100.50"})

    assert structured(paid)["status"] == "recorded"
    assert structured(paid)["document"]["amount_due"] == "11999.50"


@pytest.mark.anyio
async def test_replicas_sharing_the_confirm_secret_accept_each_others_tokens(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    shared = make_settings(tmp_path, SI_MCP_CONFIRM_SECRET="replica-secret")
    async with Client(build_server(shared, api=api)) as first:
        invoice = await seed(first, **UNPAID)
        args = {"document": invoice["document"]["number"]}
        token = structured(await first.call_tool("cancel_document", args))["confirmation_token"]
    async with Client(build_server(make_settings(tmp_path), api=api)) as stranger:
        refused = await stranger.call_tool("cancel_document", {**args, "confirmation_token": token})
    async with Client(build_server(shared, api=api)) as second:
        accepted = structured(await second.call_tool("cancel_document", {**args, "confirmation_token": token}))

    assert refused.is_error
    assert accepted["status"] == "canceled"


@pytest.mark.anyio
async def test_a_recipient_other_than_the_clients_stored_email_is_called_out_in_the_question(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    asked: list[str] = []
    server = build_server(make_settings(tmp_path), api=api)
    async with Client(server, elicitation_callback=answering("decline", asked=asked)) as c:
        invoice = await seed(c)
        number = invoice["document"]["number"]
        await c.call_tool("send_invoice", {"document": number})
        await c.call_tool("send_invoice", {"document": number, "recipients": ["billing@elsewhere.example"]})

    assert "Attention" not in asked[0]
    assert "Attention: billing@elsewhere.example is not the client's stored email (rocket@example.com)" in asked[1]


@pytest.mark.anyio
async def test_a_new_invoice_emailed_to_a_new_address_of_a_known_client_shows_it_in_the_token_preview(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    server = build_server(make_settings(tmp_path), api=api)
    async with Client(server) as c:
        await seed(c)
        again = await c.call_tool(
            "create_invoice",
            {**SEED_INVOICE, **UNPAID, "client_email": "other@elsewhere.example", "note": "second", "send": True},
        )

    email = structured(again)["email"]
    assert email["status"] == "needs_confirmation" and email["recipients"] == ["other@elsewhere.example"]
    assert "is not the client's stored email (rocket@example.com)" in text_of(again)
    assert email["confirmation_token"] in text_of(again)


@asynccontextmanager
async def _replicas(tmp_path: Path, api: SpaceInvoices) -> AsyncIterator[tuple[Client, Client]]:
    """Two MCP servers sharing the confirmation secret (replicas), on the same books."""
    secret = {"SI_MCP_CONFIRM_SECRET": "replicas-share-this-secret-0123456789"}
    async with (
        Client(build_server(make_settings(tmp_path, **secret), api=api)) as a,
        Client(build_server(make_settings(tmp_path, **secret), api=api)) as b,
    ):
        yield a, b


class _LockPerCall(dict[str, anyio.Lock]):
    """Each call its own lock, as in separate processes (replicas share no memory)."""

    def setdefault(self, key: str, default: Any = None) -> anyio.Lock:  # type: ignore[override]
        return anyio.Lock()


def _as_two_replicas_paying_at_once(monkeypatch: pytest.MonkeyPatch, api: SpaceInvoices) -> None:
    """Each mark_paid call its own lock (separate processes), and the first payment held back until a second call
    wants to record one too: both checked what is due before either recorded anything, the worst case."""
    from si_mcp.server.tools import payments as payments_tool

    monkeypatch.setattr(payments_tool, "_locks", _LockPerCall())
    create = api.payments.create
    entered: list[object] = []
    both_in = anyio.Event()

    async def create_when_both_are_in(*args: Any, **kwargs: Any) -> Any:
        entered.append(object())
        if len(entered) == 2:
            both_in.set()
        with anyio.fail_after(10):
            await both_in.wait()
        return await create(*args, **kwargs)

    monkeypatch.setattr(api.payments, "create", create_when_both_are_in)


@pytest.mark.anyio
async def test_one_confirmation_acted_on_by_two_replicas_at_once_records_one_payment(
    tmp_path: Path, api: SpaceInvoices, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as_two_replicas_paying_at_once(monkeypatch, api)
    async with _replicas(tmp_path, api) as (a, b):
        invoice = await seed(a, **UNPAID)
        args = {"document": invoice["document"]["number"], "amount": 100}
        token = structured(await a.call_tool("mark_paid", args))["confirmation_token"]
        answers: list[Any] = []

        async def confirm(replica: Client) -> None:
            answers.append(await replica.call_tool("mark_paid", {**args, "confirmation_token": token}))

        async with anyio.create_task_group() as group:
            group.start_soon(confirm, a)
            group.start_soon(confirm, b)

    assert [answer.is_error for answer in answers] == [False, False], [text_of(answer) for answer in answers]
    payments = await api.payments.list(invoice["document"]["id"])
    assert [str(p.amount) for p in payments] == ["100"]  # one consent, one payment: the key is the token's


@pytest.mark.anyio
async def test_a_cancel_confirmation_used_again_on_another_replica_after_an_uncancel_changes_nothing(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with _replicas(tmp_path, api) as (a, b):
        invoice = await seed(a, **UNPAID)
        args = {"document": invoice["document"]["number"]}
        token = structured(await a.call_tool("cancel_document", args))["confirmation_token"]
        canceled = structured(await a.call_tool("cancel_document", {**args, "confirmation_token": token}))
        await api.documents.uncancel(invoice["document"]["id"])  # the user changed their mind
        late = await b.call_tool("cancel_document", {**args, "confirmation_token": token})

    assert canceled["status"] == "canceled"
    assert late.is_error, text_of(late)  # the token names the state it was given for; the books keep its key too
    assert not (await api.documents.get(invoice["document"]["id"])).canceled  # the uncancel stands


@pytest.mark.anyio
async def test_two_confirmations_to_pay_in_full_acted_on_at_once_by_two_replicas_pay_once(
    tmp_path: Path, api: SpaceInvoices, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as_two_replicas_paying_at_once(monkeypatch, api)
    async with _replicas(tmp_path, api) as (a, b):
        invoice = await seed(a, **UNPAID)
        # No amount (what is due); two people approving, each their own confirmation (notes tell them apart).
        calls = [{"document": invoice["document"]["number"], "note": note} for note in ("Alice", "Bob")]
        tokens = [
            structured(await c.call_tool("mark_paid", args))["confirmation_token"]
            for c, args in zip((a, b), calls, strict=True)
        ]
        answers: list[Any] = []

        async def confirm(replica: Client, args: dict[str, Any], token: str) -> None:
            answers.append(await replica.call_tool("mark_paid", {**args, "confirmation_token": token}))

        async with anyio.create_task_group() as group:
            group.start_soon(confirm, a, calls[0], tokens[0])
            group.start_soon(confirm, b, calls[1], tokens[1])

    assert sorted(answer.is_error for answer in answers) == [False, True]
    [refused] = [answer for answer in answers if answer.is_error]
    assert "already paid in full; nothing was recorded" in text_of(refused), text_of(refused)
    payments = await api.payments.list(invoice["document"]["id"])
    assert [str(p.amount) for p in payments] == ["12100"]  # not 24200: what is due is read when it is recorded


@pytest.mark.anyio
async def test_a_payment_confirmation_used_on_another_invoice_is_refused_and_pays_nothing(
    tmp_path: Path, api: SpaceInvoices
) -> None:
    async with Client(build_server(make_settings(tmp_path), api=api)) as c:
        first = await seed(c, **UNPAID)
        second = structured(await c.call_tool("create_invoice", {**SEED_INVOICE, "payments": None, "note": "Again"}))
        args = {"document": first["document"]["number"]}
        token = structured(await c.call_tool("mark_paid", args))["confirmation_token"]
        assert not (await c.call_tool("mark_paid", {**args, "confirmation_token": token})).is_error
        elsewhere = await c.call_tool(
            "mark_paid", {"document": second["document"]["number"], "confirmation_token": token}
        )

    assert elsewhere.is_error and "does not allow this" in text_of(elsewhere), text_of(elsewhere)
    assert (await api.payments.list(second["document"]["id"])) == []
