"""Retries: only what is safe for money, with capped backoff, Retry-After and an overall deadline."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from typing import Any

import anyio
import httpx
import pytest

from si_mcp.client import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ConflictError,
    NotImplementedByServerError,
    RateLimitError,
    ServerError,
    SpaceInvoices,
)
from si_mcp.models import (
    ClientCreate,
    DefaultCreate,
    DocumentCreate,
    InviteRequest,
    ItemCreate,
    OrganizationCreate,
    PaymentCreate,
    SendRequest,
    TaxCreate,
    TaxRateCreate,
)

pytestmark = pytest.mark.anyio

DOCUMENT = {"id": "d1", "organizationId": "o1", "number": "2024-00001"}
UNAVAILABLE = {"error": {"statusCode": 503, "name": "Error", "message": "maintenance"}}


class Server:
    """Answers with the scripted responses in turn (the last one repeats) and counts attempts."""

    def __init__(self, *answers: httpx.Response | Exception, on_request: Callable[[], None] | None = None) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.on_request = on_request

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.on_request:
            self.on_request()
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    @property
    def attempts(self) -> int:
        return len(self.requests)


def unavailable(**headers: str) -> httpx.Response:
    return httpx.Response(503, json=UNAVAILABLE, headers=headers)


def document_create(unique_id: str | None = None) -> DocumentCreate:
    body: dict[str, Any] = {"_documentClient": {"name": "Rocket man"}, "_documentItems": [{"name": "Suit", "price": 1}]}
    if unique_id is not None:
        body["uniqueId"] = unique_id
    return DocumentCreate.model_validate(body)


async def test_a_get_is_retried_after_503s_and_succeeds(mock_client: Any, clock: Any) -> None:
    server = Server(unavailable(), unavailable(), httpx.Response(200, json=DOCUMENT))
    async with mock_client(server) as api:
        document = await api.documents.get("d1")
    assert document.number == "2024-00001"
    assert server.attempts == 3
    assert len(clock.sleeps) == 2
    assert 0.375 <= clock.sleeps[0] <= 0.5
    assert 0.75 <= clock.sleeps[1] <= 1.0


async def test_a_get_gives_up_after_max_retries(mock_client: Any, clock: Any) -> None:
    server = Server(unavailable())
    async with mock_client(server) as api:
        with pytest.raises(ServerError):
            await api.documents.get("d1")
    assert server.attempts == 3


async def test_max_retries_zero_sends_once(mock_client: Any) -> None:
    server = Server(unavailable())
    async with mock_client(server, max_retries=0) as api:
        with pytest.raises(ServerError):
            await api.documents.get("d1")
    assert server.attempts == 1


async def test_backoff_doubles_up_to_an_eight_second_cap(mock_client: Any, clock: Any) -> None:
    server = Server(unavailable())
    async with mock_client(server, max_retries=6) as api:
        with pytest.raises(ServerError):
            await api.documents.get("d1")
    assert server.attempts == 7
    for sleep, nominal in zip(clock.sleeps, [0.5, 1, 2, 4, 8, 8], strict=True):
        assert nominal * 0.75 <= sleep <= nominal


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("reset")],
)
async def test_a_get_is_retried_after_a_connection_failure(failure: Exception, mock_client: Any) -> None:
    server = Server(failure, httpx.Response(200, json=DOCUMENT))
    async with mock_client(server) as api:
        assert (await api.documents.get("d1")).id == "d1"
    assert server.attempts == 2


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
async def test_retryable_statuses_are_retried(status: int, mock_client: Any) -> None:
    server = Server(httpx.Response(status), httpx.Response(200, json=DOCUMENT))
    async with mock_client(server) as api:
        await api.documents.get("d1")
    assert server.attempts == 2


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, APIStatusError),
        (404, APIStatusError),
        (409, ConflictError),
        (422, APIStatusError),
        (501, NotImplementedByServerError),
    ],
)
async def test_client_errors_and_501_are_not_retried(
    status: int, error_class: type[APIStatusError], mock_client: Any
) -> None:
    server = Server(httpx.Response(status))
    async with mock_client(server) as api:
        with pytest.raises(error_class):
            await api.documents.get("d1")
    assert server.attempts == 1


async def test_put_and_delete_are_retried_because_repeating_them_changes_nothing(mock_client: Any) -> None:
    server = Server(
        unavailable(), httpx.Response(200, json=DOCUMENT), unavailable(), httpx.Response(200, json={"count": 1})
    )
    async with mock_client(server) as api:
        await api.documents.replace("d1", body=document_create())
        assert await api.payments.delete("p1") == 1
    assert [request.method for request in server.requests] == ["PUT", "PUT", "DELETE", "DELETE"]


async def test_retry_after_seconds_is_honoured_instead_of_backoff(mock_client: Any, clock: Any) -> None:
    server = Server(httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200, json=DOCUMENT))
    async with mock_client(server) as api:
        await api.documents.get("d1")
    assert clock.sleeps == [3.0]


async def test_retry_after_milliseconds_is_honoured(mock_client: Any, clock: Any) -> None:
    server = Server(httpx.Response(429, headers={"retry-after-ms": "1500"}), httpx.Response(200, json=DOCUMENT))
    async with mock_client(server) as api:
        await api.documents.get("d1")
    assert clock.sleeps == [1.5]


async def test_retry_after_as_an_http_date_is_honoured(mock_client: Any, clock: Any) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    server = Server(unavailable(**{"Retry-After": when}), httpx.Response(200, json=DOCUMENT))
    async with mock_client(server) as api:
        await api.documents.get("d1")
    assert len(clock.sleeps) == 1
    assert 15 <= clock.sleeps[0] <= 20


async def test_retry_after_beyond_sixty_seconds_returns_the_error_instead_of_waiting(
    mock_client: Any, clock: Any
) -> None:
    server = Server(httpx.Response(429, headers={"Retry-After": "120"}))
    async with mock_client(server) as api:
        with pytest.raises(RateLimitError) as caught:
            await api.documents.get("d1")
    assert server.attempts == 1
    assert clock.sleeps == []
    assert caught.value.retry_after == 120


async def test_an_unreadable_retry_after_falls_back_to_backoff(mock_client: Any, clock: Any) -> None:
    server = Server(httpx.Response(429, headers={"Retry-After": "soon"}), httpx.Response(200, json=DOCUMENT))
    async with mock_client(server) as api:
        await api.documents.get("d1")
    assert 0.375 <= clock.sleeps[0] <= 0.5


async def test_the_deadline_stops_retries_that_would_run_past_it(mock_client: Any, clock: Any) -> None:
    def slow_answer() -> None:
        clock.time += 6  # each attempt takes six seconds

    server = Server(unavailable(), on_request=slow_answer)
    async with mock_client(server, deadline=10, max_retries=5) as api:
        with pytest.raises(ServerError):
            await api.documents.get("d1")
    assert server.attempts == 2


async def test_a_retry_after_longer_than_the_time_left_is_not_waited_for(mock_client: Any, clock: Any) -> None:
    server = Server(unavailable(**{"Retry-After": "30"}))
    async with mock_client(server, deadline=20) as api:
        with pytest.raises(ServerError):
            await api.documents.get("d1")
    assert server.attempts == 1
    assert clock.sleeps == []


async def test_the_deadline_cuts_off_an_answer_that_never_comes() -> None:
    attempts = 0

    async def hang(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    with anyio.fail_after(5):
        async with SpaceInvoices(transport=httpx.MockTransport(hang), deadline=0.05) as api:
            with pytest.raises(APITimeoutError):
                await api.documents.get("d1")
    assert attempts == 1  # no time is left for a retry once the deadline itself ran out


def _not_retried_calls() -> list[tuple[str, Callable[[SpaceInvoices], Awaitable[object]]]]:
    payment = PaymentCreate(type="bank", amount=Decimal("10.00"), document_id="d1")
    return [
        ("documents.create without uniqueId", lambda api: api.documents.create("o1", body=document_create())),
        ("documents.send", lambda api: api.documents.send("d1", body=SendRequest(recipients="a@example.com"))),
        ("documents.cancel", lambda api: api.documents.cancel("d1")),
        ("documents.uncancel", lambda api: api.documents.uncancel("d1")),
        ("payments.create", lambda api: api.payments.create("d1", body=payment)),
        ("payments.create_for_organization", lambda api: api.payments.create_for_organization("o1", body=payment)),
        ("accounts.login", lambda api: api.accounts.login(email="a@example.com", password="secret-pass")),
        ("accounts.signup", lambda api: api.accounts.signup(email="a@example.com", password="secret-pass")),
        (
            "organizations.create",
            lambda api: api.organizations.create("a1", body=OrganizationCreate(name="A", country="BE")),
        ),
        ("organizations.invite", lambda api: api.organizations.invite("o1", body=InviteRequest(email="b@example.com"))),
        ("clients.create", lambda api: api.clients.create("o1", body=ClientCreate(name="C"))),
        ("items.create", lambda api: api.items.create("o1", body=ItemCreate(name="I"))),
        ("defaults.create", lambda api: api.defaults.create("o1", body=DefaultCreate(name="x"))),
        (
            "taxes.create",
            lambda api: api.taxes.create(
                "o1", body=TaxCreate.model_validate({"name": "VAT", "_taxRates": [{"rate": 21}]})
            ),
        ),
        ("taxes.add_rate", lambda api: api.taxes.add_rate("t1", body=TaxRateCreate(rate=Decimal(22)))),
    ]


@pytest.mark.parametrize(("name", "call"), _not_retried_calls(), ids=[name for name, _ in _not_retried_calls()])
@pytest.mark.parametrize("failure", [unavailable(), httpx.ConnectError("refused"), httpx.ReadTimeout("lost")])
async def test_writes_that_could_duplicate_money_or_mail_are_never_retried(
    name: str, call: Callable[[SpaceInvoices], Awaitable[object]], failure: Any, mock_client: Any
) -> None:
    server = Server(failure)
    async with mock_client(server) as api:
        with pytest.raises((ServerError, APIConnectionError)):
            await call(api)
    assert server.attempts == 1
    assert server.requests[0].method == "POST"


async def test_a_document_create_with_unique_id_is_retried_with_the_same_body(mock_client: Any) -> None:
    server = Server(httpx.ConnectError("reset"), unavailable(), httpx.Response(200, json=DOCUMENT))
    async with mock_client(server) as api:
        document = await api.documents.create("o1", body=document_create(unique_id="order-42"))
    assert document.id == "d1"
    assert server.attempts == 3
    bodies = {request.content for request in server.requests}
    assert len(bodies) == 1
    assert b'"uniqueId":"order-42"' in bodies.pop()
