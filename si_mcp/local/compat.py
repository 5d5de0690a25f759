"""The v1 compatibility record: every route the Space Invoices v1 documentation and official SDKs name, and what the
embedded API does with it, checked against the route table the app serves.

    python -m si_mcp.local.compat            # print docs/v1-compatibility.md
    python -m si_mcp.local.compat --write    # write it

Each documented route carries a mark: none (served as documented), ``differs:`` (served, with the differences said),
``declined:`` (deliberately not offered, with the reason) or ``not yet:`` (a gap, said as such). Whether a route is
served comes from the app's router, so the record cannot claim a route that is not there, nor miss one that is
(``tests/local/test_compat.py`` fails when the file and the table disagree).
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import LocalAPIError

if TYPE_CHECKING:
    from .app import Router

__all__ = ["DOCUMENTED", "Entry", "render", "stale"]

# method, path (v1 style, ":name" parameters), mark. Sources: ../shared/reference/space-invoices-v1.md (D21 docs, the
# 2024 OpenAPI export, the JS/.NET/Java/PHP SDKs).
_TABLE = """
Accounts
POST /accounts | differs: an account created with a token is not made a child of the caller (no account hierarchy)
POST /accounts/login |
POST /accounts/logout |
POST /accounts/impersonate | declined: there are no root and child accounts here
GET /accounts/authorized |
GET /accounts/is-unique | differs: 30 lookups an hour per client network (it tells a stranger who has an account)
GET /accounts/count | declined: an account sees only itself; answered NOT_SUPPORTED rather than as an account id
GET /accounts/confirm | declined: accounts log in as soon as they are created (no email confirmation)
GET /accounts/:id |
PATCH /accounts/:id | differs: one's own account; the email and password have their own routes
POST /accounts/change-password | differs: a wrong old password counts towards the login backoff; other sessions end
POST /accounts/reset | not yet: no password reset by email
POST /accounts/reset-password | not yet
GET /accounts/:id/send-verification | declined: no email verification (see /accounts/confirm)
GET /accounts/:id/is-verified | declined: no email verification
GET /accounts/organizations | differs: the JS SDK's listOrganizations; the caller's organizations
GET /accounts/:id/organizations |
GET /accounts/:id/organizations/count |
POST /accounts/:id/organizations | differs: taxes, defaults and locale are derived from the country
GET /accounts/:id/accessTokens | differs: ids are the tokens' SHA-256 (no token is stored); current one marked
POST /accounts/:id/accessTokens | differs: {ttl}; scopes are not kept
DELETE /accounts/:id/accessTokens/:tokenId | differs: by the id the list shows
POST /accountorganizations/:id/accept | not yet: invitations are granted at once (requireConfirmation is not kept)
POST /accountorganizations/:id/reject | not yet

Organizations
GET /organizations/:id |
PATCH /organizations/:id |
PUT /organizations/:id | differs: as PATCH (only the fields sent change)
DELETE /organizations/:id | declined: deleting an organization would delete its books; deactivate it instead
POST /organizations/:id/activate |
POST /organizations/:id/deactivate | differs: writes answer 403 ORGANIZATION_DEACTIVATED; reads still work
POST /organizations/:id/images | differs: PNG, JPEG or a self-contained SVG (sniffed), ≤ 512 KiB; printed on PDFs
GET /organizations/:id/images |
DELETE /organizations/:id/images |
POST /organizations/:id/upload-image | differs: as POST images
GET /organizations/:id/download-image |
DELETE /organizations/:id/delete-image |
GET /organizations/:id/export | not yet: no Excel export (the reports routes answer in JSON)
POST /organizations/:id/invite | differs: access is granted at once; no invitation email
GET /organizations/:id/accountorganizations |
DELETE /accountorganizations/:id | differs: an admin removes, a member leaves; never the last admin
POST /accountorganizations/:id/disable | not yet
POST /accountorganizations/:id/enable | not yet
POST /accountorganizations/:id/change-role | differs: admins; never demotes the last admin
GET /organizations/:id/next-doc-number |
GET /organizations/:id/last-doc-number | differs: the last number of this year's series; null before the first
GET /organizations/:id/is-unique-doc-number | differs: answers {"unique": …} as the 2024 OpenAPI export does
GET /organizations/:id/search-documents |
GET /organizations/:id/search-clients |
GET /organizations/:id/search-items |
GET /organizations/:id/stats | differs: sums in the organization's currency, computed from the ledger
GET /organizations/:id/document-total-stats | differs: see README "Reports"
GET /organizations/:id/payment-total-stats | differs: see README "Reports"
GET /organizations/:id/total-stats | not yet: /reports/vat and /reports/aging answer these questions
GET /organizations/:id/business-stats | not yet
GET /organizations/:id/category-total-stats | not yet
GET /organizations/:id/this-month-invoices | not yet
POST /organizations/:id/upload-certificate | declined: Slovenian fiscalization (FURS) is out of scope
GET /organizations/:id/has-certificate | declined: Slovenian fiscalization
POST /organizations/:id/businesspremises | declined: Slovenian fiscalization (business premises)
POST /businesspremises/:id/electronicdevices | declined: Slovenian fiscalization (electronic devices)

