"""What goes on the wire: URLs, the raw Authorization header, filters, bodies, ids, paging."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from si_mcp.client import DEFAULT_API_URL, APIResponseValidationError, SpaceInvoices
from si_mcp.models import (
    Document,
    DocumentCreate,
    Filter,
    PaymentCreate,
    SendRequest,
)
from si_mcp.settings import DEFAULT_API_URL as SETTINGS_API_URL

pytestmark = pytest.mark.anyio


class Recorder:
    """Answers every request with ``answer`` and keeps the requests."""

    def __init__(self, answer: Any = None, *, status: int = 200, content: bytes | None = None) -> None:
        self.answer = answer
        self.status = status
        self.content = content
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.content is not None:
            return httpx.Response(self.status, content=self.content)
        return httpx.Response(self.status, json=self.answer)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


DOCUMENT = {"id": "d1", "organizationId": "o1"}


async def test_the_access_token_is_sent_raw_without_bearer(mock_client: Any) -> None:
    server = Recorder(DOCUMENT)
    async with mock_client(server, access_token="EYPtaMp41SkR7LRat50aq2GD3iz46crm") as api:
        await api.documents.get("d1")
    assert server.last.headers["Authorization"] == "EYPtaMp41SkR7LRat50aq2GD3iz46crm"


async def test_without_a_token_no_authorization_header_is_sent(mock_client: Any) -> None:
    server = Recorder(DOCUMENT)
    async with mock_client(server) as api:
        await api.documents.get("d1")
    assert "Authorization" not in server.last.headers


async def test_set_access_token_switches_the_header_for_later_requests(mock_client: Any) -> None:
    server = Recorder(DOCUMENT)
    async with mock_client(server, access_token="first") as api:
        await api.documents.get("d1")
        api.set_access_token("second")
        await api.documents.get("d1")
        assert api.access_token == "second"
        api.set_access_token(None)
        await api.documents.get("d1")
    assert [request.headers.get("Authorization") for request in server.requests] == ["first", "second", None]


@pytest.mark.parametrize("token", ["", "two words", "line\nbreak", "x" * 3000, "tab\there"])
def test_a_token_that_would_corrupt_the_header_is_refused(token: str) -> None:
    with pytest.raises(ValueError):
        SpaceInvoices(token)


@pytest.mark.parametrize(("max_retries", "deadline"), [(-1, 120.0), (2, 0.0), (2, float("nan"))])
def test_retry_options_that_make_no_sense_are_refused(max_retries: int, deadline: float) -> None:
    with pytest.raises(ValueError):
        SpaceInvoices(max_retries=max_retries, deadline=deadline)


def test_the_repr_never_shows_the_token() -> None:
    assert "secret-token" not in repr(SpaceInvoices("secret-token"))


def test_the_default_base_url_is_the_real_v1_api_and_matches_the_settings() -> None:
    assert DEFAULT_API_URL == SETTINGS_API_URL == "https://api.spaceinvoices.com/v1"
    assert SpaceInvoices().base_url == DEFAULT_API_URL


async def test_paths_are_joined_under_the_base_url(mock_client: Any) -> None:
    server = Recorder(DOCUMENT)
    async with mock_client(server, base_url="https://api-test.spaceinvoices.com/v1/") as api:
        await api.documents.get("5e9ab369ed6377000d23d5b5")
    assert str(server.last.url) == "https://api-test.spaceinvoices.com/v1/documents/5e9ab369ed6377000d23d5b5"
    assert server.last.headers["Accept"] == "application/json"


async def test_a_filter_is_sent_as_compact_json_in_the_filter_parameter(mock_client: Any) -> None:
    server = Recorder([DOCUMENT])
    async with mock_client(server) as api:
        documents = await api.documents.list(
            "o1", filter=Filter(where={"type": "invoice", "total": {"gt": 100}}, order="date DESC", limit=10, skip=20)
        )
    assert documents == [Document.model_validate(DOCUMENT)]
    assert server.last.url.path == "/v1/organizations/o1/documents"
    assert server.last.url.params["filter"] == (
        '{"where":{"type":"invoice","total":{"gt":100}},"order":"date DESC","limit":10,"skip":20}'
    )
    assert list(server.last.url.params) == ["filter"]


async def test_a_list_without_a_filter_sends_no_query(mock_client: Any) -> None:
    server = Recorder([])
    async with mock_client(server) as api:
        assert await api.clients.list("o1") == []
    assert server.last.url.query == b""


async def test_count_sends_where_as_compact_json_and_returns_an_int(mock_client: Any) -> None:
    server = Recorder({"count": 7})
    async with mock_client(server) as api:
        count = await api.documents.count("o1", where={"type": "invoice", "canceled": False})
    assert count == 7
    assert server.last.url.path == "/v1/organizations/o1/documents/count"
    assert server.last.url.params["where"] == '{"type":"invoice","canceled":false}'


async def test_get_with_payments_asks_to_include_them(mock_client: Any) -> None:
    answer = {
        **DOCUMENT,
        "payments": [{"id": "p1", "type": "bank", "date": "2024-01-01T00:00:00.000Z", "amount": 12.5}],
    }
    server = Recorder(answer)
    async with mock_client(server) as api:
        document = await api.documents.get("d1", include_payments=True)
    assert server.last.url.params["filter"] == '{"include":"payments"}'
    assert document.payments is not None
    assert document.payments[0].amount == Decimal("12.5")


@pytest.mark.parametrize(
    "bad_id", ["", "a/b", "..", ".", "a b", " a", "a\n", "a\tb", "a?b", "a#b", "a%2Fb", "a\\b", "x" * 129, "\x00"]
)
async def test_a_bad_id_is_refused_before_anything_is_sent(bad_id: str, mock_client: Any) -> None:
    server = Recorder(DOCUMENT)
    async with mock_client(server) as api:
        with pytest.raises(ValueError, match="document_id"):
            await api.documents.get(bad_id)
        with pytest.raises(ValueError, match="organization_id"):
            await api.documents.create(
                bad_id, body=DocumentCreate.model_validate({"clientId": "c1", "_documentItems": [{"name": "x"}]})
            )
        with pytest.raises(ValueError):
            api.documents.iterate(bad_id)
    assert server.requests == []


async def test_a_non_string_id_is_refused(mock_client: Any) -> None:
    async with mock_client(Recorder(DOCUMENT)) as api:
        with pytest.raises(ValueError):
            await api.documents.get(123)  # type: ignore[arg-type]


async def test_a_request_body_is_compact_json_with_only_the_fields_set_and_exact_decimals(mock_client: Any) -> None:
    server = Recorder(DOCUMENT)
    body = DocumentCreate.model_validate(
        {
            "_documentClient": {"name": "Rocket man", "country": "United Kingdom"},
            "_documentItems": [
                {
                    "name": "Space suit",
                    "quantity": Decimal("2"),
                    "price": Decimal("0.10"),
                    "_documentItemTaxes": [{"rate": Decimal("21")}],
                }
            ],
        }
    )
    async with mock_client(server) as api:
        await api.documents.create("o1", body=body)
    assert server.last.headers["Content-Type"] == "application/json"
    assert server.last.content == (
        b'{"_documentClient":{"name":"Rocket man","country":"United Kingdom"},'
        b'"_documentItems":[{"name":"Space suit","price":0.10,"quantity":2,"_documentItemTaxes":[{"rate":21}]}]}'
    )


async def test_an_invalid_body_fails_before_sending(mock_client: Any) -> None:
    server = Recorder({})
    async with mock_client(server) as api:
        with pytest.raises(ValueError):
            await api.accounts.signup(email="not-an-email", password="long-enough-1")
        with pytest.raises(ValueError):
            await api.accounts.signup(email="a@example.com", password="short")
    assert server.requests == []


@pytest.mark.parametrize("create_only", [{"payments": [{"type": "card"}]}, {"send": True}])
async def test_a_replace_carrying_payments_or_send_is_refused_before_sending(
    create_only: dict[str, Any], mock_client: Any
) -> None:
    server = Recorder(DOCUMENT)
    body = DocumentCreate.model_validate(
        {"clientId": "c1", "_documentItems": [{"name": "Suit", "price": 1}], **create_only}
    )
    async with mock_client(server) as api:
        with pytest.raises(ValueError):
            await api.documents.replace("d1", body=body)
    assert server.requests == []


async def test_signup_and_login_send_only_the_given_fields(mock_client: Any) -> None:
    account = {"id": "a1", "email": "a@example.com"}
    token = {"id": "tok", "ttl": 60, "userId": "a1", "created": "2024-01-01T00:00:00.000Z"}
    server = Recorder(account)
    async with mock_client(server) as api:
        created = await api.accounts.signup(email="a@example.com", password="long-enough-1", firstname="Ada")
        server.answer = token
        login = await api.accounts.login(email="a@example.com", password="long-enough-1")
        await api.accounts.login(email="a@example.com", password="long-enough-1", ttl=-1)
    assert created.id == "a1"
    assert login.id == "tok"
    bodies = [json.loads(request.content) for request in server.requests]
    assert bodies == [
        {"email": "a@example.com", "password": "long-enough-1", "firstname": "Ada"},
        {"email": "a@example.com", "password": "long-enough-1"},
        {"email": "a@example.com", "password": "long-enough-1", "ttl": -1},
    ]
    assert [request.url.path for request in server.requests] == [
        "/v1/accounts",
        "/v1/accounts/login",
        "/v1/accounts/login",
    ]


async def test_pdf_returns_the_raw_bytes_and_asks_for_the_language(mock_client: Any) -> None:
    pdf = b"%PDF-1.7\n\xff\xfe binary"
    server = Recorder(content=pdf)
    async with mock_client(server) as api:
        assert await api.documents.pdf("d1", language="de") == pdf
    assert server.last.url.path == "/v1/documents/d1/pdf"
    assert server.last.url.params["l"] == "de"
    assert server.last.headers["Accept"] == "application/pdf"


@pytest.mark.parametrize("language", ["", "english", "d e", "de&x=1"])
async def test_a_malformed_language_is_refused(language: str, mock_client: Any) -> None:
    server = Recorder(content=b"")
    async with mock_client(server) as api:
        with pytest.raises(ValueError, match="language"):
            await api.documents.pdf("d1", language=language)
    assert server.requests == []


async def test_send_posts_the_body_and_accepts_the_real_apis_bare_success(mock_client: Any) -> None:
    server = Recorder({"success": True})
    async with mock_client(server) as api:
        result = await api.documents.send(
            "d1", body=SendRequest(recipients="a@example.com", subject="Invoice"), language="en"
        )
    assert (result.success, result.status) == (True, None)
    assert server.last.url.path == "/v1/documents/d1/send"
    assert server.last.url.params["l"] == "en"
    assert json.loads(server.last.content) == {"recipients": "a@example.com", "subject": "Invoice"}


async def test_send_answered_with_success_false_is_an_error(mock_client: Any) -> None:
    async with mock_client(Recorder({"success": False})) as api:
        with pytest.raises(APIResponseValidationError):
            await api.documents.send("d1", body=SendRequest(recipients="a@example.com"))


async def test_an_action_answered_with_no_content_counts_as_done(mock_client: Any) -> None:
    async with mock_client(lambda request: httpx.Response(204)) as api:
        assert await api.documents.uncancel("d1") is None


async def test_a_payment_for_an_organization_needs_its_document_id(mock_client: Any) -> None:
    server = Recorder({})
    async with mock_client(server) as api:
        with pytest.raises(ValueError, match="document_id"):
            await api.payments.create_for_organization("o1", body=PaymentCreate(type="cash"))
    assert server.requests == []


async def test_next_document_number_asks_for_the_type_and_returns_the_number(mock_client: Any) -> None:
    server = Recorder({"number": "2024-00007"})
    async with mock_client(server) as api:
        assert await api.organizations.next_document_number("o1", type="estimate") == "2024-00007"
    assert server.last.url.path == "/v1/organizations/o1/next-doc-number"
    assert server.last.url.params["type"] == "estimate"


async def test_search_sends_the_term_url_encoded(mock_client: Any) -> None:
    server = Recorder([])
    async with mock_client(server) as api:
        await api.clients.search("o1", term="Rocket & Co/op")
        await api.items.search("o1", term="suit")
    assert server.requests[0].url.params["term"] == "Rocket & Co/op"
    assert server.requests[0].url.path == "/v1/organizations/o1/clients/search"
    assert server.requests[1].url.path == "/v1/organizations/o1/items/search"


# ---------------------------------------------------------------- paging


class PagedServer:
    """A collection of ``total`` documents served with LoopBack limit/skip semantics."""

    def __init__(self, total: int, *, max_page: int | None = None) -> None:
        self.rows = [{"id": f"d{i:04d}", "organizationId": "o1"} for i in range(total)]
        self.max_page = max_page or total
        self.filters: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = json.loads(request.url.params["filter"])
        self.filters.append(query)
        skip, limit = query.get("skip", 0), min(query.get("limit", len(self.rows)), self.max_page)
        return httpx.Response(200, json=self.rows[skip : skip + limit])


async def test_iterate_pages_through_the_whole_collection(mock_client: Any) -> None:
    server = PagedServer(250)
    async with mock_client(server) as api:
        ids = [document.id async for document in api.documents.iterate("o1", page_size=100)]
    assert ids == [row["id"] for row in server.rows]
    assert [(f["skip"], f["limit"]) for f in server.filters] == [(0, 100), (100, 100), (200, 100)]


async def test_iterate_stops_on_an_empty_page_when_the_total_is_a_multiple_of_the_page(mock_client: Any) -> None:
    server = PagedServer(200)
    async with mock_client(server) as api:
        assert len([d async for d in api.documents.iterate("o1", page_size=100)]) == 200
    assert len(server.filters) == 3


async def test_iterate_gets_everything_from_an_api_that_caps_pages_below_the_page_size(mock_client: Any) -> None:
    server = PagedServer(250, max_page=100)
    async with mock_client(server) as api:
        ids = [document.id async for document in api.documents.iterate("o1", page_size=1000)]
    assert ids == [row["id"] for row in server.rows]
    assert [(f["skip"], f["limit"]) for f in server.filters] == [(0, 1000), (100, 100), (200, 100)]


async def test_iterate_over_a_collection_smaller_than_one_page_asks_once_more_to_be_sure(mock_client: Any) -> None:
    server = PagedServer(7)
    async with mock_client(server) as api:
        assert len([d async for d in api.documents.iterate("o1", page_size=100)]) == 7
    assert [(f["skip"], f["limit"]) for f in server.filters] == [(0, 100), (7, 7)]


async def test_iterate_keeps_the_filter_and_treats_its_skip_and_limit_as_the_window(mock_client: Any) -> None:
    server = PagedServer(500)
    window = Filter(where={"type": "invoice"}, order="number ASC", skip=10, limit=150)
    async with mock_client(server) as api:
        ids = [d.id async for d in api.documents.iterate("o1", filter=window, page_size=100)]
    assert ids == [row["id"] for row in server.rows[10:160]]
    assert server.filters == [
        {"where": {"type": "invoice"}, "order": "number ASC", "limit": 100, "skip": 10},
        {"where": {"type": "invoice"}, "order": "number ASC", "limit": 50, "skip": 110},
    ]


@pytest.mark.parametrize("page_size", [0, -1, 1001])
def test_iterate_refuses_a_page_size_outside_the_api_limit(page_size: int) -> None:
    with pytest.raises(ValueError, match="page_size"):
        SpaceInvoices().documents.iterate("o1", page_size=page_size)
