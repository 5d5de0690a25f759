"""Peppol BIS Billing 3.0 UBL from the books (GET /documents/{id}/ubl), checked with the official CEN EN 16931 rules:
zero fatal assertions for every VAT case we issue, and mutations of the XML that the rules catch by their ids (so the
validator demonstrably runs), and refusals that name what to add."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from si_mcp.einvoice.validation import ValidationUnavailable, Validator
from si_mcp.models import wirejson

pytestmark = pytest.mark.anyio

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
BELGIAN = {"taxNumber": "BE0477472701", "IBAN": "BE71 0961 2345 6769", "SWIFT": "GKCCBEBB"}
GERMAN_BUYER = {"name": "Raumfahrt GmbH", "country": "Germany", "taxNumber": "DE811907980", "address": "Hauptstr. 1",
                "city": "Berlin", "zip": "10115", "email": "ap@raumfahrt.example"}  # fmt: skip
BELGIAN_BUYER = {"name": "Rocket man", "country": "Belgium", "taxNumber": "BE0403170701", "address": "Kerkstraat 2",
                 "city": "Gent", "zip": "9000", "email": "rocket@example.com"}  # fmt: skip


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


def _item(name: str, price: Any, rate: Any = 21, quantity: Any = 1, **tax: Any) -> dict[str, Any]:
    return {"name": name, "price": price, "quantity": quantity, "_documentItemTaxes": [{"rate": rate, **tax}]}


async def _ubl(shop: Any, body: dict[str, Any]) -> bytes:
    created = await shop.api.post(f"/organizations/{shop.org_id}/documents", json=body)
    assert created.status_code == 200, created.text
    response = await shop.api.get(f"/documents/{created.json()['id']}/ubl")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return bytes(response.content)


def _values(xml: bytes, path: str) -> list[str]:
    return [node.text or "" for node in ET.fromstring(xml).findall(path, NS)]


CASES: dict[str, dict[str, Any]] = {
    "standard rate, domestic": {"_documentClient": BELGIAN_BUYER, "_documentItems": [_item("Space suit", 10000)]},
    "several rates with a discount and a partial quantity": {
        "_documentClient": BELGIAN_BUYER,
        "_documentItems": [
            {**_item("Helmet", "199.99", quantity=3), "discount": 10},
            _item("Manual", "12.50", rate=6, quantity="2.5"),
            _item("Service", "80", rate=12),
        ],
    },
    "reverse charge to another EU business": {
        "_documentClient": GERMAN_BUYER,
        "_documentItems": [_item("Consulting", 1500, category="AE")],
    },
    "intra-EU supply of goods": {
        "_documentClient": GERMAN_BUYER,
        "_documentItems": [_item("Rocket", 5000, 0, category="K")],
    },
    "exempt with its reason": {
        "_documentClient": BELGIAN_BUYER,
        "_documentItems": [_item("Training", 400, 0, category="E", exemptionReason="Art. 44 § 2, 4° BTW-Wetboek")],
    },
    "zero rated": {"_documentClient": BELGIAN_BUYER, "_documentItems": [_item("Newspaper", 3, 0, category="Z")]},
    "a foreign currency, with no minor unit": {
        "currencyId": "JPY",
        "_documentClient": BELGIAN_BUYER,
        "_documentItems": [_item("Camera", 123457)],
    },
    "paid at issue": {
        "_documentClient": BELGIAN_BUYER,
        "_documentItems": [_item("Space suit", 100)],
        "payments": [{"type": "card"}],
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_every_vat_case_we_issue_passes_every_en16931_rule(
    open_shop: Any, validator: Validator, case: str
) -> None:
    shop = await open_shop(**BELGIAN)
    xml = await _ubl(shop, CASES[case])

    assert validator.fatal(xml) == []
    assert _values(xml, "cbc:CustomizationID") == [
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    ]
    assert _values(xml, "cbc:ProfileID") == ["urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"]


async def test_the_seed_invoice_carries_the_books_amounts_and_both_peppol_addresses(
    open_shop: Any, validator: Validator
) -> None:
    shop = await open_shop(**BELGIAN)
    xml = await _ubl(shop, CASES["standard rate, domestic"])
    root = ET.fromstring(xml)

    seller = root.find("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", NS)
    buyer = root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert seller is not None and (seller.get("schemeID"), seller.text) == ("0208", "0477472701")
    assert buyer is not None and (buyer.get("schemeID"), buyer.text) == ("0208", "0403170701")
    assert _values(xml, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount") == ["12100.00"]
    assert _values(xml, "cac:LegalMonetaryTotal/cbc:PayableAmount") == ["12100.00"]
    assert _values(xml, "cac:TaxTotal/cbc:TaxAmount") == ["2100.00"]
    assert _values(xml, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == ["BE71096123456769"]


async def test_a_credit_note_refers_to_the_invoice_it_corrects(open_shop: Any, validator: Validator) -> None:
    shop = await open_shop(**BELGIAN)
    invoice = (
        await shop.api.post(f"/organizations/{shop.org_id}/documents", json=CASES["standard rate, domestic"])
    ).json()
    credit = {
        "type": "credit-note",
        "documentIds": [invoice["id"]],
        "_documentClient": BELGIAN_BUYER,
        "_documentItems": [_item("Space suit", 1000)],
    }
    xml = await _ubl(shop, credit)

    assert ET.fromstring(xml).tag.endswith("}CreditNote")
    assert _values(xml, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == [invoice["number"]]
    assert _values(xml, "cbc:CreditNoteTypeCode") == ["381"]
    assert validator.fatal(xml) == []


MUTATIONS = [
    ("the amount due changed", r"(<cbc:PayableAmount currencyID=\"EUR\">)[^<]*", r"\g<1>1.00", "BR-CO-16"),
    ("a VAT breakdown dropped", r"<cac:TaxSubtotal>.*?</cac:TaxSubtotal>", "", "BR-CO-18"),
    ("the seller's country removed", r"<cac:Country>\s*<cbc:\w+>BE</cbc:\w+>\s*</cac:Country>", "", "BR-09"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "pattern", "replacement", "rule"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
async def test_a_broken_e_invoice_is_caught_by_its_rule(
    open_shop: Any, validator: Validator, what: str, pattern: str, replacement: str, rule: str
) -> None:
    shop = await open_shop(**BELGIAN)
    xml = (await _ubl(shop, CASES["standard rate, domestic"])).decode()
    broken = re.sub(pattern, replacement, xml, count=1, flags=re.S)
    assert broken != xml

    assert rule in {violation.rule for violation in validator.fatal(broken.encode())}


async def test_what_the_books_cannot_say_is_refused_with_what_to_add(open_shop: Any) -> None:
    shop = await open_shop()  # no VAT number: no Peppol address
    created = await shop.api.post(f"/organizations/{shop.org_id}/documents", json=CASES["standard rate, domestic"])
    response = await shop.api.get(f"/documents/{created.json()['id']}/ubl")

    assert response.status_code == 422
    error = wirejson.loads(response.text)["error"]
    assert error["code"] == "EINVOICE_INCOMPLETE"
    assert "electronic address for your organization" in error["message"]


async def test_without_its_rules_the_validator_refuses_to_say_valid(tmp_path: Any) -> None:
    with pytest.raises(ValidationUnavailable, match="missing"):
        Validator(tmp_path).check(b"<Invoice/>")


async def test_an_e_invoice_that_names_an_outside_file_cannot_make_the_validator_fetch_it(
    validator: Validator, tmp_path: Any
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for you")
    hostile = f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]><Invoice>&e;</Invoice>'
    with pytest.raises(ValidationUnavailable):
        validator.check(hostile.encode())
