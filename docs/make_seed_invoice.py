"""Render the seed invoice, made by a fresh run of the seed (../shared/seed/quickstart.txt) against the embedded
API, with the packaged template to docs/seed-invoice.png.

    .venv/bin/python docs/make_seed_invoice.py          # write the PNG
    .venv/bin/python docs/make_seed_invoice.py --check  # exit 1 if the PNG is not what the template gives

The test suite runs ``--check``, so a template change without a regenerated picture fails CI.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PNG = ROOT / "docs" / "seed-invoice.png"
PPI = 110
# The seed's two requests, as the quickstart sends them; the issue date is fixed so that the picture is stable, and
# the client's email (obfuscated in the saved page) is a reserved example address. "send" is left out: no email.
ORGANIZATION = {
    "name": "International Space Agency",
    "address": "Rocket street 1",
    "city": "Brussels",
    "zip": "10000",
    "country": "Belgium",
}
INVOICE = {
    "type": "invoice",
    "date": "2026-12-02",
    "_documentClient": {"name": "Rocket man", "country": "United Kingdom", "email": "rocket@example.com"},
    "_documentItems": [{"name": "Space suit", "quantity": 1, "price": 10000, "_documentItemTaxes": [{"rate": 21}]}],
    "payments": [{"type": "card", "date": "2026-12-02"}],
}


async def _seed_run() -> tuple[dict[str, Any], dict[str, Any]]:
    """The organization and the invoice the seed makes, in a throwaway embedded API."""
    import httpx

    from si_mcp.local import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(database_url=f"sqlite+aiosqlite:///{tmp}/seed.db", data_dir=Path(tmp))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://local/v1") as api:
            login = {"email": "seed@example.com", "password": "seed-password-1"}
            account = (await api.post("/accounts", json=login)).raise_for_status().json()
            api.headers["Authorization"] = (await api.post("/accounts/login", json=login)).json()["id"]
            org = (await api.post(f"/accounts/{account['id']}/organizations", json=ORGANIZATION)).json()
            document = (await api.post(f"/organizations/{org['id']}/documents", json=INVOICE)).raise_for_status()
        await app.aclose()
    return org, document.json()


def render() -> bytes:
    import anyio

    from si_mcp.local.pdf import PdfRenderer
    from si_mcp.models import Document, Organization

    org, document = anyio.run(_seed_run)
    return PdfRenderer().render_png(Document.model_validate(document), Organization.model_validate(org), ppi=PPI)


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
