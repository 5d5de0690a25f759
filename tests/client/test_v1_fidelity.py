"""v1 routes the official SDKs call, through the client over ASGITransport on the embedded API: account lookups,
the caller's organizations, organizations deactivated and activated again, document PATCH, mark-sent and number
lookups, comments, share links, units and categories."""

from __future__ import annotations

import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path

import anyio
import pypdf
import pytest

from si_mcp.client import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SpaceInvoices,
    UnprocessableEntityError,
)
from si_mcp.models import (
    AccountUpdate,
    CategoryCreate,
    ClientCreate,
    DocumentCreate,
    DocumentItemInput,
    DocumentUpdate,
    InviteRequest,
    ItemCreate,
    OrganizationUpdate,
    PaymentCreate,
    PaymentUpdate,
    WebhookCreate,
    WebhookUpdate,
)
from si_mcp.settings import Settings
from tests.webhook_receiver import Receiver, receiver

from .conftest import PASSWORD, Books, open_books

__all__ = ["receiver"]  # the fixture

pytestmark = pytest.mark.anyio


def _invoice() -> DocumentCreate:
    return DocumentCreate.model_validate(
        {
            "_documentClient": {"name": "Rocket man", "country": "United Kingdom"},
            "_documentItems": [{"name": "Space suit", "price": Decimal("100"), "_documentItemTaxes": [{"rate": 21}]}],
        }
    )


async def test_is_unique_says_whether_an_email_has_an_account_without_a_token(local_api: SpaceInvoices) -> None:
    await local_api.accounts.signup(email="ada@example.com", password=PASSWORD)

    assert await local_api.accounts.is_unique(email="Ada@Example.com") is False
    assert await local_api.accounts.is_unique(email="grace@example.com") is True


async def test_is_unique_is_throttled_per_client_address_so_accounts_cannot_be_enumerated(
    local_api: SpaceInvoices,
) -> None:
    for n in range(30):
        assert await local_api.accounts.is_unique(email=f"guess{n}@example.com")

    with pytest.raises(RateLimitError) as refused:
        await local_api.accounts.is_unique(email="guess30@example.com")

    assert refused.value.error.code == "TOO_MANY_REQUESTS"
    assert refused.value.retry_after is not None and refused.value.retry_after > 3000  # the hour's window


async def test_the_callers_organizations_are_listed_without_naming_the_account(books: Books) -> None:
    mine = await books.api.organizations.list_mine()

    assert [organization.id for organization in mine] == [books.organization.id]


async def test_a_deactivated_organization_is_read_but_nothing_is_issued_or_changed_until_it_is_activated(
    books: Books,
) -> None:
    api, org = books.api, books.organization
    first = await api.documents.create(org.id, body=_invoice())

    await api.organizations.deactivate(org.id)
    await api.organizations.deactivate(org.id)  # again: nothing changes
    deactivated = await api.organizations.get(org.id)
    with pytest.raises(PermissionDeniedError) as refused:
        await api.documents.create(org.id, body=_invoice())
    with pytest.raises(PermissionDeniedError):
        await api.organizations.update(org.id, body=OrganizationUpdate(city="Ghent"))
    with pytest.raises(PermissionDeniedError):
        await api.documents.cancel(first.id)
    readable = await api.documents.get(first.id)

    await api.organizations.activate(org.id)
    second = await api.documents.create(org.id, body=_invoice())
    active = await api.organizations.get(org.id)

    assert refused.value.error.code == "ORGANIZATION_DEACTIVATED"
    assert deactivated.active is False and deactivated.deactivated_at is not None
    assert readable.number == first.number
    assert (
        active.active is True and active.activated_at is not None and active.activated_at >= deactivated.deactivated_at
    )
    assert (first.number, second.number) == (f"{first.date.year}-00001", f"{first.date.year}-00002")


async def test_only_an_admin_deactivates_an_organization(local_api: SpaceInvoices) -> None:
    owner = await open_books(local_api)
    helper = await local_api.accounts.signup(email="grace@example.com", password=PASSWORD)
    await local_api.organizations.invite(
        owner.organization.id, body=InviteRequest.model_validate({"accountId": helper.id, "role": "default"})
    )
    local_api.set_access_token((await local_api.accounts.login(email="grace@example.com", password=PASSWORD)).id)

    with pytest.raises(AuthenticationError):
        await local_api.organizations.deactivate(owner.organization.id)


