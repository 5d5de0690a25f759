"""Organizations: create one, list them, change their details."""

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult
from pydantic import BaseModel, Field, WithJsonSchema

from .. import lookup
from ..backend import Books
from ..errors import api_call
from ..state import Ctx, books_of, state_of
from ..text import clean, percent
from ..views import OrganizationView, OrgBrief, org_brief, organization_gaps, organization_view
from ._common import Language, OrgArg, ToolSpec, result

# Which invoices are e-invoices (the organization default "einvoice" of the embedded API, see si_mcp.local.einvoicing)
EInvoiceMode = Literal["auto", "peppol", "factur-x", "off"]

if TYPE_CHECKING:
    from si_mcp.models import Organization

__all__ = ["TOOLS", "organization_details"]

Text = Annotated[str | None, Field(max_length=300)]
Rate = Annotated[Decimal, Field(ge=0, le=100), WithJsonSchema({"type": "number"})]


class OrganizationResult(BaseModel):
    organization: OrganizationView


class OrganizationsResult(BaseModel):
    organizations: list[OrgBrief]
    default: str | None = None


async def organization_details(books: "Books", org: "Organization", smtp_from: str | None = None) -> OrganizationView:
    """The organization with its currency, taxes (two extra reads) and what its invoices still lack."""
    with api_call("read the organization's settings"):
        defaults = await books.api.defaults.list(org.id)
        taxes = await books.api.taxes.list(org.id)
    currency = next((str(d.value) for d in defaults if d.name == "currencyId" and d.value), None)
    return organization_view(org, currency=currency, taxes=taxes, missing=organization_gaps(org, smtp_from))


def _tax_label(label: str, rate: str) -> str:
    """``BTW 21%`` as it is, ``VAT 21%`` for a bare ``VAT`` (abbreviations often carry the rate already)."""
    return label if f"{rate}%" in label.replace(" %", "%") else f"{label} {rate}%"


def _describe(view: OrganizationView) -> str:
    taxes = ", ".join(_tax_label(tax.abbreviation or tax.name, tax.rate) for tax in view.taxes[:6]) or "none"
    missing = (
        " Still missing for complete invoices (set with update_organization): " + "; ".join(view.missing) + "."
        if view.missing
        else ""
    )
    return (
        f"{view.name} (id {view.id}), {view.country_code}: locale {view.locale}, "
        f"currency {view.currency or 'not set'}, taxes: {taxes}.{missing}"
    )


async def create_organization(
    ctx: Ctx,
    name: Annotated[str, Field(description="Legal name.", min_length=1, max_length=200)],
    country: Annotated[
        str, Field(description="Country name or ISO code, e.g. Belgium or BE.", min_length=2, max_length=100)
    ],
    address: Text = None,
    city: Annotated[str | None, Field(max_length=200)] = None,
    zip: Annotated[str | None, Field(max_length=50)] = None,
    email: Annotated[str | None, Field(description="Replies to emailed invoices go here.", max_length=320)] = None,
    tax_number: Annotated[str | None, Field(description="VAT number.", max_length=100)] = None,
    iban: Annotated[str | None, Field(description="Printed as where to pay.", max_length=100)] = None,
    currency: Annotated[str | None, Field(description="Default: the country's.", pattern="^[A-Za-z]{3}$")] = None,
) -> Annotated[CallToolResult, OrganizationResult]:
    """Create the business that issues invoices; its country sets locale, currency and VAT rates."""
    from si_mcp.models import OrganizationCreate

    books = await books_of(ctx)
    existing = [org for org in await lookup.organizations(books) if org.name.casefold() == name.strip().casefold()]
    if existing:
        raise ToolError(
            f"An organization named '{clean(name)}' already exists (id {existing[0].id}). Nothing was created: "
            "use it, or choose another name."
        )
    fields = {"address": address, "city": city, "zip": zip, "email": email, "tax_number": tax_number, "iban": iban}
    body = OrganizationCreate(
        name=name.strip(),
        country=country.strip(),
        currency_id=currency.upper() if currency else None,
        **{key: value for key, value in fields.items() if value is not None},
    )
    with api_call("create the organization"):
        org = await books.api.organizations.create(books.account_id, body=body)
    view = await organization_details(books, org, state_of(ctx).settings.smtp_from)
    return result(f"Created {_describe(view)}", OrganizationResult(organization=view))


async def list_organizations(ctx: Ctx) -> Annotated[CallToolResult, OrganizationsResult]:
    """List your organizations and the default one."""
    books = await books_of(ctx)
    orgs = await lookup.organizations(books)
    default = state_of(ctx).settings.organization_id or (orgs[0].name if len(orgs) == 1 else None)
    views = [org_brief(org) for org in orgs]
    if not views:
        text = "No organizations yet. Call create_organization."
    else:
        names = "; ".join(f"{v.name} (id {v.id}, {v.country_code})" for v in views[:20])
        more = f" and {len(views) - 20} more" if len(views) > 20 else ""
        text = f"{len(views)} organization(s): {names}{more}. Default: {clean(default) if default else 'none'}."
    return result(text, OrganizationsResult(organizations=views, default=default))


