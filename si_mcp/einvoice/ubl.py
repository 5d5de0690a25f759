"""A document of the books as a UBL 2.1 Invoice or CreditNote: EN 16931, and Peppol BIS Billing 3.0 on top.

One base mapping (:class:`Ubl`: EN 16931 in UBL 2.1) and a thin dialect (:data:`PEPPOL_BIS3`: its customization and
profile ids, electronic addresses); a national CIUS (XRechnung, …) is one more such dialect. Pure: no I/O.

What the books say is what the XML says: amounts are the document's own (already rounded per line and per VAT
group, EN 16931 style), never recomputed here. What the books cannot say truthfully (a line without a VAT category,
a party without an address) is refused with :class:`EInvoiceError`, which names what to add, instead of guessed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from si_mcp.models.language import base_language
from si_mcp.models.ledger import local_day
from si_mcp.models.money import currency_exponent, round_money
from si_mcp.models.vat import EU_COUNTRIES, country_code, legend

if TYPE_CHECKING:
    from si_mcp.models import Document, DocumentItem, Organization

__all__ = ["EN16931", "PEPPOL_BIS3", "Dialect", "EInvoiceError", "Ubl", "paid_at_issue", "participants", "to_ubl"]

_NS = {
    "": "urn:oasis:names:specification:ubl:schema:xsd:{root}-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}

# VATEX codes (CEF VATEX code list) of the categories that state a reason (E has only its own text).
_VATEX = {"AE": "VATEX-EU-AE", "K": "VATEX-EU-IC", "G": "VATEX-EU-G", "O": "VATEX-EU-O"}
# Electronic address schemes (CEF EAS) of the VAT numbers of EU countries; Belgium routes by the enterprise number.
_VAT_SCHEME = {
    "AT": "9914", "BE": "9925", "BG": "9926", "CY": "9928", "CZ": "9929", "DE": "9930", "EE": "9931",
    "ES": "9920", "FR": "9957", "GR": "9933", "HR": "9934", "HU": "9910", "IE": "9935", "IT": "9906",
    "LT": "9937", "LU": "9938", "LV": "9939", "MT": "9943", "NL": "9944", "PL": "9945", "PT": "9946",
    "RO": "9947", "SI": "9949", "SK": "9950", "SE": "9955", "CH": "9927", "GB": "9932",
}  # fmt: skip
# UN/ECE Recommendation 20 codes of the units the books are commonly given; another unit is "mutually defined".
_UNITS = {
    "": "C62", "pc": "C62", "pcs": "C62", "piece": "C62", "pieces": "C62", "unit": "C62", "units": "C62",
    "kos": "C62", "stk": "C62", "stuk": "C62", "pièce": "C62",
    "h": "HUR", "hr": "HUR", "hrs": "HUR", "hour": "HUR", "hours": "HUR", "ura": "HUR", "uur": "HUR", "std": "HUR",
    "day": "DAY", "days": "DAY", "dan": "DAY", "dag": "DAY", "jour": "DAY", "tag": "DAY",
    "week": "WEE", "weeks": "WEE", "month": "MON", "months": "MON", "year": "ANN", "years": "ANN",
    "kg": "KGM", "g": "GRM", "t": "TNE", "m": "MTR", "km": "KMT", "cm": "CMT", "mm": "MMT", "m2": "MTK",
    "m²": "MTK", "m3": "MTQ", "m³": "MTQ", "l": "LTR", "ml": "MLT", "kwh": "KWH",
}  # fmt: skip
_XML_CHAR = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BELGIAN_ENTERPRISE = "0208"


class EInvoiceError(ValueError):
    """The document cannot be expressed truthfully as an e-invoice; the message says what to add or change."""


@dataclass(frozen=True)
class Dialect:
    """What a CIUS adds to EN 16931 in UBL: its identifiers, and whether parties need electronic addresses."""

    name: str
    customization_id: str
    profile_id: str | None = None
    endpoints: bool = False


EN16931 = Dialect("EN 16931", "urn:cen.eu:en16931:2017")
PEPPOL_BIS3 = Dialect(
    "Peppol BIS Billing 3.0",
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
    "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
    endpoints=True,
)


@dataclass(frozen=True)
class Party:
    name: str
    street: str
    street2: str
    city: str
    zip: str
    state: str
    country: str  # alpha-2
    vat: str
    company: str
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Facts:
    """What :meth:`Ubl.facts` checked and every syntax binding writes."""

    credit: bool
    seller: Party
    buyer: Party
    lines: list[DocumentItem]
    categories: list[tuple[str, Decimal]]  # per line: EN 16931 category, rate as stated

    @property
    def outside_scope(self) -> bool:
        return any(category == "O" for category, _ in self.categories)

    def groups(self) -> dict[tuple[str, Decimal], Decimal]:
        """The VAT breakdown's bases: per category and rate, the sum of those lines' net amounts (BR-S-08, …)."""
        found: dict[tuple[str, Decimal], Decimal] = {}
        for item, key in zip(self.lines, self.categories, strict=True):
            found[key] = found.get(key, Decimal(0)) + item.total
        return dict(sorted(found.items()))


@dataclass
class Ubl:
    """The mapping of one document; :meth:`xml` builds it."""

    document: Document
    organization: Organization
    dialect: Dialect = PEPPOL_BIS3
    _problems: list[str] = field(default_factory=list)

    def facts(self) -> Facts:
        """What every syntax states, checked: the parties, the lines and their VAT categories (EInvoiceError when
        the books cannot say what an e-invoice needs)."""
        doc = self.document
        if doc.draft:
            raise EInvoiceError("A draft is not an invoice yet: issue it first.")
        if doc.type not in ("invoice", "credit-note", "advance"):
            raise EInvoiceError(f"A {doc.type} is not an invoice: only invoices and credit notes are e-invoices.")
        seller, buyer = self._seller(), self._buyer()
        lines = [item for item in doc.document_items if not item.is_separator]
        if not lines:
            raise EInvoiceError("The document has no lines.")
        categories = [self._category(item, index) for index, item in enumerate(lines, 1)]
        kinds = {category for category, _ in categories}
        if "O" in kinds and len(kinds) > 1:
            self._problems.append(
                "A document outside the scope of VAT (category O) cannot have other VAT categories in an e-invoice "
                "(EN 16931 BR-O-11): issue the other lines on a separate invoice."
            )
        if currency_exponent(doc.currency_id) > 2:
            self._problems.append(
                f"EN 16931 amounts have at most two decimals; {doc.currency_id} amounts have three: invoice in "
                "another currency to send an e-invoice."
            )
        if "O" in kinds and not (seller.company or _enterprise(seller)):
            self._problems.append(
                "Outside the scope of VAT, an e-invoice names the seller by its company registration number "
                "(BR-CO-26): add your organization's company number."
            )
        if self._problems:
            raise EInvoiceError(" ".join(self._problems))
        return Facts(doc.type == "credit-note", seller, buyer, lines, categories)

    def xml(self) -> bytes:
        facts = self.facts()
        doc, credit, seller, buyer = self.document, facts.credit, facts.seller, facts.buyer
        lines, categories, outside_scope = facts.lines, facts.categories, facts.outside_scope
        root_name = "CreditNote" if credit else "Invoice"
        ET.register_namespace("cac", _NS["cac"])
        ET.register_namespace("cbc", _NS["cbc"])
        ns = _NS[""].format(root=root_name)
        root = ET.Element(f"{{{ns}}}{root_name}")

        _text(root, "cbc:CustomizationID", self.dialect.customization_id)
        if self.dialect.profile_id:
            _text(root, "cbc:ProfileID", self.dialect.profile_id)
        _text(root, "cbc:ID", doc.number or doc.id)
        _text(root, "cbc:IssueDate", self.day(doc.date).isoformat())
        if not credit and doc.date_due is not None:
            _text(root, "cbc:DueDate", self.day(doc.date_due).isoformat())
        _text(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", "381" if credit else _type(doc))
        if doc.note.strip():
            _text(root, "cbc:Note", doc.note.strip())
        _text(root, "cbc:DocumentCurrencyCode", doc.currency_id)
        _text(root, "cbc:BuyerReference", buyer_reference(doc))
        if doc.date_service is not None and doc.date_service_to is not None:
            period = _sub(root, "cac:InvoicePeriod")
            _text(period, "cbc:StartDate", self.day(doc.date_service).isoformat())
            _text(period, "cbc:EndDate", self.day(doc.date_service_to).isoformat())
        for related in doc.related_documents:
            if credit and related.type in ("invoice", "advance") and related.number:
                reference = _sub(_sub(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
                _text(reference, "cbc:ID", related.number)
                if related.date is not None:
                    _text(reference, "cbc:IssueDate", self.day(related.date).isoformat())
        self._party(_sub(root, "cac:AccountingSupplierParty"), seller, with_vat=not outside_scope)
        self._party(_sub(root, "cac:AccountingCustomerParty"), buyer, with_vat=not outside_scope)
        if any(category == "K" for category, _ in categories):
            self._delivery(root, buyer)
        self._payment(root, seller)
        self._taxes(root, facts)
        self._totals(root)
        for index, (item, (category, rate)) in enumerate(zip(lines, categories, strict=True), 1):
            self._line(root, index, item, category, rate, credit)
        ET.indent(root)
        return _default_namespace(ET.tostring(root, encoding="unicode"), root_name)

    # ------------------------------------------------------------------ parties

    def _seller(self) -> Party:
        org, issuer = self.organization, self.document.document_issuer
        source = issuer if issuer is not None and issuer.name else None
        country = (
            (source.country_alpha2_code if source else "")
            or org.country_alpha2_code
            or country_code((source.country if source else "") or org.country)
        )
        party = Party(
            name=(source.name if source else org.name).strip(),
            street=(source.address if source else org.address).strip(),
            street2=(getattr(source, "address2", "") if source else org.address2).strip(),
            city=(source.city if source else org.city).strip(),
            zip=(source.zip if source else org.zip).strip(),
            state=((source.state if source else org.state) or "").strip(),
            country=country or "",
            # What the document says it was issued by: its snapshot, never the organization's details since.
            vat=_vat((source.tax_number or "") if source else org.tax_number, country),
            company=((source.company_number or "") if source else org.company_number).strip(),
            email=(source.email if source else None) or org.email or None,
            phone=(source.phone if source else None) or org.phone or None,
        )
        self._check_party(party, "your organization", "update_organization")
        return party

    def _buyer(self) -> Party:
        client = self.document.document_client
        if client is None or not client.name.strip():
            raise EInvoiceError("The document has no client: an e-invoice names its buyer.")
        country = client.country_alpha2_code or country_code(client.country)
        party = Party(
            name=client.name.strip(),
            street=(client.address or "").strip(),
            street2=(getattr(client, "address2", None) or "").strip(),
            city=(client.city or "").strip(),
            zip=(client.zip or "").strip(),
            state=(client.state or "").strip(),
            country=country or "",
            vat=_vat(client.tax_number or "", country),
            company=(client.company_number or "").strip(),
            email=client.email or None,
            phone=client.phone or None,
        )
        self._check_party(party, f"the client {party.name}", "the client's details")
        return party

    def _check_party(self, party: Party, who: str, where: str) -> None:
        if not party.country:
            self._problems.append(f"The country of {who} is missing or unknown: add it ({where}).")
        if self.dialect.endpoints and _endpoint(party) is None:
            self._problems.append(
                f"Peppol needs an electronic address for {who}: add its VAT number (or, in Belgium, its enterprise "
                f"number) ({where})."
            )

    def _party(self, parent: ET.Element, party: Party, *, with_vat: bool) -> None:
        node = _sub(parent, "cac:Party")
        endpoint = _endpoint(party)
        if self.dialect.endpoints and endpoint is not None:
            _text(node, "cbc:EndpointID", endpoint[1], schemeID=endpoint[0])
        _text(_sub(node, "cac:PartyName"), "cbc:Name", party.name)
        address = _sub(node, "cac:PostalAddress")
        _optional(address, "cbc:StreetName", party.street)
        _optional(address, "cbc:AdditionalStreetName", party.street2)
        _optional(address, "cbc:CityName", party.city)
        _optional(address, "cbc:PostalZone", party.zip)
        _optional(address, "cbc:CountrySubentity", party.state)
        _text(_sub(address, "cac:Country"), "cbc:IdentificationCode", party.country)
        if with_vat and party.vat:
            scheme = _sub(node, "cac:PartyTaxScheme")
            _text(scheme, "cbc:CompanyID", party.vat)
            _text(_sub(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
        legal = _sub(node, "cac:PartyLegalEntity")
        _text(legal, "cbc:RegistrationName", party.name)
        registration = party.company or (_enterprise(party) or "")
        if registration:
            _text(legal, "cbc:CompanyID", registration)
        if party.email or party.phone:
            contact = _sub(node, "cac:Contact")
            _optional(contact, "cbc:Telephone", party.phone or "")
            _optional(contact, "cbc:ElectronicMail", party.email or "")

    def _delivery(self, root: ET.Element, buyer: Party) -> None:
        """An intra-EU supply of goods says when and where it was delivered (BR-IC-11, BR-IC-12)."""
        doc = self.document
        delivery = _sub(root, "cac:Delivery")
        _text(delivery, "cbc:ActualDeliveryDate", self.day(doc.date_service or doc.date).isoformat())
        address = _sub(_sub(delivery, "cac:DeliveryLocation"), "cac:Address")
        _text(_sub(address, "cac:Country"), "cbc:IdentificationCode", buyer.country)

    def _payment(self, root: ET.Element, seller: Party) -> None:
        doc, org = self.document, self.organization
        issuer = doc.document_issuer
        iban = re.sub(r"\s+", "", (issuer.iban if issuer is not None and issuer.iban else org.iban) or "")
        if not iban or doc.type == "credit-note":
            return
        means = _sub(root, "cac:PaymentMeans")
        _text(means, "cbc:PaymentMeansCode", "30")  # credit transfer
        _text(means, "cbc:PaymentID", doc.number or doc.id)
        account = _sub(means, "cac:PayeeFinancialAccount")
        _text(account, "cbc:ID", iban)
        _text(account, "cbc:Name", seller.name)
        bic = ((issuer.swift if issuer is not None else "") or org.swift or "").strip()
        if bic:
            _text(_sub(account, "cac:FinancialInstitutionBranch"), "cbc:ID", bic)

    # ------------------------------------------------------------------ VAT, totals, lines

    def _category(self, item: DocumentItem, index: int) -> tuple[str, Decimal]:
        """(EN 16931 category, rate as the e-invoice states it) of a line; reverse charge states 0 %."""
        taxes = item.document_item_taxes
        if len(taxes) != 1:
            what = "no VAT" if not taxes else f"{len(taxes)} taxes"
            self._problems.append(
                f"Line {index} ({item.name}) has {what}: an e-invoice line has exactly one VAT category (give it "
                "its rate, or category E with a reason, Z, K, G or O)."
            )
            return "S", Decimal(0)
        tax = taxes[0]
        category = tax.category or ("AE" if tax.reverse_charged else "S" if tax.rate > 0 else "")
        if not category:  # 0 % without a category: zero rated, exempt, intra-EU, export or outside scope?
            self._problems.append(
                f"Line {index} ({item.name}) is taxed at 0 % without a VAT category: say which (Z zero rated, E "
                "exempt with a reason, K intra-EU supply, G export, O outside the scope of VAT)."
            )
            return "S", Decimal(0)
        rate = Decimal(0) if category != "S" else tax.rate
        return category, rate

    def _taxes(self, root: ET.Element, facts: Facts) -> None:
        currency = self.document.currency_id
        total = _sub(root, "cac:TaxTotal")
        _amount(total, "cbc:TaxAmount", self.charged(), currency)
        book_tax, reasons = self.book_tax(), self.reasons(facts.lines)
        for (category, rate), base in facts.groups().items():
            subtotal = _sub(total, "cac:TaxSubtotal")
            _amount(subtotal, "cbc:TaxableAmount", base, currency)
            _amount(subtotal, "cbc:TaxAmount", book_tax.get((category, rate), Decimal(0)), currency)
            self._tax_category(subtotal, "cac:TaxCategory", category, rate, reasons.get(category))

    def book_tax(self) -> dict[tuple[str, Decimal], Decimal]:
        """The books' own VAT per standard rate (already rounded per group; two groups of one rate, a tax and a bare
        rate, add up). The other categories charge none."""
        found: dict[tuple[str, Decimal], Decimal] = {}
        for t in self.document.document_taxes:
            if (t.category or "S") == "S" and not _reverse(t):
                found[("S", t.tax)] = found.get(("S", t.tax), Decimal(0)) + t.total_tax
        return found

    def reasons(self, lines: list[DocumentItem]) -> dict[str, str]:
        """Per category, its exemption reasons (the groups' and the lines' own, each once)."""
        found: dict[str, list[str]] = {}
        tagged = [(t.category, t.exemption_reason) for t in self.document.document_taxes]
        tagged += [(t.category, t.exemption_reason) for item in lines for t in item.document_item_taxes]
        for category, reason in tagged:
            if reason and reason.strip() not in found.get(category or "", []):
                found.setdefault(category or "", []).append(reason.strip())
        return {category: "; ".join(texts) for category, texts in found.items()}

    def _tax_category(
        self, parent: ET.Element, tag: str, category: str, rate: Decimal, reason: str | None = None
    ) -> None:
        node = _sub(parent, tag)
        _text(node, "cbc:ID", category)
        if category != "O":  # outside the scope of VAT there is no rate (BR-O-05, BR-O-10)
            _text(node, "cbc:Percent", _number(rate))
        if tag == "cac:TaxCategory" and category in ("E", "AE", "K", "G", "O"):
            code = _VATEX.get(category)
            if code:
                _text(node, "cbc:TaxExemptionReasonCode", code)
            if category == "E" and not (reason or "").strip():
                raise EInvoiceError("An exempt line (category E) needs its reason: give the tax an exemptionReason.")
            _text(node, "cbc:TaxExemptionReason", self.legend_of(category, reason))
        _text(_sub(node, "cac:TaxScheme"), "cbc:ID", "VAT")

    def legend_of(self, category: str, reason: str | None) -> str:
        """The books' own legal wording of the category, in the document's language (what its PDF says)."""
        doc = self.document
        language = base_language(doc.locale or self.organization.locale or "en")
        buyer = doc.document_client.country_alpha2_code if doc.document_client else None
        seller = self.organization.country_alpha2_code
        cross_border = bool(buyer) and buyer in EU_COUNTRIES and buyer != seller
        outside_eu = bool(buyer) and buyer not in EU_COUNTRIES
        return legend(category, language, reason or None, cross_border=cross_border, outside_eu=outside_eu)

    def charged(self) -> Decimal:
        """The VAT the document charges: its standard-rate groups (reverse-charged VAT is the buyer's to pay)."""
        groups = self.document.document_taxes
        return sum((t.total_tax for t in groups if (t.category or "S") == "S" and not _reverse(t)), Decimal(0))

    def prepaid(self) -> Decimal:
        return paid_at_issue(self.document)

    def _totals(self, root: ET.Element) -> None:
        doc = self.document
        currency = doc.currency_id
        inclusive = doc.total + self.charged()
        paid = self.prepaid()
        totals = _sub(root, "cac:LegalMonetaryTotal")
        _amount(totals, "cbc:LineExtensionAmount", doc.total, currency)
        _amount(totals, "cbc:TaxExclusiveAmount", doc.total, currency)
        _amount(totals, "cbc:TaxInclusiveAmount", inclusive, currency)
        if paid:
            _amount(totals, "cbc:PrepaidAmount", paid, currency)
        _amount(totals, "cbc:PayableAmount", inclusive - paid, currency)

    def _line(
        self, root: ET.Element, index: int, item: DocumentItem, category: str, rate: Decimal, credit: bool
    ) -> None:
        currency = self.document.currency_id
        line = _sub(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
        _text(line, "cbc:ID", str(index))
        # A price is never negative in EN 16931 (BR-27): a deduction (an advance, a refund line) is a negative quantity.
        price, quantity = item.price or Decimal(0), item.quantity
        if price < 0:
            price, quantity = -price, -quantity
        unit = _UNITS.get((item.unit or "").strip().lower().rstrip("."), "ZZ")  # ZZ: mutually defined
        tag = "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity"
        _text(line, tag, _number(quantity), unitCode=unit)
        _amount(line, "cbc:LineExtensionAmount", item.total, currency)
        if item.total_discount:
            allowance = _sub(line, "cac:AllowanceCharge")
            _text(allowance, "cbc:ChargeIndicator", "false")
            _text(allowance, "cbc:AllowanceChargeReasonCode", "95")  # discount
            _text(allowance, "cbc:AllowanceChargeReason", "Discount")
            _amount(allowance, "cbc:Amount", item.total_discount, currency)
        product = _sub(line, "cac:Item")
        _optional(product, "cbc:Description", item.description.strip())
        _text(product, "cbc:Name", item.name.strip() or f"Line {index}")
        if item.sku:
            _text(_sub(product, "cac:SellersItemIdentification"), "cbc:ID", item.sku)
        self._tax_category(product, "cac:ClassifiedTaxCategory", category, rate)
        _amount(_sub(line, "cac:Price"), "cbc:PriceAmount", price, currency, exact=True)

    def day(self, value: object) -> date:
        from datetime import datetime

        assert isinstance(value, datetime)
        return local_day(value, self.organization.timezone or None)


def to_ubl(document: Document, organization: Organization, dialect: Dialect = PEPPOL_BIS3) -> bytes:
    """The document as UBL 2.1 XML (UTF-8 bytes); :class:`EInvoiceError` when the books cannot say what it needs."""
    return Ubl(document, organization, dialect).xml()


# ---------------------------------------------------------------------- helpers


def _default_namespace(xml: str, root_name: str) -> bytes:
    """The root element in the default namespace, as UBL documents are written (ElementTree can only prefix it:
    ``ns0``, the one prefix it invents, stands only in the root's start and end tags; text is escaped)."""
    head = xml.replace(f"<ns0:{root_name} ", f"<{root_name} ", 1).replace("xmlns:ns0=", "xmlns=", 1)
    body, found, _ = head.rpartition(f"</ns0:{root_name}>")
    if not found:
        raise AssertionError("the UBL root was not written with the ns0 prefix")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}</{root_name}>\n'.encode()


def _reverse(tax: object) -> bool:
    return bool(getattr(tax, "reverse_charged", False)) or getattr(tax, "category", None) == "AE"


def paid_at_issue(doc: Document) -> Decimal:
    """What was paid when the document was issued (payments recorded with it), never what was paid since: the
    e-invoice of a document stays what it was when issued."""
    issued = doc.issued_at or doc.created_at
    if doc.type == "credit-note" or not doc.payments or issued is None:
        return Decimal(0)
    at_issue = [p.amount for p in doc.payments if not p.is_deleted and p.created_at and p.created_at <= issued]
    return round_money(sum(at_issue, Decimal(0)), doc.currency_id)


def buyer_reference(doc: Document) -> str:
    """Peppol wants a buyer reference or an order reference (PEPPOL-EN16931-R003): the document's reference, or its
    own number when it has none (what the buyer will quote back)."""
    return doc.reference.strip() or doc.number or doc.id


def _type(doc: Document) -> str:
    return "386" if doc.type == "advance" else "380"  # prepayment invoice, commercial invoice (UNTDID 1001)


def _vat(text: str, country: str | None) -> str:
    """A VAT number with its country prefix, as EN 16931 wants it (BR-CO-09)."""
    compact = re.sub(r"[\s.\-]", "", text or "").upper()
    if not compact:
        return ""
    prefix = "EL" if country == "GR" else country or ""
    if compact.startswith("GR"):  # Greece's VAT numbers carry EL
        compact = "EL" + compact[2:]
    return compact if compact[:2].isalpha() else f"{prefix}{compact}"


def _enterprise(party: Party) -> str | None:
    """A Belgian enterprise number (10 digits): the company number, or the digits of the VAT number."""
    if party.country != "BE":
        return None
    from stdnum.be import vat as belgian

    for candidate in (party.vat.removeprefix("BE"), party.company):  # the VAT number is the checked one
        digits = re.sub(r"\D", "", candidate)
        if len(digits) == 9:
            digits = "0" + digits
        if len(digits) == 10 and belgian.is_valid(digits):
            return digits
    return None


def _endpoint(party: Party) -> tuple[str, str] | None:
    """(EAS scheme, identifier) of a party's Peppol address: the Belgian enterprise number, else the VAT number."""
    enterprise = _enterprise(party)
    if enterprise:
        return _BELGIAN_ENTERPRISE, enterprise
    scheme = _VAT_SCHEME.get(party.vat[:2].replace("EL", "GR")) if party.vat else None
    return (scheme, party.vat) if scheme else None


@dataclass(frozen=True)
class Writer:
    """Elements of one XML vocabulary, tags written ``prefix:name``; text XML cannot carry is refused, not dropped."""

    namespaces: Mapping[str, str]

    def qualified(self, tag: str) -> str:
        prefix, _, name = tag.partition(":")
        return f"{{{self.namespaces[prefix]}}}{name}"

    def sub(self, parent: ET.Element, tag: str) -> ET.Element:
        return ET.SubElement(parent, self.qualified(tag))

    def text(self, parent: ET.Element, tag: str, value: str, **attributes: str) -> ET.Element:
        bad = _XML_CHAR.search(value)
        if bad:
            character = f"U+{ord(bad.group()):04X}"
            raise EInvoiceError(f"{value[:40]!r} has a character XML cannot carry ({character}): remove it.")
        node = ET.SubElement(parent, self.qualified(tag), attributes)
        node.text = value
        return node

    def optional(self, parent: ET.Element, tag: str, value: str) -> None:
        if value:
            self.text(parent, tag, value)


_UBL = Writer({"cac": _NS["cac"], "cbc": _NS["cbc"]})
_qualified, _sub, _text, _optional = _UBL.qualified, _UBL.sub, _UBL.text, _UBL.optional


def _number(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text if text not in ("-0", "") else "0"


def _amount(parent: ET.Element, tag: str, value: Decimal, currency: str, *, exact: bool = False) -> None:
    """An amount with its currency; rounded to the currency's minor unit unless ``exact`` (unit prices)."""
    shown = value if exact else round_money(value, currency)
    _text(parent, tag, f"{shown:f}", currencyID=currency)


def participants(ubl: bytes) -> tuple[str, str]:
    """(seller, buyer) Peppol participant identifiers (``scheme:id``, e.g. ``0208:0477472701``) of a UBL invoice or
    credit note: the addresses an access point routes it between. EInvoiceError when one has none."""
    root = ET.fromstring(ubl)
    found: list[str] = []
    for party in ("AccountingSupplierParty", "AccountingCustomerParty"):
        endpoint = root.find(f"cac:{party}/cac:Party/cbc:EndpointID", _NS)
        if endpoint is None or not (endpoint.text or "").strip() or not endpoint.get("schemeID"):
            raise EInvoiceError(f"The UBL has no Peppol address for its {party.removeprefix('Accounting')[:-5]}.")
        found.append(f"{endpoint.get('schemeID')}:{(endpoint.text or '').strip()}")
    return found[0], found[1]