# ---------------------------------------------------------------- documents: PATCH, mark-sent, numbers


async def test_patching_a_draft_changes_what_is_named_and_recomputes_the_rest(books: Books) -> None:
    api, org = books.api, books.organization
    draft = await api.documents.create(org.id, body=_invoice().model_copy(update={"draft": True}))
    lines = [
        DocumentItemInput.model_validate(
            {"name": "Helmet", "price": Decimal("50"), "quantity": 3, "_documentItemTaxes": [{"rate": 21}]}
        )
    ]

    patched = await api.documents.update(draft.id, body=DocumentUpdate(document_items=lines, reference="PO-7"))
    issued = await api.documents.update(draft.id, body=DocumentUpdate(draft=False))

    assert [item.name for item in patched.document_items] == ["Helmet"]
    assert (patched.total, patched.total_with_tax) == (Decimal("150"), Decimal("181.5"))
    assert patched.reference == "PO-7" and patched.document_client.name == "Rocket man"
    assert patched.draft is True and issued.draft is False and issued.number == f"{issued.date.year}-00001"
    assert issued.total_with_tax == Decimal("181.5")


async def test_an_issued_invoice_takes_only_bookkeeping_data_by_patch(books: Books) -> None:
    api, org = books.api, books.organization
    invoice = await api.documents.create(org.id, body=_invoice())

    tagged = await api.documents.update(invoice.id, body=DocumentUpdate(custom={"project": "Apollo"}))
    with pytest.raises(UnprocessableEntityError) as refused:
        await api.documents.update(invoice.id, body=DocumentUpdate(note="Pay whenever you like"))
    after = await api.documents.get(invoice.id)

    assert tagged.custom == {"project": "Apollo"}
    assert refused.value.error.details["codes"] == {"note": ["immutable"]}
    assert "credit note" in refused.value.error.message
    assert (after.note, after.total_with_tax, after.number) == (invoice.note, invoice.total_with_tax, invoice.number)


async def test_mark_sent_records_a_document_sent_by_post_but_not_a_draft(books: Books) -> None:
    api, org = books.api, books.organization
    invoice = await api.documents.create(org.id, body=_invoice())
    draft = await api.documents.create(org.id, body=_invoice().model_copy(update={"draft": True}))

    await api.documents.mark_sent(invoice.id)
    with pytest.raises(UnprocessableEntityError):
        await api.documents.mark_sent(draft.id)

    assert (await api.documents.get(invoice.id)).sent_snail_mail is True
    assert (await api.documents.get(draft.id)).sent_snail_mail is False


async def test_the_last_number_and_whether_a_number_is_free_follow_the_series(books: Books) -> None:
    api, org = books.api, books.organization
    before = await api.organizations.last_document_number(org.id)
    first = await api.documents.create(org.id, body=_invoice())
    second = await api.documents.create(org.id, body=_invoice())

    assert before is None
    assert await api.organizations.last_document_number(org.id) == second.number
    assert await api.organizations.last_document_number(org.id, type="estimate") is None
    assert await api.organizations.is_unique_document_number(org.id, number=first.number) is False
    assert await api.organizations.is_unique_document_number(org.id, number=first.number, type="estimate") is True
    assert await api.organizations.is_unique_document_number(org.id, number="IMPORT-1") is True


# ---------------------------------------------------------------- comments


async def test_members_comment_on_an_issued_invoice_which_stays_as_issued(local_api: SpaceInvoices) -> None:
    owner = await open_books(local_api)
    invoice = await local_api.documents.create(owner.organization.id, body=_invoice())
    mine = await local_api.comments.create(invoice.id, text="Client asked for a copy by post")
    helper = await local_api.accounts.signup(email="grace@example.com", password=PASSWORD)
    await local_api.organizations.invite(
        owner.organization.id, body=InviteRequest.model_validate({"accountId": helper.id, "role": "default"})
    )
    owner_token = local_api.access_token
    local_api.set_access_token((await local_api.accounts.login(email="grace@example.com", password=PASSWORD)).id)

    theirs = await local_api.comments.create(invoice.id, text="Sent on Monday")
    with pytest.raises(AuthenticationError):
        await local_api.comments.update(invoice.id, mine.id, text="changed by someone else")
    with pytest.raises(AuthenticationError):
        await local_api.comments.delete(invoice.id, mine.id)
    local_api.set_access_token(owner_token)
    edited = await local_api.comments.update(invoice.id, mine.id, text="Client asked for two copies")
    await local_api.comments.delete(invoice.id, theirs.id)  # an admin deletes anyone's
    listed = await local_api.comments.list(invoice.id)
    after = await local_api.documents.get(invoice.id)

    assert [c.text for c in listed] == ["Client asked for two copies"] and edited.account_id == owner.account.id
    assert theirs.account_id == helper.id
    assert after.updated_at == invoice.updated_at


