"""E-invoice benchmark: building the Peppol BIS 3 UBL of the seed invoice and of a 200-line invoice, and checking it
with the CEN EN 16931 rules, next to rendering the same document's PDF, in the same run; and the Factur-X step on top
of a rendered PDF (CII, its CEN check, the XSD check and the embedding).

    .venv/bin/python bench/einvoice.py [--rounds 40]

The rules are compiled once (reported separately, as every process pays it once); each round then builds and checks
one document. The PDF render (view with babel + typst PDF/A-3b) is the baseline: what a send already costs.
The seed organization gets a Belgian VAT number, and the seed client a Belgian business, so both have Peppol
addresses.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from pdf import _p50, _seed  # the seed document and the timing of bench/pdf.py


def _lines(seed: dict[str, Any], count: int) -> dict[str, Any]:
    """The seed with ``count`` lines of 100 + 21 % VAT, its totals as the books would hold them."""
    [template] = seed["_documentItems"]
    items = [
        dict(template, id=f"line-{i}", name=f"Spare part {i}", price=100, quantity=1, total=100, totalWithTax=121,
             totalTax=21)
        for i in range(count)
    ]  # fmt: skip
    net, tax = 100 * count, 21 * count
    [group] = seed["_documentTaxes"]
    taxes = [dict(group, base=net, totalTax=tax)]
    return dict(seed, _documentItems=items, _documentTaxes=taxes, total=net, totalWithTax=net + tax, totalPaid=0,
                totalDue=net + tax, paidInFull=False)  # fmt: skip


def main() -> None:
    from facturx import generate_from_binary

    from si_mcp.einvoice import to_ubl
    from si_mcp.einvoice.cii import to_cii
    from si_mcp.einvoice.validation import CII_RULES, Validator
    from si_mcp.local.pdf import PdfRenderer
    from si_mcp.models import Document

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=40)
    rounds = parser.parse_args().rounds

    seed, organization = _seed()
    organization = organization.model_copy(update={"tax_number": "BE0477472701"})
    # Issued by the organization with that number: the e-invoice states what the document's issuer snapshot says.
    seed["_documentIssuer"] = {**(seed.get("_documentIssuer") or {}), "taxNumber": "BE0477472701"}
    seed["_documentClient"] = {"name": "Rocket man", "country": "Belgium", "taxNumber": "BE0403170701"}
    documents = {"seed invoice": seed, "200 lines": _lines(seed, 200)}
    renderer, validator, cii_validator = PdfRenderer(), Validator(), Validator(rules=CII_RULES)

    start = time.perf_counter()
    validator.check(to_ubl(Document.model_validate(seed), organization))
    compile_ms = (time.perf_counter() - start) * 1000

    def numbered(body: dict[str, Any], i: int) -> Document:
        return Document.model_validate(dict(body, number=f"2023-{i + 2:05d}"))

    print(f"EN 16931 rules compiled once per process: {compile_ms:.0f} ms (with the first check)")
    cii_validator.check(to_cii(Document.model_validate(seed), organization))
    print(
        f"{'document':<14} {'PDF p50':>9} {'UBL p50':>9} {'check p50':>10} {'UBL+check vs PDF':>17} {'fatal':>6} "
        f"{'Factur-X p50':>13} {'vs PDF':>7}"
    )
    for label, body in documents.items():
        pdf = _p50(lambda i, b=body: renderer.render_sync(numbered(b, i), organization), rounds)
        build = _p50(lambda i, b=body: to_ubl(numbered(b, i), organization), rounds)
        xml = to_ubl(numbered(body, 0), organization)
        check = _p50(lambda i, x=xml: validator.check(x), rounds)
        fatal = len(validator.fatal(xml))
        rendered = renderer.render_sync(numbered(body, 0), organization)

        def factur_x(i: int, b: dict[str, Any] = body, pdf_bytes: bytes = rendered) -> bytes:
            cii = to_cii(numbered(b, i), organization)
            assert not cii_validator.fatal(cii)
            return bytes(generate_from_binary(pdf_bytes, cii, flavor="factur-x", level="en16931", check_xsd=True))

        fx = _p50(factur_x, rounds)  # on top of the PDF render: CII, its check, the XSD check and the embedding
        print(
            f"{label:<14} {pdf:>7.1f}ms {build:>7.1f}ms {check:>8.1f}ms {(build + check) / pdf:>16.2f}x {fatal:>6} "
            f"{fx:>11.1f}ms {fx / pdf:>6.2f}x"
        )


if __name__ == "__main__":
    main()
