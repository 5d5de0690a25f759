"""The same e-invoice in UN/CEFACT CII (D16B), EN 16931 profile: the XML Factur-X and ZUGFeRD embed in the PDF.

A second syntax binding over the facts :class:`~si_mcp.einvoice.ubl.Ubl` checks and states (parties, lines, VAT
categories and groups, totals, what was paid at issue), so both syntaxes always say the same. Pure: no I/O.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from si_mcp.models.money import round_money

from .ubl import (
    _UNITS,
    _VATEX,
    EN16931,
    EInvoiceError,
    Facts,
    Party,
    Ubl,
    Writer,
    _endpoint,
    _enterprise,
    _number,
    buyer_reference,
)

if TYPE_CHECKING:
    from si_mcp.models import Document, DocumentItem, Organization

__all__ = ["FACTURX_EN16931", "to_cii"]

FACTURX_EN16931 = "urn:cen.eu:en16931:2017"
_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}


class Cii(Ubl):
    """The CII binding: :meth:`xml` writes a ``CrossIndustryInvoice`` from the checked facts."""

    def xml(self) -> bytes:
        facts = self.facts()
        doc = self.document
        for prefix, uri in _NS.items():
            ET.register_namespace(prefix, uri)
        root = ET.Element(_q("rsm:CrossIndustryInvoice"))
        context = _sub(_sub(root, "rsm:ExchangedDocumentContext"), "ram:GuidelineSpecifiedDocumentContextParameter")
        _text(context, "ram:ID", FACTURX_EN16931)
        header = _sub(root, "rsm:ExchangedDocument")
        _text(header, "ram:ID", doc.number or doc.id)
        _text(header, "ram:TypeCode", "381" if facts.credit else "386" if doc.type == "advance" else "380")
        _date(_sub(header, "ram:IssueDateTime"), "udt:DateTimeString", self.day(doc.date))
        if doc.note.strip():
            _text(_sub(header, "ram:IncludedNote"), "ram:Content", doc.note.strip())

        transaction = _sub(root, "rsm:SupplyChainTradeTransaction")
        for index, (item, (category, rate)) in enumerate(zip(facts.lines, facts.categories, strict=True), 1):
            self._cii_line(transaction, index, item, category, rate)
        agreement = _sub(transaction, "ram:ApplicableHeaderTradeAgreement")
        _text(agreement, "ram:BuyerReference", buyer_reference(doc))
        self._cii_party(agreement, "ram:SellerTradeParty", facts.seller, with_vat=not facts.outside_scope)
        self._cii_party(agreement, "ram:BuyerTradeParty", facts.buyer, with_vat=not facts.outside_scope)
        delivery = _sub(transaction, "ram:ApplicableHeaderTradeDelivery")
        intra_eu = any(category == "K" for category, _ in facts.categories)
        if intra_eu:  # BR-IC-12: where the goods went
            ship_to = _sub(_sub(delivery, "ram:ShipToTradeParty"), "ram:PostalTradeAddress")
            _text(ship_to, "ram:CountryID", facts.buyer.country)
        if intra_eu or doc.date_service is not None:  # the delivery date the PDF prints (BR-IC-11 for K)
            event = _sub(delivery, "ram:ActualDeliverySupplyChainEvent")
            _date(_sub(event, "ram:OccurrenceDateTime"), "udt:DateTimeString", self.day(doc.date_service or doc.date))
        self._settlement(_sub(transaction, "ram:ApplicableHeaderTradeSettlement"), facts)
        ET.indent(root)
        body = ET.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()

    def _cii_party(self, parent: ET.Element, tag: str, party: Party, *, with_vat: bool) -> None:
        node = _sub(parent, tag)
        _text(node, "ram:Name", party.name)
        registration = party.company or (_enterprise(party) or "")
        if registration:
            _text(_sub(node, "ram:SpecifiedLegalOrganization"), "ram:ID", registration)
        if party.email or party.phone:
            contact = _sub(node, "ram:DefinedTradeContact")
            if party.phone:
                _text(_sub(contact, "ram:TelephoneUniversalCommunication"), "ram:CompleteNumber", party.phone)
            if party.email:
                _text(_sub(contact, "ram:EmailURIUniversalCommunication"), "ram:URIID", party.email)
        address = _sub(node, "ram:PostalTradeAddress")
        _optional(address, "ram:PostcodeCode", party.zip)
        _optional(address, "ram:LineOne", party.street)
        _optional(address, "ram:LineTwo", party.street2)
        _optional(address, "ram:CityName", party.city)
        _text(address, "ram:CountryID", party.country)
        _optional(address, "ram:CountrySubDivisionName", party.state)
        endpoint = _endpoint(party)
        if endpoint is not None:
            _text(_sub(node, "ram:URIUniversalCommunication"), "ram:URIID", endpoint[1], schemeID=endpoint[0])
        if with_vat and party.vat:
            _text(_sub(node, "ram:SpecifiedTaxRegistration"), "ram:ID", party.vat, schemeID="VA")

    def _settlement(self, node: ET.Element, facts: Facts) -> None:
        doc, org = self.document, self.organization
        currency = doc.currency_id
        _text(node, "ram:PaymentReference", doc.number or doc.id)
        _text(node, "ram:InvoiceCurrencyCode", currency)
        issuer = doc.document_issuer
        iban = "".join(((issuer.iban if issuer is not None and issuer.iban else org.iban) or "").split())
        if iban and not facts.credit:
            means = _sub(node, "ram:SpecifiedTradeSettlementPaymentMeans")
            _text(means, "ram:TypeCode", "30")  # credit transfer
            account = _sub(means, "ram:PayeePartyCreditorFinancialAccount")
            _text(account, "ram:IBANID", iban)
            bic = ((issuer.swift if issuer is not None else "") or org.swift or "").strip()
            if bic:
                _text(_sub(means, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", bic)
        book_tax, reasons = self.book_tax(), self.reasons(facts.lines)
        for (category, rate), base in facts.groups().items():
            tax = _sub(node, "ram:ApplicableTradeTax")
            _amount(tax, "ram:CalculatedAmount", book_tax.get((category, rate), Decimal(0)), currency)
            _text(tax, "ram:TypeCode", "VAT")
            if category in ("E", "AE", "K", "G", "O"):
                if category == "E" and not reasons.get(category):
                    raise EInvoiceError(
                        "An exempt line (category E) needs its reason: give the tax an exemptionReason."
                    )
                _text(tax, "ram:ExemptionReason", self.legend_of(category, reasons.get(category)))
            _amount(tax, "ram:BasisAmount", base, currency)
            _text(tax, "ram:CategoryCode", category)
            if category in _VATEX:
                _text(tax, "ram:ExemptionReasonCode", _VATEX[category])
            if category != "O":
                _text(tax, "ram:RateApplicablePercent", _number(rate))
        if doc.date_due is not None and not facts.credit:
            terms = _sub(node, "ram:SpecifiedTradePaymentTerms")
            _date(_sub(terms, "ram:DueDateDateTime"), "udt:DateTimeString", self.day(doc.date_due))
        totals = _sub(node, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
        charged, paid = self.charged(), self.prepaid()
        _amount(totals, "ram:LineTotalAmount", doc.total, currency)
        _amount(totals, "ram:TaxBasisTotalAmount", doc.total, currency)
        _amount(totals, "ram:TaxTotalAmount", charged, currency, currency_id=True)
        _amount(totals, "ram:GrandTotalAmount", doc.total + charged, currency)
        if paid:
            _amount(totals, "ram:TotalPrepaidAmount", paid, currency)
        _amount(totals, "ram:DuePayableAmount", doc.total + charged - paid, currency)
        for related in doc.related_documents:
            if facts.credit and related.type in ("invoice", "advance") and related.number:
                reference = _sub(node, "ram:InvoiceReferencedDocument")
                _text(reference, "ram:IssuerAssignedID", related.number)
                if related.date is not None:
                    _date(_sub(reference, "ram:FormattedIssueDateTime"), "qdt:DateTimeString", self.day(related.date))

    def _cii_line(self, parent: ET.Element, index: int, item: DocumentItem, category: str, rate: Decimal) -> None:
        currency = self.document.currency_id
        line = _sub(parent, "ram:IncludedSupplyChainTradeLineItem")
        _text(_sub(line, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(index))
        product = _sub(line, "ram:SpecifiedTradeProduct")
        if item.sku:
            _text(product, "ram:SellerAssignedID", item.sku)
        _text(product, "ram:Name", item.name.strip() or f"Line {index}")
        _optional(product, "ram:Description", item.description.strip())
        price, quantity = item.price or Decimal(0), item.quantity
        if price < 0:  # never a negative price (BR-27): a deduction is a negative quantity
            price, quantity = -price, -quantity
        agreement = _sub(line, "ram:SpecifiedLineTradeAgreement")
        _text(_sub(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", f"{price:f}")
        unit = _UNITS.get((item.unit or "").strip().lower().rstrip("."), "ZZ")
        _text(_sub(line, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", _number(quantity), unitCode=unit)
        settlement = _sub(line, "ram:SpecifiedLineTradeSettlement")
        tax = _sub(settlement, "ram:ApplicableTradeTax")
        _text(tax, "ram:TypeCode", "VAT")
        _text(tax, "ram:CategoryCode", category)
        if category != "O":
            _text(tax, "ram:RateApplicablePercent", _number(rate))
        if item.total_discount:
            allowance = _sub(settlement, "ram:SpecifiedTradeAllowanceCharge")
            _text(_sub(allowance, "ram:ChargeIndicator"), "udt:Indicator", "false")
            _amount(allowance, "ram:ActualAmount", item.total_discount, currency)
            _text(allowance, "ram:ReasonCode", "95")
            _text(allowance, "ram:Reason", "Discount")
        summation = _sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
        _amount(summation, "ram:LineTotalAmount", item.total, currency)


def to_cii(document: Document, organization: Organization) -> bytes:
    """The document as Factur-X/ZUGFeRD CII XML, EN 16931 profile; :class:`EInvoiceError` when it cannot be one.
    EN 16931 itself, not Peppol: a consumer or a buyer outside Peppol needs no electronic address in a PDF."""
    return Cii(document, organization, EN16931).xml()


_CII = Writer(_NS)
_q, _sub, _text, _optional = _CII.qualified, _CII.sub, _CII.text, _CII.optional


def _date(parent: ET.Element, tag: str, day: date) -> None:
    _text(parent, tag, day.strftime("%Y%m%d"), format="102")


def _amount(parent: ET.Element, tag: str, value: Decimal, currency: str, *, currency_id: bool = False) -> None:
    shown = round_money(value, currency)
    if currency_id:
        _text(parent, tag, f"{shown:f}", currencyID=currency)
    else:
        _text(parent, tag, f"{shown:f}")