Defaults
POST /organizations/:id/defaults |
GET /organizations/:id/defaults |
GET /organizations/:id/defaults/count |
PUT /organizations/:id/defaults/:defaultId |
GET /defaults/:id |
PATCH /defaults/:id |
DELETE /defaults/:id |

Documents
POST /organizations/:id/documents | differs: legal documents are immutable once issued; VAT cases and legends checked
GET /organizations/:id/documents |
GET /organizations/:id/documents/count |
GET /documents/:id | differs: _documentConversionRate is always null (no exchange rates offline)
PUT /documents/:id | differs: drafts and estimates only; an issued invoice is corrected by a credit note
POST /documents/:id/replace | differs: as PUT
PATCH /documents/:id | differs: an issued invoice, advance or credit note takes only custom and sentSnailMail
DELETE /documents/:id | differs: drafts only; issued documents are canceled or credited, never deleted
GET /documents/:id/pdf | differs: a document issued as Factur-X is served as its Factur-X PDF
POST /documents/:id/send | differs: answers what happened (sent, queued or failed), once per Idempotency-Key
POST /documents/:id/cancel | differs: refused while payments or a credit note refer to it
POST /documents/:id/uncancel |
POST /documents/:id/mark-sent | differs: refused for a draft
GET /documents/:id/payments |
POST /documents/:id/payments |
GET /documents/:id/payments/count |
GET /documents/:id/recurrence |
POST /documents/:id/recurrence |
GET /documents/:id/comments |
POST /documents/:id/comments |
PUT /documents/:id/comments/:fk | differs: only the author changes a comment
DELETE /documents/:id/comments/:fk | differs: the author or an admin; answers 204
POST /documents/:id/share | differs: refused for a draft; DELETE /documents/:id/share revokes the link
GET /documents/public/:shareableId | differs: no internal fields (custom, uniqueId); 120 reads a minute per network
GET /documents/public/:shareableId/pdf |
GET /documents/public/:shareableId/e-slog | declined: e-SLOG is Slovenian; the Peppol UBL is served instead
GET /documents/:id/e-slog | declined: e-SLOG is Slovenian; GET /documents/:id/ubl serves Peppol BIS 3
POST /documents/:id/fiscally-verify | declined: Slovenian fiscalization
POST /documents/:id/attachments/upload | not yet
POST /documents/parse-xml | declined: reading incoming e-invoices is out of scope
POST /organizations/:id/documents/parse-image | declined: parse-image (reading scanned documents) is out of scope
POST /documents/:id/documentCategories | differs: a share in percent; the shares of a document add up to at most 100 %
GET /documents/:id/documentCategories |

Payments
POST /organizations/:id/payments |
GET /organizations/:id/payments |
GET /organizations/:id/payments/count |
GET /payments/:id |
PUT /payments/:id | differs: an omitted amount is what is still due, computed in the same transaction
PATCH /payments/:id |
DELETE /payments/:id |

Clients
POST /organizations/:id/clients | differs: unique per organization and email
GET /organizations/:id/clients |
GET /organizations/:id/clients/count |
GET /organizations/:id/clients/search |
GET /clients/:id |
PATCH /clients/:id |
PUT /clients/:id |
DELETE /clients/:id |

Items
POST /organizations/:id/items |
GET /organizations/:id/items |
GET /organizations/:id/items/count |
GET /organizations/:id/items/search |
GET /items/:id |
PUT /items/:id |
DELETE /items/:id |

Taxes
POST /organizations/:id/taxes |
GET /organizations/:id/taxes |
GET /organizations/:id/taxes/count |
GET /taxes/:id |
PUT /taxes/:id |
DELETE /taxes/:id | differs: refused while a document uses it
POST /taxes/:id/taxRates |
DELETE /taxes/:id/taxRates/:rateId |

Recurrences
GET /organizations/:id/recurrences |
GET /organizations/:id/recurrences/count |
GET /recurrences/:id |
PUT /recurrences/:id |
DELETE /recurrences/:id |

Webhooks
POST /organizations/:id/webhooks | differs: admins only; answers a signing secret once (SI-MCP-Signature header)
GET /organizations/:id/webhooks | differs: without secrets
GET /organizations/:id/webhooks/count |
GET /webhooks/:id |
PATCH /webhooks/:id | differs: rotateSecret makes a new signing secret
PUT /webhooks/:id | differs: as PATCH
DELETE /webhooks/:id | differs: deliveries still queued are dropped

Units and categories (JS SDK)
POST /organizations/:id/units |
GET /organizations/:id/units |
GET /units/:id |
PUT /units/:id |
DELETE /units/:id |
POST /organizations/:id/categories |
GET /organizations/:id/categories |
GET /categories/:id |
PUT /categories/:id |
DELETE /categories/:id | differs: refused while documents are allocated to it