# ---------------------------------------------------------------- share links


async def test_a_shared_invoice_is_read_by_its_link_without_a_token_until_the_link_is_revoked(
    books: Books, local_api: SpaceInvoices
) -> None:
    api, org = books.api, books.organization
    body = DocumentCreate.model_validate(
        {
            **_invoice().model_dump(by_alias=True, exclude_unset=True),
            "custom": {"internal": "margin 40%"},
            "uniqueId": "order-17",
            "_documentItems": [
                {"name": "Space suit", "price": 100, "custom": {"cost": 61}, "_documentItemTaxes": [{"rate": 21}]}
            ],
        }
    )
    invoice = await api.documents.create(org.id, body=body)
    link = await api.documents.share(invoice.id)
    again = await api.documents.share(invoice.id)
    token = api.access_token
    api.set_access_token(None)

    public = await api.documents.public(link)
    pdf = await api.documents.public_pdf(link)

    api.set_access_token(token)
    fresh = await api.documents.share(invoice.id, regenerate=True)
    with pytest.raises(NotFoundError):
        await api.documents.public(link)
    await api.documents.unshare(invoice.id)
    with pytest.raises(NotFoundError):
        await api.documents.public(fresh)

    assert again == link and len(link) >= 40 and fresh != link
    assert public.number == invoice.number and public.total_with_tax == invoice.total_with_tax
    assert public.custom == {} and public.unique_id is None and public.client_id is None
    assert all(item.custom == {} for item in public.document_items)
    assert pdf.startswith(b"%PDF")


async def test_a_draft_cannot_be_shared(books: Books) -> None:
    draft = await books.api.documents.create(books.organization.id, body=_invoice().model_copy(update={"draft": True}))

    with pytest.raises(UnprocessableEntityError):
        await books.api.documents.share(draft.id)


async def test_public_reads_are_throttled_per_client_address(tmp_path: Path, database_url: str) -> None:
    async with SpaceInvoices.local(database_url, data_dir=tmp_path, max_retries=0) as api:  # a 429 is not waited out
        books = await open_books(api)
        invoice = await api.documents.create(books.organization.id, body=_invoice())
        link = await api.documents.share(invoice.id)
        for _ in range(120):
            await api.documents.public(link)

        with pytest.raises(RateLimitError) as refused:
            await api.documents.public(link)

    assert refused.value.error.code == "TOO_MANY_REQUESTS"
    assert refused.value.retry_after is not None and 0 < refused.value.retry_after <= 60


# ---------------------------------------------------------------- units and categories


async def test_units_are_kept_per_organization(local_api: SpaceInvoices) -> None:
    ada = await open_books(local_api)
    hours = await local_api.units.create(ada.organization.id, name="h")
    await local_api.units.create(ada.organization.id, name="kg")
    renamed = await local_api.units.rename(hours.id, name="hour")
    ada_token = local_api.access_token
    bob = await open_books(local_api, email="bob@example.com")

    with pytest.raises(NotFoundError):
        await local_api.units.get(hours.id)
    bobs = await local_api.units.list(bob.organization.id)
    local_api.set_access_token(ada_token)
    await local_api.units.delete(renamed.id)
    left = await local_api.units.list(ada.organization.id)

    assert renamed.name == "hour" and bobs == []
    assert [unit.name for unit in left] == ["kg"]


async def test_a_document_is_allocated_to_categories_up_to_its_whole_amount(books: Books) -> None:
    api, org = books.api, books.organization
    invoice = await api.documents.create(org.id, body=_invoice())
    hardware = await api.categories.create(org.id, body=CategoryCreate(name="Hardware"))
    service = await api.categories.create(org.id, body=CategoryCreate(name="Service"))

    await api.categories.allocate(invoice.id, category_id=hardware.id, percent=Decimal("60"))
    await api.categories.allocate(invoice.id, category_id=service.id, percent=Decimal("40"))
    with pytest.raises(UnprocessableEntityError):
        await api.categories.allocate(invoice.id, category_id=service.id, percent=Decimal("0.01"))
    with pytest.raises(UnprocessableEntityError) as in_use:
        await api.categories.delete(hardware.id)
    allocations = await api.categories.allocations(invoice.id)

    assert sorted((a.category_id, a.percent) for a in allocations) == sorted(
        [(hardware.id, Decimal("60")), (service.id, Decimal("40"))]
    )
    assert in_use.value.error.code == "CATEGORY_IN_USE"


