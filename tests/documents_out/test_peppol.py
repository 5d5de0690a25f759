"""Handing the checked UBL to a Peppol access point (POST /documents/{id}/peppol), through the shipped folder access
point: once per document, replayed under its Idempotency-Key, nothing recorded when it cannot go."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest

from si_mcp.models import wirejson

pytestmark = pytest.mark.anyio

BELGIAN = {"taxNumber": "BE0477472701", "IBAN": "BE71 0961 2345 6769", "SWIFT": "GKCCBEBB"}
BUYER = {"name": "Rocket man", "country": "Belgium", "taxNumber": "BE0403170701", "address": "Kerkstraat 2",
         "city": "Gent", "zip": "9000", "email": "rocket@example.com"}  # fmt: skip
LINE = {"name": "Space suit", "quantity": 1, "price": 100, "_documentItemTaxes": [{"rate": 21}]}


async def _issue(shop: Any, client: dict[str, Any] = BUYER) -> dict[str, Any]:
    created = await shop.api.post(
        f"/organizations/{shop.org_id}/documents", json={"_documentClient": client, "_documentItems": [LINE]}
    )
    assert created.status_code == 200, created.text
    document: dict[str, Any] = created.json()
    return document


def _code(response: Any) -> str:
    return str(wirejson.loads(response.text)["error"]["code"])


async def test_an_invoice_is_handed_to_the_access_point_once_as_its_checked_ubl(open_shop: Any, tmp_path: Path) -> None:
    shop = await open_shop(peppol_folder=tmp_path / "peppol", **BELGIAN)
    invoice = await _issue(shop)

    handed = await shop.api.post(f"/documents/{invoice['id']}/peppol", json={})
    again = await shop.api.post(f"/documents/{invoice['id']}/peppol", json={})
    resent = await shop.api.post(f"/documents/{invoice['id']}/peppol", json={"resend": True})
    ubl = await shop.api.get(f"/documents/{invoice['id']}/ubl")
    stored = (await shop.api.get(f"/documents/{invoice['id']}")).json()

    assert handed.status_code == 200, handed.text
    answer = handed.json()
    assert (answer["sender"], answer["receiver"]) == ("0208:0477472701", "0208:0403170701")
    assert answer["reference"] == f"2026-00001_{invoice['id']}.xml"
    assert [p.name for p in (tmp_path / "peppol").iterdir()] == [answer["reference"]]  # a resend replaces it
    assert (tmp_path / "peppol" / answer["reference"]).read_bytes() == ubl.content
    assert again.status_code == 422 and _code(again) == "ALREADY_SENT"
    assert resent.status_code == 200
    assert stored["peppolReference"] == answer["reference"] and stored["peppolSentAt"] is not None


async def test_the_same_request_under_one_idempotency_key_hands_it_over_once(open_shop: Any, tmp_path: Path) -> None:
    shop = await open_shop(peppol_folder=tmp_path / "peppol", **BELGIAN)
    invoice = await _issue(shop)
    answers: list[Any] = []

    async def hand_over() -> None:
        headers = {"Idempotency-Key": "peppol-once"}
        answers.append(await shop.api.post(f"/documents/{invoice['id']}/peppol", json={}, headers=headers))

    async with anyio.create_task_group() as group:
        for _ in range(4):
            group.start_soon(hand_over)

    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    assert len({a.json()["sentAt"] for a in answers}) == 1  # one hand-over, answered four times


async def test_what_cannot_go_over_peppol_is_refused_and_nothing_is_recorded(open_shop: Any, tmp_path: Path) -> None:
    unconfigured = await open_shop(folder="plain", **BELGIAN)
    shop = await open_shop(folder="peppol-books", peppol_folder=tmp_path / "peppol", **BELGIAN)
    consumer = await _issue(shop, {"name": "Ada", "country": "Belgium", "email": "ada@example.com"})
    draft = await shop.api.post(
        f"/organizations/{shop.org_id}/documents",
        json={"draft": True, "_documentClient": BUYER, "_documentItems": [LINE]},
    )

    no_access_point = await unconfigured.api.post(f"/documents/{(await _issue(unconfigured))['id']}/peppol", json={})
    no_address = await shop.api.post(f"/documents/{consumer['id']}/peppol", json={})
    not_issued = await shop.api.post(f"/documents/{draft.json()['id']}/peppol", json={})

    assert no_access_point.status_code == 422 and _code(no_access_point) == "PEPPOL_NOT_CONFIGURED"
    assert no_address.status_code == 422 and _code(no_address) == "EINVOICE_INCOMPLETE"
    assert not_issued.status_code == 422 and _code(not_issued) == "DRAFT_NOT_SENDABLE"
    assert not (tmp_path / "peppol").exists()
    assert (await shop.api.get(f"/documents/{consumer['id']}")).json().get("peppolSentAt") is None


async def test_an_access_point_that_cannot_take_it_is_a_502_and_nothing_is_recorded(
    open_shop: Any, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    shop = await open_shop(peppol_folder=blocked, **BELGIAN)
    invoice = await _issue(shop)

    failed = await shop.api.post(f"/documents/{invoice['id']}/peppol", json={})

    assert failed.status_code == 502 and _code(failed) == "PEPPOL_FAILED"
    assert (await shop.api.get(f"/documents/{invoice['id']}")).json().get("peppolSentAt") is None