Model-level counts (the SDKs' count())
GET /documents/count | differs: counts the rows of the caller's organizations only
GET /payments/count | differs: as /documents/count
GET /clients/count | differs: as /documents/count
GET /items/count | differs: as /documents/count
GET /taxes/count | differs: as /documents/count
GET /recurrences/count | differs: as /documents/count
GET /units/count | differs: as /documents/count
GET /categories/count | differs: as /documents/count

Reference data
GET /currencies |
GET /countries |
GET /companies | declined: the company registry lookups are Slovenian only
GET /companies/search | declined: Slovenian company registry
"""

_PARAM_V1 = re.compile(r":(\w+)")
_PARAM_HERE = re.compile(r"\{\w+\}")


@dataclass(frozen=True)
class Entry:
    section: str
    method: str
    path: str
    mark: str
    """"" (as documented), "differs", "declined" or "not yet"."""
    note: str


def _parse() -> list[Entry]:
    entries: list[Entry] = []
    section = ""
    for line in _TABLE.strip().splitlines():
        if not line.strip():
            continue
        if "|" not in line:
            section = line.strip()
            continue
        route, _, remark = (part.strip() for part in line.partition("|"))
        method, path = route.split(" ", 1)
        mark, _, note = remark.partition(":") if remark else ("", "", "")
        entries.append(Entry(section, method, path, mark.strip(), note.strip()))
    return entries


DOCUMENTED = _parse()


def _served(method: str, path: str) -> str | None:
    """The route of the app that serves ``method path`` as its own (not through a parameter standing in for one of
    its literal segments), or None."""
    landed = _lands(method, path)
    if landed is None or _PARAM_HERE.sub("{}", landed).lower() != _PARAM_V1.sub("{}", path).lower():
        return None
    return landed


@functools.cache
def _router() -> Router:
    from .app import Router
    from .routes import all_routes

    return Router(all_routes())


def _lands(method: str, path: str) -> str | None:
    """The route ``method path`` reaches at all (perhaps through a parameter), or None."""
    try:
        route, _ = _router().match(method, "/v1" + _PARAM_V1.sub("x1", path))
    except LocalAPIError:
        return None
    return route.path


def stale() -> list[str]:
    """What the record claims that the route table contradicts (empty when they agree)."""
    problems = []
    for entry in DOCUMENTED:
        served = _served(entry.method, entry.path) is not None
        if not served and _lands(entry.method, entry.path) is not None:
            problems.append(f"{entry.method} {entry.path} lands on {_lands(entry.method, entry.path)} (shadowed)")
        if entry.mark in ("", "differs") and not served:
            problems.append(f"{entry.method} {entry.path} is marked as served but no route serves it")
        if entry.mark == "not yet" and served:
            problems.append(f"{entry.method} {entry.path} is marked 'not yet' but a route serves it")
    return problems


def _extensions() -> list[tuple[str, str]]:
    from .routes import all_routes

    documented = {(e.method, _PARAM_V1.sub("{}", e.path).lower()) for e in DOCUMENTED}
    return sorted(
        {
            (route.method, route.path)
            for route in all_routes()
            if (route.method, _PARAM_HERE.sub("{}", route.path).lower()) not in documented
        },
        key=lambda pair: (pair[1], pair[0]),
    )


_STATUS = {
    "": "implemented",
    "differs": "implemented, with differences",
    "declined": "declined",
    "not yet": "not yet",
}


def render() -> str:
    counts = {status: sum(1 for e in DOCUMENTED if _STATUS[e.mark] == status) for status in _STATUS.values()}
    lines = [
        "# Space Invoices v1 compatibility of the embedded API",
        "",
        "Generated by `python -m si_mcp.local.compat --write` from the route table the app serves; "
        "`tests/local/test_compat.py` fails when this file and the table disagree. The routes are those the v1 "
        "documentation (docs.spaceinvoices.com, its 2024 OpenAPI export) and the official SDKs (JavaScript, .NET, "
        "Java, PHP) name.",
        "",
        f"{len(DOCUMENTED)} documented routes: "
        + ", ".join(f"{count} {status}" for status, count in counts.items())
        + ".",
    ]
    section = None
    for entry in DOCUMENTED:
        if entry.section != section:
            section = entry.section
            lines += ["", f"## {section}", "", "| Method | Path | Here | Notes |", "|---|---|---|---|"]
        note = entry.note.replace("|", "\\|")
        lines.append(f"| {entry.method} | `{entry.path}` | {_STATUS[entry.mark]} | {note} |")
    lines += [
        "",
        "## Embedded API extensions",
        "",
        "Routes served here that the v1 documentation does not name (aliases the SDKs use, e-invoices, reports, "
        "idempotency lookups):",
        "",
        "| Method | Path |",
        "|---|---|",
    ]
    lines += [f"| {method} | `{path}` |" for method, path in _extensions()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m si_mcp.local.compat", description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write docs/v1-compatibility.md")
    args = parser.parse_args(argv)
    problems = stale()
    if problems:
        sys.stderr.write("\n".join(problems) + "\n")
        return 1
    text = render()
    if args.write:
        target = Path(__file__).resolve().parents[2] / "docs" / "v1-compatibility.md"
        target.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