# ---------------------------------------------------------------- webhooks


async def test_a_webhook_registered_through_the_client_receives_a_new_client_by_itself(
    tmp_path: Path, database_url: str, receiver: Receiver
) -> None:
    settings = Settings(SI_MCP_DATA_DIR=tmp_path, SI_MCP_WEBHOOKS_ALLOW_PRIVATE=True)
    async with SpaceInvoices.local(database_url, data_dir=tmp_path, settings=settings) as api:
        books = await open_books(api)
        hook = await api.webhooks.create(
            books.organization.id, body=WebhookCreate(url=receiver.url, events=["client/create"])
        )
        made = await api.clients.create(books.organization.id, body=ClientCreate(name="Rocket man"))
        arrived = await anyio.to_thread.run_sync(receiver.wait_for, 1)  # the app's own sender posts it
        listed = await api.webhooks.list(books.organization.id)
        paused = await api.webhooks.update(hook.id, body=WebhookUpdate(enabled=False, rotate_secret=True))

    assert arrived and receiver.events() == ["client/create"]
    assert json.loads(receiver.received[0][1])["data"]["id"] == made.id
    assert hook.secret and [h.secret for h in listed] == [None]
    assert paused.enabled is False and paused.secret and paused.secret != hook.secret


# ---------------------------------------------------------------- payments


async def test_patching_a_payment_changes_only_what_is_named_and_the_document_follows(books: Books) -> None:
    api, org = books.api, books.organization
    invoice = await api.documents.create(org.id, body=_invoice())  # 121.00 EUR
    paid = await api.payments.create(
        invoice.id, body=PaymentCreate(type="bank", amount=Decimal("100"), note="First transfer")
    )

    changed = await api.payments.change(paid.id, body=PaymentUpdate(amount=Decimal("121")))
    with pytest.raises(UnprocessableEntityError):
        await api.payments.change(paid.id, body=PaymentUpdate(amount=Decimal("0")))
    after = await api.documents.get(invoice.id)

    assert (changed.amount, changed.type, changed.note) == (Decimal("121"), "bank", "First transfer")
    assert changed.date == paid.date
    assert after.paid_in_full is True and after.total_due == 0


# ---------------------------------------------------------------- organization images


async def test_a_logo_uploaded_through_the_client_is_printed_on_the_pdf(books: Books) -> None:
    api, org = books.api, books.organization
    invoice = await api.documents.create(org.id, body=_invoice())
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><circle cx="10" cy="10" r="8"/></svg>'
    plain = await api.documents.pdf(invoice.id)

    await api.organizations.upload_image(org.id, content=svg, filename="logo.svg")
    kept = await api.organizations.image(org.id)
    printed = await api.documents.pdf(invoice.id)
    with pytest.raises(UnprocessableEntityError) as refused:
        await api.organizations.upload_image(org.id, content=b"%PDF-1.7 not an image")
    await api.organizations.delete_image(org.id)
    with pytest.raises(NotFoundError):
        await api.organizations.image(org.id)

    assert kept == svg and printed != plain
    assert "not a PNG, JPEG or SVG" in refused.value.error.message


# ---------------------------------------------------------------- delivery notes


