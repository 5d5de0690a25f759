"""Peppol BIS Billing 3.0 UBL from the books (GET /documents/{id}/ubl), checked with the official CEN EN 16931 rules:
zero fatal assertions for every VAT case we issue, and mutations of the XML that the rules catch by their ids (so the
validator demonstrably runs), and refusals that name what to add."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from typing import Any

import pypdf
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
    "a reverse charge given only as reverseCharged, beside a standard rate": {
        "_documentClient": GERMAN_BUYER,
        "_documentItems": [_item("Consulting", 1500, reverseCharged=True), _item("Travel", 80)],
    },
    "one rate given as a tax and as a bare category": {
        "_documentClient": BELGIAN_BUYER,
        "_documentItems": [_item("Helmet", "33.33"), _item("Boots", "66.67", category="S")],
    },
    "outside the scope of VAT, alone": {
        "_documentClient": {
            **GERMAN_BUYER,
            "name": "Swiss Space AG",
            "country": "Switzerland",
            "taxNumber": "CHE116281710",
        },
        "_documentItems": [_item("Remote support", 900, 0, category="O")],
    },
    "hours and a deduction as a negative price": {
        "_documentClient": BELGIAN_BUYER,
        "_documentItems": [{**_item("Design", 95, quantity="2.5"), "unit": "hour"}, _item("Advance paid", -50)],
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


async def test_what_was_paid_at_issue_is_prepaid_and_a_later_payment_changes_nothing(open_shop: Any) -> None:
    shop = await open_shop(**BELGIAN)
    paid_at_issue = await _ubl(
        shop, {**CASES["standard rate, domestic"], "payments": [{"type": "card", "amount": 100}]}
    )
    [invoice] = (await shop.api.get(f"/organizations/{shop.org_id}/documents")).json()
    later = await shop.api.post(f"/documents/{invoice['id']}/payments", json={"type": "bank", "amount": 500})
    assert later.status_code == 200, later.text
    after = (await shop.api.get(f"/documents/{invoice['id']}/ubl")).content

    assert _values(paid_at_issue, "cac:LegalMonetaryTotal/cbc:PrepaidAmount") == ["100.00"]
    assert _values(paid_at_issue, "cac:LegalMonetaryTotal/cbc:PayableAmount") == ["12000.00"]
    assert after == paid_at_issue  # the e-invoice says what the invoice said when issued


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
    ("a wrong business process", r"(<cbc:ProfileID>)[^<]*", r"\g<1>urn:example:billing", "PEPPOL-EN16931-R007"),
    ("no business process", r"<cbc:ProfileID>[^<]*</cbc:ProfileID>", "", "PEPPOL-EN16931-R001"),
    ("no buyer reference", r"<cbc:BuyerReference>[^<]*</cbc:BuyerReference>", "", "PEPPOL-EN16931-R003"),
    ("no buyer address", r"(<cac:AccountingCustomerParty>\s*<cac:Party>\s*)<cbc:EndpointID[^>]*>[^<]*</cbc:EndpointID>",
     r"\g<1>", "PEPPOL-EN16931-R010"),
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


UNTAXED_LINE = {"name": "Handling", "price": 5}  # no VAT category: it cannot be an e-invoice line


async def _count(shop: Any) -> int:
    return int((await shop.api.get(f"/organizations/{shop.org_id}/documents/count")).json()["count"])


async def test_an_invoice_between_belgian_businesses_that_cannot_be_a_peppol_e_invoice_is_not_issued(
    open_shop: Any,
) -> None:
    shop = await open_shop(**BELGIAN)
    body = {"_documentClient": BELGIAN_BUYER, "_documentItems": [_item("Space suit", 100), UNTAXED_LINE]}

    refused = await shop.api.post(f"/organizations/{shop.org_id}/documents", json=body)
    consumer = {**body, "_documentClient": {k: v for k, v in BELGIAN_BUYER.items() if k != "taxNumber"}}
    to_a_consumer = await shop.api.post(f"/organizations/{shop.org_id}/documents", json=consumer)

    error = wirejson.loads(refused.text)["error"]
    assert refused.status_code == 422 and error["code"] == "EINVOICE_INCOMPLETE"
    assert "Line 2 (Handling) has no VAT" in error["message"] and "must be a Peppol e-invoice" in error["message"]
    assert to_a_consumer.status_code == 200  # no VAT number, no mandate: the invoice is issued
    assert to_a_consumer.json()["number"].endswith("00001")  # the refusal took no number
    assert await _count(shop) == 1


async def test_a_draft_may_be_incomplete_but_is_not_issued_until_it_can_be_an_e_invoice(open_shop: Any) -> None:
    shop = await open_shop(**BELGIAN)
    body = {"draft": True, "_documentClient": BELGIAN_BUYER, "_documentItems": [UNTAXED_LINE]}
    draft = await shop.api.post(f"/organizations/{shop.org_id}/documents", json=body)
    assert draft.status_code == 200, draft.text

    issued = await shop.api.put(f"/documents/{draft.json()['id']}", json={**body, "draft": False})
    fixed = {**body, "draft": False, "_documentItems": [_item("Handling", 5)]}
    then = await shop.api.put(f"/documents/{draft.json()['id']}", json=fixed)

    assert issued.status_code == 422 and wirejson.loads(issued.text)["error"]["code"] == "EINVOICE_INCOMPLETE"
    assert then.status_code == 200 and then.json()["draft"] is False, then.text


@pytest.mark.parametrize(("mode", "issued"), [("peppol", False), ("off", True)])
async def test_the_organization_default_einvoice_turns_the_check_on_for_all_or_off(
    open_shop: Any, mode: str, issued: bool
) -> None:
    shop = await open_shop(**BELGIAN)
    setting = await shop.api.post(f"/organizations/{shop.org_id}/defaults", json={"name": "einvoice", "value": mode})
    assert setting.status_code == 200, setting.text
    to_a_consumer = {"_documentClient": {"name": "Ada", "country": "Belgium"}, "_documentItems": [UNTAXED_LINE]}
    german = {"_documentClient": GERMAN_BUYER, "_documentItems": [UNTAXED_LINE]}

    answers = [await shop.api.post(f"/organizations/{shop.org_id}/documents", json=b) for b in (to_a_consumer, german)]

    assert [a.status_code == 200 for a in answers] == [issued, issued], [a.text for a in answers]


REFUSED = {
    "outside the scope mixed with a standard rate": (
        [_item("Remote support", 900, 0, category="O"), _item("Travel", 80)],
        "EUR",
        "BR-O-11",
    ),
    "a currency with three decimals": ([_item("Oil", "10.125")], "KWD", "at most two decimals"),
    "a character XML cannot carry": ([_item("Bad \ufffe name", 5)], "EUR", "U+FFFE"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
async def test_what_an_e_invoice_cannot_say_is_refused_with_the_reason(open_shop: Any, case: str) -> None:
    shop = await open_shop(**BELGIAN)
    items, currency, reason = REFUSED[case]
    body = {"currencyId": currency, "_documentClient": GERMAN_BUYER, "_documentItems": items}
    created = await shop.api.post(f"/organizations/{shop.org_id}/documents", json=body)
    assert created.status_code == 200, created.text  # a German buyer: no Belgian mandate, the invoice is issued
    response = await shop.api.get(f"/documents/{created.json()['id']}/ubl")

    assert response.status_code == 422, response.text
    assert reason in wirejson.loads(response.text)["error"]["message"]


async def test_units_greek_vat_numbers_and_non_eu_buyers_are_stated_as_peppol_expects(
    open_shop: Any, validator: Validator
) -> None:
    shop = await open_shop(**BELGIAN)
    greek = {**GERMAN_BUYER, "name": "Hellas Space", "country": "Greece", "taxNumber": "GR094014201"}
    british = {**GERMAN_BUYER, "name": "UK Space Ltd", "country": "United Kingdom", "taxNumber": "GB980780684"}
    hours = [{**_item("Design", 95, quantity="2.5"), "unit": "h"}]
    to_greece = await _ubl(shop, {"_documentClient": greek, "_documentItems": hours})
    to_britain = await _ubl(
        shop, {"_documentClient": british, "_documentItems": [_item("Rocket", 10, 0, category="G")]}
    )

    assert _values(to_greece, "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID") == [
        "EL094014201"
    ]
    quantity = ET.fromstring(to_greece).find("cac:InvoiceLine/cbc:InvoicedQuantity", NS)
    assert quantity is not None and (quantity.get("unitCode"), quantity.text) == ("HUR", "2.5")
    endpoint = ET.fromstring(to_britain).find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert endpoint is not None and endpoint.get("schemeID") == "9932"
    assert validator.fatal(to_greece) == [] and validator.fatal(to_britain) == []


def test_a_zero_rate_without_a_category_as_space_invoices_keeps_it_is_refused_not_guessed(
    seed_document_body: dict[str, Any], seed_organization_body: dict[str, Any]
) -> None:
    from si_mcp.einvoice import EInvoiceError, to_ubl
    from si_mcp.models import Document, Organization

    [item] = seed_document_body["_documentItems"]
    item["_documentItemTaxes"] = [{"id": "t", "rate": 0}]  # zero rated? exempt? export? Space Invoices cannot say
    seed_document_body["_documentClient"] = BELGIAN_BUYER
    organization = Organization.model_validate({**seed_organization_body, "taxNumber": "BE0477472701"})

    with pytest.raises(EInvoiceError, match="taxed at 0 % without a VAT category"):
        to_ubl(Document.model_validate(seed_document_body), organization)


@pytest.fixture(scope="module")
def cii_validator() -> Validator:
    from si_mcp.einvoice.validation import CII_RULES

    return Validator(rules=CII_RULES)


async def _factur_x(shop: Any, body: dict[str, Any]) -> tuple[bytes, bytes]:
    """(the Factur-X PDF, the XML the factur-x library extracts from it)."""
    from facturx import get_xml_from_pdf

    created = await shop.api.post(f"/organizations/{shop.org_id}/documents", json=body)
    assert created.status_code == 200, created.text
    response = await shop.api.get(f"/documents/{created.json()['id']}/factur-x")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    name, xml = get_xml_from_pdf(response.content, check_xsd=True)
    assert name == "factur-x.xml"
    return bytes(response.content), bytes(xml)


@pytest.mark.parametrize("case", sorted(CASES))
async def test_every_vat_case_is_a_factur_x_pdf_whose_cii_passes_every_en16931_rule(
    open_shop: Any, cii_validator: Validator, case: str
) -> None:
    shop = await open_shop(**BELGIAN)
    pdf, xml = await _factur_x(shop, CASES[case])

    assert pdf.startswith(b"%PDF-")
    assert cii_validator.fatal(xml) == []
    assert b"<ram:ID>urn:cen.eu:en16931:2017</ram:ID>" in xml


async def test_the_pdf_carries_exactly_the_cii_the_books_make(open_shop: Any, cii_validator: Validator) -> None:
    from si_mcp.einvoice.cii import to_cii
    from si_mcp.models import Document, Organization

    shop = await open_shop(**BELGIAN)
    paid = {**CASES["standard rate, domestic"], "payments": [{"type": "card", "amount": 100}]}
    _, extracted = await _factur_x(shop, paid)
    [listed] = (
        await shop.api.get(f"/organizations/{shop.org_id}/documents", params={"filter[include]": "payments"})
    ).json()
    organization = (await shop.api.get(f"/organizations/{shop.org_id}")).json()
    expected = to_cii(
        Document.model_validate(wirejson.loads(wirejson.dumps(listed))), Organization.model_validate(organization)
    )

    assert extracted == expected
    assert _cii_values(extracted, "TotalPrepaidAmount") == ["100.00"] and _cii_values(
        extracted, "DuePayableAmount"
    ) == ["12000.00"]
    broken = extracted.replace(b"<ram:DuePayableAmount>12000.00<", b"<ram:DuePayableAmount>1.00<")
    assert "BR-CO-16" in {violation.rule for violation in cii_validator.fatal(broken)}


def _cii_values(xml: bytes, name: str) -> list[str]:
    return re.findall(rf"<ram:{name}[^>]*>([^<]*)<", xml.decode())


async def test_a_factur_x_for_a_consumer_needs_no_peppol_address(open_shop: Any, cii_validator: Validator) -> None:
    shop = await open_shop(**BELGIAN)
    consumer = {"name": "Ada", "country": "Belgium", "address": "Kerkstraat 3", "city": "Gent", "zip": "9000"}
    _, xml = await _factur_x(shop, {"_documentClient": consumer, "_documentItems": [_item("Space suit", 100)]})

    assert cii_validator.fatal(xml) == []
    assert b"URIUniversalCommunication" not in xml.split(b"BuyerTradeParty")[1]


async def test_the_factur_x_pdf_shows_the_invoice_as_issued_as_its_xml_does(open_shop: Any) -> None:
    shop = await open_shop(**BELGIAN)
    paid = {**CASES["standard rate, domestic"], "payments": [{"type": "card", "amount": 100}]}
    pdf, xml = await _factur_x(shop, paid)
    [invoice] = (await shop.api.get(f"/organizations/{shop.org_id}/documents")).json()
    later = await shop.api.post(f"/documents/{invoice['id']}/payments", json={"type": "bank", "amount": 500})
    assert later.status_code == 200, later.text
    again = await shop.api.get(f"/documents/{invoice['id']}/factur-x")

    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(again.content)).pages)
    assert _cii_values(xml, "DuePayableAmount") == ["12000.00"]
    assert "12.000,00" in text and "11.500,00" not in text  # the PDF says what its XML says
