"""Render the seed invoice (tests/fixtures) with the packaged template to docs/seed-invoice.png.

    .venv/bin/python docs/make_seed_invoice.py          # write the PNG
    .venv/bin/python docs/make_seed_invoice.py --check  # exit 1 if the PNG is not what the template gives

The test suite runs ``--check``, so a template change without a regenerated picture fails CI.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PNG = ROOT / "docs" / "seed-invoice.png"
FIXTURES = ROOT / "tests" / "fixtures"
PPI = 110


def render() -> bytes:
    from si_mcp.local.pdf import PdfRenderer
    from si_mcp.models import Document, Organization, wirejson

    document = Document.model_validate(wirejson.loads((FIXTURES / "seed_document.json").read_text()))
    organization = Organization.model_validate(wirejson.loads((FIXTURES / "seed_organization.json").read_text()))
    return PdfRenderer().render_png(document, organization, ppi=PPI)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    png = render()
    if args.check:
        if not PNG.is_file() or PNG.read_bytes() != png:
            sys.stderr.write(f"{PNG} is stale: run .venv/bin/python docs/make_seed_invoice.py\n")
            return 1
        return 0
    PNG.write_bytes(png)
    sys.stderr.write(f"wrote {PNG} ({len(png)} bytes)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