async def test_a_delivery_note_lists_goods_without_money_in_its_own_series_and_is_never_paid(books: Books) -> None:
    api, org = books.api, books.organization
    invoice = await api.documents.create(org.id, body=_invoice())
    goods = DocumentCreate.model_validate(
        {
            "type": "delivery-note",
            "_documentClient": {"name": "Rocket man", "country": "United Kingdom"},
            "_documentItems": [{"name": "Space suit", "quantity": 3, "unit": "pcs"}],
            "dateService": "2026-03-02T00:00:00Z",
        }
    )

    note = await api.documents.create(org.id, body=goods)
    pdf = pypdf.PdfReader(io.BytesIO(await api.documents.pdf(note.id, language="en"))).pages[0].extract_text()
    with pytest.raises(UnprocessableEntityError) as priced:
        await api.documents.create(
            org.id,
            body=goods.model_copy(
                update={"document_items": [DocumentItemInput.model_validate({"name": "Helmet", "price": 5})]}
            ),
        )
    with pytest.raises(UnprocessableEntityError) as paid:
        await api.payments.create(note.id, body=PaymentCreate(type="cash", amount=Decimal("1")))

    assert (invoice.number, note.number) == (f"{invoice.date.year}-00001", f"{note.date.year}-00001")
    assert (note.total_with_tax, note.document_taxes) == (Decimal(0), [])
    assert "Delivery note" in pdf and "Space suit" in pdf and "Delivery date" in pdf
    assert not any(word in pdf for word in ("Price", "Total", "VAT", "EUR", "€"))
    assert "not prices" in priced.value.error.message and "cannot be paid" in paid.value.error.message


# ---------------------------------------------------------------- accounts and access grants


async def test_an_account_changes_its_own_names_only(local_api: SpaceInvoices) -> None:
    ada = await open_books(local_api)
    grace = await local_api.accounts.signup(email="grace@example.com", password=PASSWORD)

    renamed = await local_api.accounts.update(ada.account.id, body=AccountUpdate(lastname="Lovelace", label="Books"))
    with pytest.raises(AuthenticationError):
        await local_api.accounts.update(grace.id, body=AccountUpdate(firstname="Not Grace"))

    assert (renamed.firstname, renamed.lastname, renamed.label) == ("Ada", "Lovelace", "Books")
    assert (await local_api.accounts.authorized()).lastname == "Lovelace"


async def test_an_admin_changes_roles_and_removes_members_but_never_the_last_admin(local_api: SpaceInvoices) -> None:
    owner = await open_books(local_api)
    helper = await local_api.accounts.signup(email="grace@example.com", password=PASSWORD)
    org = owner.organization.id
    await local_api.organizations.invite(org, body=InviteRequest.model_validate({"accountId": helper.id}))
    grants = {g.account_id: g for g in await local_api.organizations.access(org)}

    with pytest.raises(UnprocessableEntityError) as last:
        await local_api.organizations.change_role(grants[owner.account.id].id, role="readonly")
    await local_api.organizations.change_role(grants[helper.id].id, role="readonly")
    roles = {g.account_id: g.role for g in await local_api.organizations.access(org)}
    await local_api.organizations.remove_access(grants[helper.id].id)
    with pytest.raises(UnprocessableEntityError):
        await local_api.organizations.remove_access(grants[owner.account.id].id)
    local_api.set_access_token((await local_api.accounts.login(email="grace@example.com", password=PASSWORD)).id)
    with pytest.raises(AuthenticationError):
        await local_api.organizations.get(org)

    assert last.value.error.code == "LAST_ADMIN"
    assert roles == {owner.account.id: "admin", helper.id: "readonly"}


async def test_patching_a_draft_keeps_its_lines_and_contact_and_takes_the_organizations_current_details(
    books: Books,
) -> None:
    api, org = books.api, books.organization
    body = DocumentCreate.model_validate(
        {
            "draft": True,
            "_documentClient": {"name": "Rocket man", "country": "United Kingdom", "address": "Launch pad 1"},
            "_documentItems": [
                {"name": "Space suit", "price": 100, "SKU": "SUIT-1", "custom": {"cost": 61},
                 "_documentItemTaxes": [{"rate": 21}]}
            ],
        }
    )  # fmt: skip
    draft = await api.documents.create(org.id, body=body)

    patched = await api.documents.update(draft.id, body=DocumentUpdate(reference="PO-9"))
    await api.organizations.update(org.id, body=OrganizationUpdate(iban="BE68539007547034"))
    moved = await api.documents.update(
        draft.id, body=DocumentUpdate.model_validate({"_documentClient": {"address": "Hangar 2"}})
    )
    issued = await api.documents.update(draft.id, body=DocumentUpdate(draft=False))
    contacts = await api.clients.list(org.id)

    assert patched.reference == "PO-9" and patched.tax_clause == draft.tax_clause
    assert patched.document_client.address == "Launch pad 1"
    assert (patched.document_items[0].sku, patched.document_items[0].custom) == ("SUIT-1", {"cost": 61})
    assert moved.client_id == draft.client_id and moved.document_client.address == "Hangar 2"
    assert moved.document_client.name == "Rocket man" and len(contacts) == 1
    assert issued.document_issuer.iban == "BE68539007547034"  # a draft issued later prints the current IBAN