async def update_organization(
    ctx: Ctx,
    organization: OrgArg = None,
    name: Annotated[str | None, Field(min_length=1, max_length=200)] = None,
    address: Text = None,
    city: Annotated[str | None, Field(max_length=200)] = None,
    zip: Annotated[str | None, Field(max_length=50)] = None,
    email: Annotated[str | None, Field(description="Replies to emailed invoices go here.", max_length=320)] = None,
    phone: Annotated[str | None, Field(max_length=100)] = None,
    tax_number: Annotated[str | None, Field(description="VAT number.", max_length=100)] = None,
    company_number: Annotated[str | None, Field(description="Company registration number.", max_length=100)] = None,
    iban: Annotated[str | None, Field(description="Printed as where to pay.", max_length=100)] = None,
    bank: Annotated[str | None, Field(description="Bank name.", max_length=200)] = None,
    swift: Annotated[str | None, Field(description="BIC/SWIFT code.", max_length=50)] = None,
    vat_rates: Annotated[list[Rate] | None, Field(description="VAT % to add.", max_length=5)] = None,
    language: Annotated[Language | None, Field(description="Default language of documents and emails.")] = None,
    einvoice: Annotated[
        EInvoiceMode | None, Field(description="auto: Belgian B2B as Peppol; factur-x: PDFs carry the XML.")
    ] = None,
) -> Annotated[CallToolResult, OrganizationResult]:
    """Change an organization's details (only the fields given)."""
    from si_mcp.models import OrganizationUpdate

    changes = {"name": name, "address": address, "city": city, "zip": zip, "email": email, "phone": phone}
    changes |= {"tax_number": tax_number, "company_number": company_number, "iban": iban, "bank": bank, "swift": swift}
    changes["locale"] = language  # the embedded API adds the country's region (fr for a Belgian business: fr-BE)
    changes = {key: value for key, value in changes.items() if value is not None}
    if not changes and not vat_rates and not einvoice:
        raise ToolError("Nothing to change: pass at least one field (e.g. iban, email, address, language, vat_rates).")
    state = state_of(ctx)
    books = await books_of(ctx)
    org = await lookup.organization(books, organization, default=state.settings.organization_id)
    if einvoice and not books.api.is_local:
        raise ToolError("E-invoices are made by si-mcp's own books only; Space Invoices has no such setting.")
    updated = org
    if changes:
        with api_call("update the organization"):
            updated = await books.api.organizations.update(org.id, body=OrganizationUpdate(**changes))
    added = await _add_vat_rates(books, org.id, vat_rates or [])
    if einvoice:
        await _set_default(books, org.id, "einvoice", einvoice)
    view = await organization_details(books, updated, state.settings.smtp_from)
    what = [*("language" if key == "locale" else key for key in changes), *(f"VAT {percent(rate)}%" for rate in added)]
    what += [f"e-invoices ({einvoice})"] if einvoice else []
    return result(
        f"Updated {', '.join(what) or 'nothing new'} of {_describe(view)}", OrganizationResult(organization=view)
    )


async def _set_default(books: Books, organization_id: str, name: str, value: str) -> None:
    """Set the organization setting ``name`` (created the first time)."""
    from si_mcp.models import DefaultCreate, DefaultUpdate, Filter

    with api_call("change the organization's settings"):
        found = await books.api.defaults.list(organization_id, filter=Filter(where={"name": name}, limit=1))
        if found:
            await books.api.defaults.update(found[0].id, body=DefaultUpdate(value=value))
        else:
            await books.api.defaults.create(organization_id, body=DefaultCreate(name=name, value=value))


async def _add_vat_rates(books: Books, organization_id: str, rates: list[Decimal]) -> list[Decimal]:
    """Create a tax for each rate the organization does not have yet (countries without seeded VAT data)."""
    from si_mcp.models import TaxCreate, TaxRateCreate

    if not rates:
        return []
    with api_call("read the organization's taxes"):
        taxes = await books.api.taxes.list(organization_id)
    present = {tax.tax_rates[0].rate for tax in taxes if tax.tax_rates}
    added: list[Decimal] = []
    for rate in dict.fromkeys(rates):
        if rate in present:
            continue
        label = f"VAT {percent(rate)}%"
        body = TaxCreate(
            name="VAT", abbreviation=label, classification="standard", tax_rates=[TaxRateCreate(rate=rate)]
        )
        with api_call(f"add the {label} tax"):
            await books.api.taxes.create(organization_id, body=body)
        added.append(rate)
    return added


TOOLS = [
    ToolSpec(create_organization, "Create organization", read_only=False),
    ToolSpec(list_organizations, "List organizations", read_only=True, idempotent=True),
    ToolSpec(update_organization, "Update organization", read_only=False, destructive=True, idempotent=True),
]
