"""The Peppol BIS Billing 3.0 rules beyond EN 16931 that si-mcp checks itself, for a UBL document that claims to be
BIS 3 (its ``CustomizationID``). OpenPeppol's own schematron may not be redistributed, so these are written here from
the public specification (docs.peppol.eu, "Peppol BIS Billing 3.0"), under the same rule ids, and report like the CEN
rules do. Only the rules a document of these books could break are here: the business process (ProfileID), the
buyer reference, and both parties' electronic addresses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from .violations import Violation

__all__ = ["BIS3", "peppol_violations"]

BIS3 = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
_PROFILE = re.compile(r"urn:fdc:peppol\.eu:2017:poacc:billing:\d{2}:1\.0")
_CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
_CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"


def peppol_violations(xml: bytes) -> list[Violation]:
    """The fatal Peppol rules ``xml`` breaks; none for a document that does not claim BIS 3."""
    root = ET.fromstring(xml)

    def text(path: str) -> str:
        found = root.find(path)
        return (found.text or "").strip() if found is not None else ""

    if not text(f"{_CBC}CustomizationID").startswith(BIS3):
        return []
    found: list[Violation] = []

    def broken(rule: str, where: str, what: str) -> None:
        found.append(Violation(rule=rule, flag="fatal", location=where, text=what))

    profile = text(f"{_CBC}ProfileID")
    if not profile:
        broken("PEPPOL-EN16931-R001", "/cbc:ProfileID", "Business process (ProfileID) must be provided.")
    elif not _PROFILE.fullmatch(profile):
        broken(
            "PEPPOL-EN16931-R007",
            "/cbc:ProfileID",
            f"Business process must be in the format 'urn:fdc:peppol.eu:2017:poacc:billing:NN:1.0', not '{profile}'.",
        )
    if not text(f"{_CBC}BuyerReference") and not text(f"{_CAC}OrderReference/{_CBC}ID"):
        broken("PEPPOL-EN16931-R003", "/", "A buyer reference or purchase order reference must be provided.")
    party = f"{_CAC}Party/{_CBC}EndpointID"
    if not text(f"{_CAC}AccountingCustomerParty/{party}"):
        broken("PEPPOL-EN16931-R010", "/cac:AccountingCustomerParty", "Buyer electronic address must be provided.")
    if not text(f"{_CAC}AccountingSupplierParty/{party}"):
        broken("PEPPOL-EN16931-R020", "/cac:AccountingSupplierParty", "Seller electronic address must be provided.")
    return found
