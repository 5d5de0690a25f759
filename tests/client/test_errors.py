"""The error tree: every status maps to its class, LoopBack bodies are parsed, httpx errors are converted."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from si_mcp.client import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    NotImplementedByServerError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    SpaceInvoicesError,
    UnprocessableEntityError,
)
from si_mcp.models import ErrorDetail

pytestmark = pytest.mark.anyio

VALIDATION_BODY = {
    "error": {
        "statusCode": 422,
        "name": "ValidationError",
        "message": "The `Client` instance is not valid. Details: `name` can't be blank (value: undefined).",
        "code": "VALIDATION_FAILED",
        "details": {"context": "Client", "codes": {"name": ["presence"]}, "messages": {"name": ["can't be blank"]}},
    }
}


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, ServerError),
        (501, NotImplementedByServerError),
        (502, ServerError),
        (503, ServerError),
        (504, ServerError),
        (403, PermissionDeniedError),
        (418, APIStatusError),
    ],
)
async def test_each_status_raises_its_own_error_class(
    status: int, error_class: type[APIStatusError], mock_client: Any
) -> None:
    body = {"error": {"statusCode": status, "name": "Error", "message": "nope", "code": "SOME_CODE"}}
    async with mock_client(lambda request: httpx.Response(status, json=body), max_retries=0) as api:
        with pytest.raises(APIStatusError) as caught:
            await api.documents.get("abc")
    assert type(caught.value) is error_class
    assert caught.value.status_code == status
    assert caught.value.error == ErrorDetail(status_code=status, name="Error", message="nope", code="SOME_CODE")
    assert isinstance(caught.value, SpaceInvoicesError)


async def test_a_loopback_validation_error_keeps_name_code_details_request_and_response(mock_client: Any) -> None:
    async with mock_client(lambda request: httpx.Response(422, json=VALIDATION_BODY)) as api:
        with pytest.raises(UnprocessableEntityError) as caught:
            await api.clients.get("c1")
    error = caught.value
    assert error.error.status_code == 422
    assert error.error.name == "ValidationError"
    assert error.error.code == "VALIDATION_FAILED"
    assert error.error.details == VALIDATION_BODY["error"]["details"]
    assert error.error.message == VALIDATION_BODY["error"]["message"]
    assert error.request.url == "https://api.test/v1/clients/c1"
    assert error.response.status_code == 422
    assert "VALIDATION_FAILED" in str(error)


async def test_an_error_body_without_status_code_takes_the_http_status(mock_client: Any) -> None:
    body = {"error": {"name": "Error", "message": "Authorization Required", "code": "AUTHORIZATION_REQUIRED"}}
    async with mock_client(lambda request: httpx.Response(401, json=body)) as api:
        with pytest.raises(AuthenticationError) as caught:
            await api.accounts.authorized()
    assert caught.value.error.status_code == 401
    assert caught.value.error.code == "AUTHORIZATION_REQUIRED"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", "text/html"),
        (b"", "text/plain"),
        (b'{"message": "not loopback"}', "application/json"),
        (b'{"error": "just a string"}', "application/json"),
        (b'{"error": {"statusCode": "x"}}', "application/json"),
        (b"\xff\xfe not utf-8", "application/octet-stream"),
    ],
)
async def test_an_error_body_that_is_not_a_loopback_error_still_gives_a_typed_error(
    content: bytes, content_type: str, mock_client: Any
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, content=content, headers={"content-type": content_type})

    async with mock_client(handler, max_retries=0) as api:
        with pytest.raises(ServerError) as caught:
            await api.countries.list()
    assert caught.value.error.status_code == 502
    assert caught.value.error.name == "Bad Gateway"
    assert len(caught.value.error.message) <= 500


async def test_a_long_html_error_page_is_cut_to_a_short_message(mock_client: Any) -> None:
    page = "<html>" + "x" * 10_000 + "</html>"
    async with mock_client(lambda request: httpx.Response(400, text=page)) as api:
        with pytest.raises(BadRequestError) as caught:
            await api.countries.list()
    assert caught.value.error.message == page[:500]


@pytest.mark.parametrize(
    ("exception", "error_class"),
    [
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.RemoteProtocolError("reset"), APIConnectionError),
        (httpx.ReadError("broken pipe"), APIConnectionError),
        (httpx.ConnectTimeout("slow"), APITimeoutError),
        (httpx.ReadTimeout("slow"), APITimeoutError),
        (httpx.PoolTimeout("busy"), APITimeoutError),
    ],
)
async def test_httpx_failures_become_connection_or_timeout_errors(
    exception: httpx.HTTPError, error_class: type[APIConnectionError], mock_client: Any
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exception

    async with mock_client(handler, max_retries=0) as api:
        with pytest.raises(APIConnectionError) as caught:
            await api.documents.get("abc")
    assert type(caught.value) is error_class
    assert caught.value.__cause__ is exception
    assert caught.value.request.url == "https://api.test/v1/documents/abc"


@pytest.mark.parametrize(
    "content",
    [
        b"<html>not json</html>",
        b'{"id": "x"}',
        b'[{"id": "x"}]',
        b'{"id": "d", "organizationId": "o", "total": "lots"}',
    ],
)
async def test_a_success_answer_that_is_not_the_expected_shape_raises_a_response_validation_error(
    content: bytes, mock_client: Any
) -> None:
    async with mock_client(lambda request: httpx.Response(200, content=content)) as api:
        with pytest.raises(APIResponseValidationError) as caught:
            await api.documents.get("abc")
    assert caught.value.status_code == 200


async def test_a_list_endpoint_answering_an_object_raises_a_response_validation_error(mock_client: Any) -> None:
    async with mock_client(lambda request: httpx.Response(200, json={"count": 1})) as api:
        with pytest.raises(APIResponseValidationError):
            await api.currencies.list()


async def test_an_action_answering_success_false_raises(mock_client: Any) -> None:
    async with mock_client(lambda request: httpx.Response(200, json={"success": False})) as api:
        with pytest.raises(APIResponseValidationError):
            await api.documents.cancel("abc")