async def test_an_issued_delivery_note_stands_as_issued_and_takes_catalog_items_without_their_price(
    books: Books,
) -> None:
    api, org = books.api, books.organization
    saved = await api.items.create(org.id, body=ItemCreate(name="Helmet", price=Decimal("40"), unit="pcs"))
    note = await api.documents.create(
        org.id,
        body=DocumentCreate.model_validate(
            {
                "type": "delivery-note",
                "_documentClient": {"name": "Rocket man"},
                "_documentItems": [{"itemId": saved.id}],
            }
        ),
    )

    with pytest.raises(UnprocessableEntityError) as changed:
        await api.documents.update(note.id, body=DocumentUpdate(number="X-1"))
    with pytest.raises(UnprocessableEntityError) as credited:
        await api.documents.create(
            org.id,
            body=DocumentCreate.model_validate(
                {
                    "type": "credit-note",
                    "documentIds": [note.id],
                    "_documentClient": {"name": "Rocket man"},
                    "_documentItems": [{"name": "Helmet", "price": -40, "_documentItemTaxes": [{"rate": 21}]}],
                }
            ),  # fmt: skip
        )

    assert (note.document_items[0].name, note.document_items[0].unit, note.total) == ("Helmet", "pcs", Decimal(0))
    assert changed.value.error.details["codes"] == {"number": ["immutable"]}
    assert "corrects an invoice" in credited.value.error.message


async def test_signing_up_with_a_taken_email_counts_like_an_is_unique_lookup(tmp_path: Path, database_url: str) -> None:
    async with SpaceInvoices.local(database_url, data_dir=tmp_path, max_retries=0) as api:
        await api.accounts.signup(email="ada@example.com", password=PASSWORD)
        for _ in range(29):
            assert not await api.accounts.is_unique(email="ada@example.com")
        with pytest.raises(UnprocessableEntityError):
            await api.accounts.signup(email="ada@example.com", password=PASSWORD)
        with pytest.raises(RateLimitError):
            await api.accounts.signup(email="ada@example.com", password=PASSWORD)


async def test_a_patch_cannot_null_a_payments_date_nor_mark_a_draft_sent(books: Books) -> None:
    api, org = books.api, books.organization
    invoice = await api.documents.create(org.id, body=_invoice())
    draft = await api.documents.create(org.id, body=_invoice().model_copy(update={"draft": True}))
    paid = await api.payments.create(invoice.id, body=PaymentCreate(type="bank", amount=Decimal("10")))

    with pytest.raises(UnprocessableEntityError):
        await api.payments.change(paid.id, body=PaymentUpdate.model_validate({"date": None}))
    with pytest.raises(UnprocessableEntityError):
        await api.documents.update(draft.id, body=DocumentUpdate(sent_snail_mail=True))

    assert (await api.payments.get(paid.id)).date == paid.date


async def test_an_account_lists_its_sessions_and_ends_one_by_its_id(local_api: SpaceInvoices) -> None:
    ada = await open_books(local_api)
    laptop = (await local_api.accounts.login(email="ada@example.com", password=PASSWORD)).id
    script = await local_api.accounts.create_token(ada.account.id, ttl=3600)
    grace = await local_api.accounts.signup(email="grace@example.com", password=PASSWORD)

    sessions = await local_api.accounts.sessions(ada.account.id)
    [laptop_session] = [s for s in sessions if s.id == hashlib.sha256(laptop.encode()).hexdigest()]
    await local_api.accounts.revoke_token(ada.account.id, laptop_session.id)
    with pytest.raises(AuthenticationError):
        await local_api.accounts.sessions(grace.id)
    with pytest.raises(NotFoundError):
        await local_api.accounts.revoke_token(ada.account.id, laptop_session.id)
    local_api.set_access_token(laptop)
    with pytest.raises(AuthenticationError):
        await local_api.accounts.authorized()  # that session ended
    local_api.set_access_token(script.id)
    still = await local_api.accounts.sessions(ada.account.id)

    assert len(sessions) == 3 and sum(s.current for s in sessions) == 1
    assert script.ttl == 3600 and len(still) == 2 and [s.current for s in still].count(True) == 1
